"""``kansa init``: create a workspace and its app database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kansa.appdb import upgrade
from kansa.appdb.url_secrets import mask_url
from kansa.cli.context import console
from kansa.i18n import tr
from kansa.workspace import create_workspace


def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new workspace.")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Workspace name (default: folder name).")] = None,
) -> None:
    """Create a workspace: kansa.toml, vault/ and the app database."""
    ws = create_workspace(path, name=name)
    revision = upgrade(ws.database_url)
    console.print(
        tr(
            f"Created workspace [bold]{ws.config.name}[/] at {ws.root}",
            f"ワークスペース [bold]{ws.config.name}[/] を {ws.root} に作成しました",
        )
    )
    shown = mask_url(ws.config.database_url)
    console.print(
        tr(
            f"App database ready (schema {revision}): {shown}",
            f"アプリDBを準備しました（スキーマ {revision}）: {shown}",
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("init")(init)
