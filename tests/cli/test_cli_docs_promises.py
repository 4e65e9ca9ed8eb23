"""The docs promise only commands and flags that exist: every ``kansa ...`` they show is
checked against the real command tree (a renamed flag or a planned command fails here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kansa.cli.lazy import LazyGroup

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted([*(REPO / "docs").glob("*.md"), REPO / "README.md"])
_CALL = re.compile(r"(?<![\w/.-])kansa((?:\s+(?:-[-\w]+|[\w./*'\"=:,<>\[\]{}-]+))+)")
_ROOT_OPTIONS = {"-w", "--workspace", "--version", "--help"}


def _options(cmd: Any) -> set[str]:
    return {
        o for p in cmd.params for o in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]
    }


def broken_calls(text: str) -> list[str]:
    """``kansa CMD [SUB] --flag`` calls in ``text`` naming a command or flag that is not there."""
    root = LazyGroup(name="kansa")
    problems = []
    for m in _CALL.finditer(text):
        words = m.group(1).split()
        i = 0
        while i < len(words) and words[i].startswith("-"):
            i += 2 if words[i] in ("-w", "--workspace") else 1
        if i >= len(words) or not re.fullmatch(r"[a-z][a-z-]*", words[i]):
            continue
        cmd, path = root.get_command(None, words[i]), [words[i]]  # type: ignore[arg-type]
        if cmd is None:
            problems.append(f"no command {words[i]!r}")
            continue
        i += 1
        while i < len(words) and words[i] in getattr(cmd, "commands", {}):
            cmd = cmd.commands[words[i]]
            path.append(words[i])
            i += 1
        for w in words[i:]:
            flag = w.split("=")[0]
            if (
                re.fullmatch(r"--[\w-]+|-[a-zA-Z]", flag)
                and flag not in _options(cmd) | _ROOT_OPTIONS
            ):
                problems.append(f"`kansa {' '.join(path)}` has no {flag}")
    return problems


def test_the_checker_catches_a_missing_command_and_flag() -> None:
    assert broken_calls("`kansa results WDR-001 --rerate` then `kansa rerate 3`") == [
        "`kansa results` has no --rerate",
        "no command 'rerate'",
    ]
    assert broken_calls("`kansa results WDR-001 --run R1 -w ws`, `kansa -w ws verify`") == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_docs_show_only_commands_and_flags_that_exist(doc: Path) -> None:
    problems = [
        f"{doc.name}:{n}: {p}"
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1)
        for p in broken_calls(line)
    ]
    assert problems == []
