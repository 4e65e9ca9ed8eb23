"""``kansa findings``: the list, and the workflow (assign, respond, move, rerate, approve-rerate,
accept, comment, attach, close, history, overdue). Every step is in :mod:`kansa.findings`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from kansa.appdb import Finding
from kansa.cli.context import console, workspace
from kansa.cli.dates import parse_day
from kansa.cli.db_cmds import catch_up
from kansa.cli.desk import ledger_mark, open_desk
from kansa.cli.terminal import print_json, verbatim
from kansa.controls import load_catalog
from kansa.findings import (
    LABELS,
    STATE_LABELS,
    WHOLE_CONTROL,
    accept_risk,
    attach,
    close,
    comment,
    decide_rerating,
    finding_history,
    list_findings,
    move,
    overdue,
    propose_rerating,
    reopen_expired,
    respond,
    run_ids,
)
from kansa.findings.owners import assign_to_owner
from kansa.findings.recording import find
from kansa.i18n import lang, tr
from kansa.workflow import Desk
from kansa.workspace import Workspace

findings_app = typer.Typer(
    help="Findings opened by failing controls, and their workflow to closure.",
    no_args_is_help=False,
    invoke_without_command=True,
)

IdArg = Annotated[int, typer.Argument(help="Finding number (the # column of `kansa findings`).")]


class StatusFilter(StrEnum):
    open = "open"
    closed = "closed"


class Move(StrEnum):
    in_remediation = "in_remediation"
    ready_for_retest = "ready_for_retest"


def _state(state: str) -> str:
    return STATE_LABELS[state][1 if lang() == "ja" else 0]


def _num(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _as_json(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id, "control_id": f.control_id, "scope": f.scope, "status": f.status,
        "state": f.state, "rating": f.rating, "severity": f.severity, "repeat": f.repeat,
        "previous_id": f.previous_id, "owner": f.owner, "assignee": f.assignee,
        "due_date": f.due_date, "response": f.response, "action_plan": f.action_plan,
        "proposed_rating": f.proposed_rating, "accepted_until": f.accepted_until,
        "retest_run_id": f.retest_run_id, "first_seen_at": f.first_seen_at,
        "last_seen_at": f.last_seen_at, "closed_at": f.closed_at, "closed_by": f.closed_by,
        "occurrences": f.occurrences, "exceptions": f.exception_count,
        "population": f.population_count, "runs": run_ids(f),
    }  # fmt: skip


@findings_app.callback()
def findings(
    ctx: typer.Context,
    status: Annotated[
        StatusFilter | None, typer.Option(help="Only open or closed findings.")
    ] = None,
    control: Annotated[str | None, typer.Option(help="Only this control id.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Findings opened by failing controls: rating, state, owner, first and last seen."""
    if ctx.invoked_subcommand is not None:
        return
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        catch_up(ws, desk.db)  # runs the database missed are recorded first (kansa db reconcile)
        reopen_expired(desk)  # an ended risk acceptance reopens before anyone reads the list
        rows = list_findings(desk.db, ws.config.name, status=status.value if status else None,
                             control_id=control.upper() if control else None)  # fmt: skip
    if json_out:
        print_json([_as_json(f) for f in rows], indent=1, default=str)
        return
    _print_findings(ws, rows)


def _print_findings(ws: Workspace, rows: list[Finding]) -> None:
    catalog = load_catalog([ws.resolve(p) for p in ws.config.control_paths])
    table = Table(title=tr("Findings", "指摘事項"), title_justify="left")
    for col in ("#", "id", tr("control", "コントロール"), tr("rating", "評価"), tr("state", "状態"),
                tr("first seen", "初回"), tr("last seen", "最終"), tr("runs", "回数"),
                tr("exceptions", "例外"), tr("owner", "担当"), tr("due", "期限")):  # fmt: skip
        table.add_column(col)
    scoped = any(f.scope != WHOLE_CONTROL for f in rows)
    if scoped:  # findings split by key columns ([findings.scope]) must be told apart
        table.add_column(tr("scope", "範囲"), no_wrap=True)
    ja = lang() == "ja"
    for f in rows:
        c = catalog.get(f.control_id)
        rating = LABELS[f.rating][1 if ja else 0]
        repeat = tr(" [yellow](repeat)[/]", " [yellow]（再発）[/]") if f.repeat else ""
        state = f"[red]{_state(f.state)}[/]" if f.state == "open" else _state(f.state)
        owner = verbatim(" / ".join(x for x in (f.owner, f.assignee) if x))
        cells: list[str | Text] = [
            str(f.id), f.control_id, verbatim(c.title.get(lang()) if c else ""), rating + repeat,
            state,
            f.first_seen_at.strftime("%Y-%m-%d"), f.last_seen_at.strftime("%Y-%m-%d"),
            str(f.occurrences), _num(f.exception_count), owner,
            str(f.due_date) if f.due_date else "",
        ]  # fmt: skip
        if scoped:
            cells.append(verbatim(f.scope))
        table.add_row(*cells)
    console.print(table if rows else tr("No findings.", "指摘事項はありません。"))


