"""``kansa signoff``: preparer and reviewer sign-offs on runs, workpapers and reports, review
notes, and the status that shows a voided sign-off and why. The rules are in
:mod:`kansa.signoff`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from kansa.cli.context import console, workspace
from kansa.cli.desk import ledger_mark, open_desk
from kansa.cli.terminal import print_json
from kansa.i18n import tr
from kansa.signoff import (
    ItemStatus,
    Verdict,
    add_note,
    clear_note,
    prepare,
    review,
    signoff_status,
)

signoff_app = typer.Typer(
    help="Preparer and reviewer sign-offs bound to the evidence they cover.",
    no_args_is_help=True,
)
note_app = typer.Typer(
    help="Review notes, cleared before the reviewer signs.", no_args_is_help=True
)
signoff_app.add_typer(note_app, name="note")

ItemArg = Annotated[
    str, typer.Argument(help="Ledger seq (#12), run id, workpaper id or ledger hash prefix.")
]


@signoff_app.command("prepare")
def prepare_cmd(ctx: typer.Context, item: ItemArg) -> None:
    """Sign an item as its preparer (binds its ledger entry hash and files' SHA-256)."""
    from kansa.notify.at_once import announce_review

    ws = workspace(ctx)
    with open_desk(ws) as desk:
        so = prepare(desk, item)
        console.print(
            tr(
                f"Prepared #{so.item_seq} ({so.item_kind})",
                f"作成者署名 #{so.item_seq}（{so.item_kind}）",
            )
            + f": {escape(so.actor)}, {ledger_mark(desk)}",
            highlight=False,
        )
        announce_review(desk, ws, so.ledger_seq)  # the reviewers are asked at once


@signoff_app.command("review")
def review_cmd(ctx: typer.Context, item: ItemArg) -> None:
    """Sign an item as its reviewer: never its preparer, only with every note cleared."""
    with open_desk(workspace(ctx)) as desk:
        so = review(desk, item)
        console.print(
            tr(
                f"Reviewed #{so.item_seq} ({so.item_kind})",
                f"レビュー署名 #{so.item_seq}（{so.item_kind}）",
            )
            + f": {escape(so.actor)}, {ledger_mark(desk)}",
            highlight=False,
        )


def _verdict_json(v: Verdict | None) -> dict[str, Any] | None:
    if v is None:
        return None
    so = v.signoff
    return {"actor": so.actor, "at": so.at, "ledger_seq": so.ledger_seq, "valid": v.valid,
            "void": list(v.void)}  # fmt: skip


def _cell(v: Verdict | None) -> str:
    if v is None:
        return "-"
    mark = "[green]OK[/]" if v.valid else "[bold red]VOID[/]"
    return f"{escape(v.signoff.actor)} {v.signoff.at:%Y-%m-%d} {mark}"


def _print(rows: list[ItemStatus]) -> None:
    if not rows:
        console.print(
            tr("No sign-offs or review notes yet.", "署名・レビューノートはまだありません。")
        )
        return
    table = Table(title=tr("Sign-offs", "署名"), title_justify="left")
    for col in ("#", tr("item", "項目"), tr("preparer", "作成者"), tr("reviewer", "レビュー"),
                tr("open notes", "未解消ノート")):  # fmt: skip
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.item.seq), escape(r.item.label), _cell(r.preparer), _cell(r.reviewer),
                      str(len(r.open_notes)) if r.open_notes else "")  # fmt: skip
    console.print(table)
    for r in rows:
        for role, v in (
            (tr("preparer", "作成者"), r.preparer),
            (tr("reviewer", "レビュー"), r.reviewer),
        ):
            for why in v.void if v else ():
                console.print(
                    f"  #{r.item.seq} {role} [red]VOID[/]: {escape(why)}", highlight=False
                )
        for n in r.open_notes:
            console.print(
                f"  #{r.item.seq} {tr('note', 'ノート')} {n.id} ({escape(n.author)}): {escape(n.text)}",
                highlight=False,
            )


@signoff_app.command("status")
def status_cmd(
    ctx: typer.Context,
    item: Annotated[
        str | None, typer.Argument(help="One item (default: every signed one).")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every run, workpaper and report.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Sign-offs per item: valid, or VOID with the reason; open review notes."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        rows = signoff_status(desk.db, desk.vault, ws.config.name, item, every=every)
    if json_out:
        data = [
            {"seq": r.item.seq, "hash": r.item.hash, "kind": r.item.kind, "item": r.item.label,
             "preparer": _verdict_json(r.preparer), "reviewer": _verdict_json(r.reviewer),
             "open_notes": [{"id": n.id, "author": n.author, "text": n.text} for n in r.open_notes]}
            for r in rows
        ]  # fmt: skip
        print_json(data, indent=1, default=str)
        return
    _print(rows)


@note_app.command("add")
def note_add_cmd(
    ctx: typer.Context,
    item: ItemArg,
    text: Annotated[str, typer.Argument(help="The question or point to address.")],
) -> None:
    """Raise a review note on an item."""
    with open_desk(workspace(ctx)) as desk:
        n = add_note(desk, item, text)
        console.print(tr(f"Review note {n.id} on #{n.item_seq}", f"レビューノート {n.id}（#{n.item_seq}）")
                      + f" ({ledger_mark(desk)})")  # fmt: skip


@note_app.command("clear")
def note_clear_cmd(
    ctx: typer.Context,
    note_id: Annotated[int, typer.Argument(help="The note's number.")],
    answer: Annotated[str, typer.Option(help="How it was addressed (optional).")] = "",
) -> None:
    """Clear a review note (its author, or a reviewer)."""
    with open_desk(workspace(ctx)) as desk:
        n = clear_note(desk, note_id, answer)
        console.print(tr(f"Review note {n.id} cleared", f"レビューノート {n.id} を解消")
                      + f" ({ledger_mark(desk)})")  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``kansa signoff`` to the root app."""
    app.add_typer(signoff_app, name="signoff")
