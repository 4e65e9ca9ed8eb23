"""``kansa maturity``: the self-assessment against the FSA's maturity ladder for internal audit
(Ver.1.0-4.0), each step with the ledger entries that show it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from kansa.cli.context import console, workspace
from kansa.cli.desk import ledger_mark, open_desk
from kansa.cli.terminal import print_json
from kansa.engagements import STAGES, assess, ladder, reached
from kansa.i18n import lang, tr

maturity_app = typer.Typer(
    help="Self-assessment against the FSA's maturity ladder.", no_args_is_help=True
)


@maturity_app.command("show")
def show_cmd(ctx: typer.Context, json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Each step of the ladder: claimed met or not, evidence, and candidate ledger entries."""
    with open_desk(workspace(ctx)) as desk:
        views = ladder(desk)
    stage = reached(views)
    if json_out:
        print_json(
            {
                "reached": stage,
                "steps": [
                    {
                        "step": v.step.key,
                        "stage": v.step.stage,
                        "en": v.step.en,
                        "ja": v.step.ja,
                        "met": v.met,
                        "evidence": v.claim.evidence if v.claim else [],
                        "note": v.claim.note if v.claim else "",
                        "assessed_by": v.claim.assessed_by if v.claim else None,
                        "candidates": list(v.candidates),
                    }
                    for v in views
                ],
            }
        )
        return
    ja = lang() == "ja"
    for key, (en_name, ja_name) in STAGES.items():
        console.print(f"[b]Ver.{key} {ja_name if ja else en_name}[/]", highlight=False)
        for v in (v for v in views if v.step.stage == key):
            mark = "[green]MET[/]" if v.met else ("[red]NOT MET[/]" if v.claim else "[dim]-[/]")
            ev = ", ".join(f"#{s}" for s in v.claim.evidence) if v.claim else ""
            cand = ", ".join(f"#{s}" for s in v.candidates)
            console.print(
                f"  {mark} {v.step.key}: {escape(v.step.ja if ja else v.step.en)}", highlight=False
            )
            if ev or cand:
                console.print(
                    f"      {tr('evidence', '根拠')}: {ev or '-'}  {tr('candidates', '候補')}: {cand or '-'}",
                    highlight=False,
                )
    console.print(
        tr(
            f"Stage reached: {('Ver.' + stage) if stage else 'none yet'}",
            f"到達段階: {('Ver.' + stage) if stage else 'まだありません'}",
        )
    )


@maturity_app.command("assess")
def assess_cmd(
    ctx: typer.Context,
    step: Annotated[str, typer.Argument(help="A step of `kansa maturity show`, e.g. risk-plan.")],
    met: Annotated[bool, typer.Option("--met/--not-met", help="Is the step met?")],
    evidence: Annotated[
        list[int] | None, typer.Option(help="A ledger seq that shows it (repeat).")
    ] = None,
    note: Annotated[str, typer.Option(help="Why.")] = "",
) -> None:
    """Claim a step met (with evidence) or not met."""
    with open_desk(workspace(ctx)) as desk:
        c = assess(desk, step, met, evidence or [], note)
        console.print(
            f"{c.criterion}: {'met' if c.met else 'not met'}, {ledger_mark(desk)}", highlight=False
        )


def register(app: typer.Typer) -> None:
    """Add ``kansa maturity`` to the root app."""
    app.add_typer(maturity_app, name="maturity")