def _done(desk: Desk, f: Finding, en: str, ja: str) -> None:
    console.print(
        tr(f"Finding {f.id}: {en}", f"指摘事項 {f.id}: {ja}")
        + f" ({_state(f.state)}; {ledger_mark(desk)}, {escape(desk.actor)})",
        highlight=False,
    )


def _finding(desk: Desk, finding_id: int) -> Finding:
    with desk.db.session() as s:
        return find(s, desk.workspace, finding_id)


@findings_app.command("assign")
def assign_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    to: Annotated[str, typer.Option("--to", help="The person who answers for it.")],
    due: Annotated[str | None, typer.Option(help="Due date YYYY-MM-DD.")] = None,
    unit: Annotated[str | None, typer.Option(help="The unit (department) that owns it.")] = None,
) -> None:
    """Give a finding to a control owner of its unit (an account), with a due date."""
    ws = workspace(ctx)
    catalog = load_catalog([ws.resolve(p) for p in ws.config.control_paths])
    with open_desk(ws) as desk:
        f = _finding(desk, finding_id)
        control = catalog.get(f.control_id)
        owner = control.owner if control else ""
        f = assign_to_owner(desk, finding_id, to, parse_day(due, "--due"), owner, unit)
        _done(desk, f, f"assigned to {escape(f.assignee)}", f"{escape(f.assignee)} に割当")


@findings_app.command("retest")
def retest_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", help="Override a parameter of its control: name=value (repeatable)."
        ),
    ] = None,
) -> None:
    """Run the finding's control now: a passing complete run makes it ready for closure."""
    from kansa.findings.retest import parse_overrides, retest
    from kansa.notify.at_once import announce_run

    ws = workspace(ctx)
    catalog = load_catalog([ws.resolve(p) for p in ws.config.control_paths])
    with open_desk(ws) as desk:
        catch_up(ws, desk.db)
        done = retest(desk, ws, catalog, finding_id, parse_overrides(param or []))
        announce_run(desk, ws, catalog, done.changes)
    console.print(
        tr(f"Run {done.run_id} (ledger entry #{done.ledger_seq}): {done.finding.control_id} "
           f"{done.status}, {_num(done.exception_count)} exception(s); finding {finding_id} is "
           f"{_state(done.finding.state)}.",
           f"実行 {done.run_id}（台帳エントリ #{done.ledger_seq}）: {done.finding.control_id} "
           f"{done.status}、例外 {_num(done.exception_count)} 件。指摘事項 {finding_id} は"
           f"「{_state(done.finding.state)}」です。"),
        highlight=False,
    )  # fmt: skip


@findings_app.command("respond")
def respond_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    response: Annotated[str, typer.Option(help="Management's response.")],
    plan: Annotated[str, typer.Option(help="The action plan.")],
) -> None:
    """Record management's response and action plan (open -> answered)."""
    with open_desk(workspace(ctx)) as desk:
        _done(desk, respond(desk, finding_id, response, plan), "answered", "回答を記録")


@findings_app.command("move")
def move_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    to: Annotated[Move, typer.Argument(help="in_remediation or ready_for_retest.")],
    note: Annotated[str, typer.Option(help="Why (optional).")] = "",
) -> None:
    """Remediation under way (in_remediation) or done and ready for retest."""
    with open_desk(workspace(ctx)) as desk:
        f = move(desk, finding_id, to.value, note)
        _done(desk, f, "moved", "状態を変更")


@findings_app.command("rerate")
def rerate_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    to: Annotated[
        str,
        typer.Option("--to", help="deficiency, significant_deficiency or material_weakness."),
    ],
    reason: Annotated[str, typer.Option(help="Why the rule's rating is not right here.")],
) -> None:
    """Propose another rating (up or down); a second person approves it."""
    with open_desk(workspace(ctx)) as desk:
        f = propose_rerating(desk, finding_id, to, reason)
        _done(desk, f, f"re-rating to {to} proposed", f"評価変更（{to}）を申請")


@findings_app.command("approve-rerate")
def approve_rerate_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of approve.")] = False,
    note: Annotated[str, typer.Option(help="A note for the file (optional).")] = "",
) -> None:
    """Approve (or reject) a proposed re-rating: by a reviewer, not the proposer."""
    with open_desk(workspace(ctx)) as desk:
        f = decide_rerating(desk, finding_id, approve=not reject, note=note)
        if reject:
            _done(desk, f, "re-rating rejected", "評価変更を却下")
        else:
            _done(desk, f, f"re-rated {f.rating}", f"評価を {f.rating} に変更")


