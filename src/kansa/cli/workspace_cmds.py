"""``kansa init``: create a workspace and its app database."""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Annotated

import typer

from kansa.appdb import upgrade
from kansa.appdb.url_secrets import mask_url
from kansa.cli.context import console
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.workspace import create_workspace


def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new workspace.")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Workspace name (default: folder name).")] = None,
    timezone: Annotated[
        str,
        typer.Option(
            "--timezone",
            help="IANA zone of the business day and displayed times (Asia/Tokyo, or UTC).",
        ),
    ] = "Asia/Tokyo",
) -> None:
    """Create a workspace: kansa.toml, vault/ and the app database."""
    _check_zone(timezone)
    ws = create_workspace(path, name=name, timezone=timezone)
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


def _check_zone(zone: str) -> None:
    """Refuse a zone that is not IANA before anything is created."""
    try:
        zoneinfo.ZoneInfo(zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise KansaError(
            tr(
                f"--timezone {zone!r} is not an IANA time zone (e.g. Asia/Tokyo or UTC).",
                f"--timezone {zone!r} は IANA タイムゾーンではありません（例: Asia/Tokyo、UTC）。",
            )
        ) from None


def register(app: typer.Typer) -> None:
    app.command("init")(init)
