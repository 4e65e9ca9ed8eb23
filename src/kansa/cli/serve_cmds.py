"""``kansa serve`` (the web app) and ``kansa users`` (its people), over one workspace.

Both call :mod:`kansa.web.accounts`, like the admin pages do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kansa.cli.context import console, workspace
from kansa.errors import KansaError
from kansa.i18n import tr

if TYPE_CHECKING:
    from kansa.web.trail import Entry
    from kansa.workspace import Workspace

users_app = typer.Typer(
    help="People who sign in to `kansa serve`: add, list, reset a password, "
    "rotate the key of their TOTP secrets."
)


def _expiry(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
    except ValueError:
        raise typer.BadParameter(
            tr(
                f"{text!r} is not a date (YYYY-MM-DD).",
                f"{text!r} は日付ではありません（YYYY-MM-DD）。",
            )
        ) from None


def _one_time(username: str, password: str) -> None:
    console.print(
        tr(f"One-time password for {username}: ", f"{username} のワンタイムパスワード: ")
        + f"[bold]{password}[/]",
        highlight=False,
    )
    console.print(
        tr("It must be changed at first sign-in.", "初回サインイン時に変更が必要です。"),
        style="dim",
    )


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Lower-case letters, digits, . _ @ -.")],
    role: Annotated[str, typer.Option(help="admin, audit_manager, auditor, reviewer, "
                                      "control_owner, viewer or external_reviewer.")],
    unit: Annotated[str | None, typer.Option(help="Unit (department); required for control_owner.")] = None,
    expires: Annotated[str | None, typer.Option(help="YYYY-MM-DD; required for external_reviewer.")] = None,
    email: Annotated[str | None, typer.Option(help="Where notifications reach them.")] = None,
    language: Annotated[str | None, typer.Option(help="en or ja: notifications and pages.")] = None,
) -> None:  # fmt: skip
    """Add a user and print a one-time password."""
    from kansa.appdb import Database
    from kansa.web.accounts import add_user
    from kansa.web.contacts import check_contact, set_contact

    ws = workspace(ctx)
    contact = {"email": email, "language": language}
    check_contact(**contact)  # refused before the account is made
    with Database(ws.database_url) as db:
        password = add_user(db, username, role, unit=unit, expires=_expiry(expires))
        if email is not None or language is not None:
            set_contact(db, username, **contact, entry=_entry(ws, "user_contact_set", username))
    _one_time(username, password)


def _entry(ws: Workspace, action: str, username: str) -> Entry:
    from kansa.vault import Vault
    from kansa.vault.actor import current_actor
    from kansa.web.trail import Entry

    return Entry(Vault(ws.vault_dir), current_actor(), action, {"user": username, "via": "cli"})


@users_app.command("set")
def users_set(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user.")],
    email: Annotated[str | None, typer.Option(help="E-mail address ('' clears it).")] = None,
    language: Annotated[str | None, typer.Option(help="en or ja ('' clears it).")] = None,
    webhook: Annotated[str | None, typer.Option(help="Webhook URL ('' clears it).")] = None,
) -> None:  # fmt: skip
    """Set where notifications reach a user, and their language (a ledger entry)."""
    from kansa.appdb import Database
    from kansa.web.contacts import set_contact

    ws = workspace(ctx)
    with Database(ws.database_url) as db:
        user = set_contact(db, username, email=email, language=language, webhook=webhook,
                           entry=_entry(ws, "user_contact_set", username))  # fmt: skip
    console.print(
        tr(f"{user.username}: email {user.email or '-'}, language {user.language or '-'}, "
           f"webhook {user.webhook or '-'}.",
           f"{user.username}: メール {user.email or '-'}、言語 {user.language or '-'}、"
           f"Webhook {user.webhook or '-'}。"),
        highlight=False,
    )  # fmt: skip


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """Users, their roles, units, second factor and expiry."""
    from kansa.appdb import Database
    from kansa.web.accounts import list_users

    ws = workspace(ctx)
    with Database(ws.database_url) as db:
        rows = list_users(db)
    table = Table(title=tr("Users", "ユーザー"), title_justify="left")
    for col in (tr("user", "ユーザー"), tr("role", "ロール"), tr("unit", "部署")):
        table.add_column(col, no_wrap=True)  # names a script may look for, kept whole
    for col in (tr("email", "メール"), tr("language", "言語"), "TOTP", tr("expires", "有効期限"),
                tr("locked until", "ロック期限")):  # fmt: skip
        table.add_column(col, overflow="fold")
    for u in rows:
        table.add_row(
            u.username, u.role, u.unit.name if u.unit else "", u.email or "", u.language or "",
            "yes" if u.totp_enabled else "no",
            str(u.expires_at.date()) if u.expires_at else "",
            str(u.locked_until) if u.locked_until else "",
        )  # fmt: skip
    console.print(table)


@users_app.command("reset-password")
def users_reset_password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user.")],
    reset_totp: Annotated[bool, typer.Option("--reset-totp", help="Also make them enrol "
                                             "their authenticator again (lost phone).")] = False,
) -> None:  # fmt: skip
    """A new one-time password (unlocks the account; ends its sessions)."""
    from sqlalchemy import select

    from kansa.appdb import Database, User
    from kansa.web import sessions
    from kansa.web.accounts import reset_password

    ws = workspace(ctx)
    with Database(ws.database_url) as db:
        password = reset_password(db, username, reset_totp=reset_totp)
        with db.session() as s:
            uid = s.scalars(select(User.id).where(User.username == username)).one()
        sessions.destroy_all(db, uid)
    _one_time(username, password)


@users_app.command("rotate-key")
def users_rotate_key(
    ctx: typer.Context,
    new_key_file: Annotated[Path | None, typer.Option(help="Where to write the new key when the "
                            "current one comes from $KANSA_WEB_KEY (a new file, mode 0600).")] = None,
) -> None:  # fmt: skip
    """Re-seal every TOTP secret under a new web key (all or nothing, on the ledger)."""
    from kansa.appdb import Database
    from kansa.vault.actor import current_actor
    from kansa.web.key_rotation import rotate

    ws = workspace(ctx)
    with Database(ws.database_url) as db:
        done = rotate(ws, db, current_actor(), new_key_file)
    console.print(tr(f"Re-sealed {done.resealed} TOTP secret(s); the new key is in {done.key_file}.",
                     f"TOTP シークレット {done.resealed} 件を再暗号化しました。新しい鍵: {done.key_file}"))  # fmt: skip
    if done.from_env:
        console.print(tr("Put it in $KANSA_WEB_KEY, then delete the file.",
                         "この鍵を $KANSA_WEB_KEY に設定し、ファイルを削除してください。"))  # fmt: skip
    console.print(tr("Restart `kansa serve`: a running server still holds the old key.",
                     "`kansa serve` を再起動してください（起動中のサーバーは古い鍵を保持しています）。"),
                  style="dim")  # fmt: skip


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8080,
    tls_cert: Annotated[Path | None, typer.Option(help="TLS certificate (PEM), to serve HTTPS.")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="Server processes "
                       "(default: one per core, at most 4).")] = None,
    public_origin: Annotated[str | None, typer.Option(help="The origin browsers use when a TLS proxy "
                             "stands in front (https://audit.example.com): security keys are bound to it.")] = None,
) -> None:  # fmt: skip
    """Serve the audit team's web app over this workspace (see docs/web.md)."""
    import uvicorn

    from kansa.appdb import Database
    from kansa.web import create_app
    from kansa.web import workers as web_workers
    from kansa.web.serving import uvicorn_options

    ws = workspace(ctx)
    if (tls_cert is None) != (tls_key is None):
        raise typer.BadParameter(tr("give both --tls-cert and --tls-key.",
                                    "--tls-cert と --tls-key を両方指定してください。"))  # fmt: skip
    if tls_cert is None and not _loopback(host):
        raise KansaError(
            tr(f"Refusing to serve {host} over plain HTTP: passwords and session cookies would "
               "cross the network in clear (and browsers drop Secure cookies on HTTP).",
               f"{host} で平文 HTTP は提供しません（パスワードとセッションが平文で流れます）。"),
            hint=tr("Use --tls-cert/--tls-key, or keep --host 127.0.0.1 behind a TLS proxy.",
                    "--tls-cert/--tls-key を使うか、TLS プロキシの背後で --host 127.0.0.1 にしてください。"),
        )  # fmt: skip
    if not ws.vault_dir.is_dir():
        raise KansaError(
            tr(f"No vault at {ws.vault_dir}.", f"{ws.vault_dir} に証跡保管庫がありません。"),
            hint=tr(
                "Create a workspace first: `kansa init`.", "先に `kansa init` を実行してください。"
            ),
        )
    from kansa.web import secret_box
    from kansa.web.settings import WebSettings

    origin = _origin(public_origin)
    with Database(ws.database_url) as db:  # migrated once, before any worker opens it
        secret_box.prepare(db, secret_box.load_box(ws.root))  # a wrong key: one message here
    count = web_workers.default_count() if workers is None else workers
    url = f"{'https' if tls_cert else 'http'}://{host}:{port}/"
    console.print(tr(f"Serving {ws.root} on {url} with {count} process(es) (Ctrl-C stops)",
                     f"{ws.root} を {url} で提供中（{count} プロセス、Ctrl-C で停止）"))  # fmt: skip
    options = uvicorn_options(host, port, tls_cert, tls_key)
    if count == 1:
        uvicorn.run(create_app(ws, WebSettings(public_origin=origin)), **options)
        return
    web_workers.hand_over(ws, count, origin)
    uvicorn.run(web_workers.FACTORY, factory=True, workers=count, **options)


def _origin(text: str | None) -> str | None:
    """``scheme://host[:port]`` and nothing else (WebAuthn compares origins exactly)."""
    if text is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(text.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path not in ("", "/"):
        raise typer.BadParameter(tr(f"{text!r} is not an origin like https://audit.example.com.",
                                    f"{text!r} は https://audit.example.com のようなオリジンではありません。"))  # fmt: skip
    return f"{parts.scheme}://{parts.netloc}"


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