@findings_app.command("accept")
def accept_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    reason: Annotated[str, typer.Option(help="Why the risk is accepted.")],
    until: Annotated[str, typer.Option(help="Last day of the acceptance; it reopens then.")],
) -> None:
    """Accept a finding's risk until a date (only names listed as risk_acceptors in kansa.toml)."""
    with open_desk(workspace(ctx)) as desk:
        day = parse_day(until, "--until")
        assert day is not None
        f = accept_risk(desk, finding_id, reason, day)
        _done(desk, f, f"risk accepted until {day}", f"{day} までリスク受容")


@findings_app.command("comment")
def comment_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    text: Annotated[str, typer.Argument(help="The comment.")],
) -> None:
    """Add a comment to a finding."""
    with open_desk(workspace(ctx)) as desk:
        comment(desk, finding_id, text)
        console.print(
            tr(f"Finding {finding_id}: comment added", f"指摘事項 {finding_id}: コメントを追加")
            + f" ({ledger_mark(desk)})"
        )


@findings_app.command("attach")
def attach_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    file: Annotated[Path, typer.Argument(help="The document to file in the vault.")],
    note: Annotated[str, typer.Option(help="What it is (optional).")] = "",
) -> None:
    """File a document in the vault (hashed) and attach it to a finding."""
    with open_desk(workspace(ctx)) as desk:
        a = attach(desk, finding_id, file, note)
        console.print(
            tr(f"Finding {finding_id}: attached", f"指摘事項 {finding_id}: 添付")
            + f" vault/{a.details['path']} sha256 {a.details['sha256']} ({ledger_mark(desk)})",
            highlight=False,
        )


@findings_app.command("close")
def close_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    note: Annotated[str, typer.Option(help="The reviewer's note (optional).")] = "",
) -> None:
    """Sign the closure of a finding whose retest passed (a reviewer, not its owner)."""
    with open_desk(workspace(ctx)) as desk:
        f = close(desk, finding_id, note)
        _done(
            desk,
            f,
            f"closed (retest run {f.closed_run_id})",
            f"クローズ（再テスト {f.closed_run_id}）",
        )


@findings_app.command("history")
def history_cmd(
    ctx: typer.Context,
    finding_id: IdArg,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Everything that happened to a finding, by runs and by people, with ledger entries."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        reopen_expired(desk)
        steps = finding_history(desk.db, ws.config.name, finding_id)
    if json_out:
        print_json([s.__dict__ for s in steps], indent=1, default=str)
        return
    table = Table(title=tr(f"Finding {finding_id}", f"指摘事項 {finding_id}"), title_justify="left")
    for col in (tr("when (UTC)", "日時 (UTC)"), tr("who", "実行者"), tr("what", "内容"),
                tr("details", "詳細"), tr("ledger", "台帳")):  # fmt: skip
        table.add_column(col, overflow="fold")
    for s in steps:
        details = "; ".join(f"{k}: {v}" for k, v in s.details.items() if v not in (None, ""))
        table.add_row(
            s.at.strftime("%Y-%m-%d %H:%M:%S"), verbatim(s.who), s.what, verbatim(details),
            f"#{s.ledger_seq}" if s.ledger_seq is not None else "",
        )  # fmt: skip
    console.print(table)


@findings_app.command("overdue")
def overdue_cmd(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Findings past their due date whose owner still owes an answer or a fix."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        reopen_expired(desk)
        rows = overdue(desk.db, ws.config.name, desk.today)
    if json_out:
        data = [{**_as_json(f), "days_overdue": (desk.today - f.due_date).days} for f in rows
                if f.due_date]  # fmt: skip
        print_json(data, indent=1, default=str)
        return
    if not rows:
        console.print(tr("Nothing overdue.", "期限超過はありません。"))
        return
    table = Table(title=tr("Overdue findings", "期限超過の指摘事項"), title_justify="left")
    for col in ("#", "id", tr("state", "状態"), tr("owner", "担当"), tr("due", "期限"),
                tr("days over", "超過日数")):  # fmt: skip
        table.add_column(col)
    for f in rows:
        assert f.due_date is not None
        table.add_row(
            str(f.id), f.control_id, _state(f.state),
            verbatim(" / ".join(x for x in (f.owner, f.assignee) if x)), str(f.due_date),
            f"[red]{(desk.today - f.due_date).days}[/]",
        )  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``kansa findings`` to the root app."""
    app.add_typer(findings_app, name="findings")
