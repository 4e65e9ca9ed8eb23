"""The web app's per-process index of the ledger shows what a full read of the file shows:
appended entries, a torn tail left out, a rewritten ledger read again from the start."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from kansa.vault import Vault, verify_vault
from kansa.vault.ledger import Ledger
from kansa.web import ledger_index, trail
from kansa.workspace import Workspace


def _about(vault: Vault, control: str) -> list[int]:
    return [e.seq for e in trail.entries_about(vault, "control", control, limit=3)]


def _full_read_about(vault: Vault, control: str) -> list[int]:
    found = [e.seq for e in vault.ledger.read()
             if e.kind == "web" and e.payload.get("control") == control]  # fmt: skip
    return found[-3:][::-1]


def test_entries_appended_after_the_first_read_are_seen(workspace: Workspace) -> None:
    vault = Vault(workspace.vault_dir)
    vault.commit("note", {"control": "ACC-001"})  # not a web entry: never in a trail
    trail.record(vault, "amy", "view_exceptions", control="ACC-001", page=1)
    assert _about(vault, "ACC-001") == _full_read_about(vault, "ACC-001") != []
    for page in range(2, 7):
        trail.record(vault, "amy", "view_exceptions", control="ACC-001", page=page)
        trail.record(vault, "bob", "view_exceptions", control="WDR-001", page=page)
        assert _about(vault, "ACC-001") == _full_read_about(vault, "ACC-001")
        assert _about(vault, "WDR-001") == _full_read_about(vault, "WDR-001")
    assert len(_about(vault, "ACC-001")) == 3  # the newest three, newest first
    assert trail.last_action(vault, "verify") is None
    entry = trail.record(vault, "amy", "verify", ok=True)
    assert trail.last_action(vault, "verify") == entry
    assert ledger_index.of(vault.ledger.path).entries() == vault.ledger.entries()


def test_a_line_still_being_written_is_not_an_entry_until_it_ends(workspace: Workspace) -> None:
    vault = Vault(workspace.vault_dir)
    trail.record(vault, "amy", "view_exceptions", control="ACC-001")
    whole = vault.ledger.path.read_bytes()
    complete = trail.record(vault, "amy", "view_exceptions", control="ACC-001")
    line = vault.ledger.path.read_bytes()[len(whole) :]
    vault.ledger.path.write_bytes(whole + line[:-20])  # half of the second line
    assert _about(vault, "ACC-001") == [complete.seq - 1]
    vault.ledger.path.write_bytes(whole + line)
    assert _about(vault, "ACC-001") == [complete.seq, complete.seq - 1]


def test_a_ledger_rewritten_in_place_is_read_again(workspace: Workspace) -> None:
    vault = Vault(workspace.vault_dir)
    for page in range(3):
        trail.record(vault, "amy", "view_exceptions", control="ACC-001", page=page)
    assert len(_about(vault, "ACC-001")) == 3
    # same length, other content: the last line read no longer matches, so all is re-read
    text = vault.ledger.path.read_bytes().replace(b'"ACC-001"', b'"ACC-002"')
    with vault.ledger.path.open("r+b") as f:
        f.write(text)
    assert _about(vault, "ACC-001") == []
    assert _about(vault, "ACC-002") == _full_read_about(vault, "ACC-002")
    # a shorter ledger put in its place
    vault.ledger.path.write_bytes(text.splitlines(keepends=True)[0])
    assert len(_about(vault, "ACC-002")) == 1


def test_views_recorded_at_once_are_one_append_each_its_own_entry(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: requests waiting while another writes are appended together, with one
    fsync; every entry keeps its actor and payload, and the chain verifies."""
    vault = Vault(workspace.vault_dir)
    trail.record(vault, "amy", "login")
    calls: list[int] = []
    real = Ledger.append_many

    def counted(self: Ledger, items: list[Any]) -> list[Any]:
        calls.append(len(items))
        return real(self, items)

    monkeypatch.setattr(Ledger, "append_many", counted)
    group = trail._GROUPS[vault.ledger.path]
    got: dict[str, int] = {}
    with group.writing_lock:  # someone is writing: the ten requests below must wait
        threads = [
            threading.Thread(target=lambda n=n: got.__setitem__(
                f"user{n}", trail.record(vault, f"user{n}", "view_exceptions", page=n).seq))
            for n in range(10)
        ]  # fmt: skip
        for t in threads:
            t.start()
        while len(group.waiting) < 10:
            time.sleep(0.01)
    for t in threads:
        t.join()
    assert calls == [10]
    entries = {e.seq: e for e in vault.ledger.read()}
    for n in range(10):
        e = entries[got[f"user{n}"]]
        assert (e.actor, e.payload) == (f"user{n}", {"action": "view_exceptions", "page": n})
    assert verify_vault(vault).ok
