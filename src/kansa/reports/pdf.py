"""Print the HTML report to PDF with headless Chromium.

Chromium lays out the same HTML a reader opens in a browser (print CSS in the template: A4,
a page per section, table headers repeated), so the PDF and HTML never disagree. It runs with a
throw-away profile and every background network feature off; the HTML has no external assets.
Japanese glyphs come from the system fonts (Debian ``fonts-noto-cjk``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kansa.errors import KansaError
from kansa.i18n import tr

DEFAULT_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_S = 180

# Headless printing without a sandbox user, GPU, first-run UI or any background traffic.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def chromium_path(explicit: str | None = None) -> str:
    """The Chromium executable: the argument, else ``KANSA_CHROMIUM``, else the Debian path."""
    candidate = explicit or os.environ.get("KANSA_CHROMIUM") or DEFAULT_CHROMIUM
    found = shutil.which(candidate)
    if found is None:
        raise KansaError(
            tr(
                f"PDF reports need headless Chromium, not found at {candidate}",
                f"PDF 報告書にはヘッドレス Chromium が必要ですが、{candidate} にありません",
            ),
            hint=tr(
                "install it (Debian: apt-get install chromium fonts-noto-cjk, or "
                "scripts/system-deps.sh), or set KANSA_CHROMIUM to its path; "
                "--format html or xlsx need no browser",
                "インストールしてください（Debian: apt-get install chromium fonts-noto-cjk、"
                "または scripts/system-deps.sh）。別の場所なら KANSA_CHROMIUM で指定します。"
                "--format html / xlsx はブラウザ不要です",
            ),
        )
    return found


def html_to_pdf(html: str, chromium: str | None = None) -> bytes:
    """The PDF bytes of ``html``, printed by Chromium from a private temporary folder."""
    exe = chromium_path(chromium)
    with tempfile.TemporaryDirectory(prefix="kansa-pdf-") as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(html, encoding="utf-8")
        cmd = [
            exe,
            *FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise KansaError(
                tr(
                    f"Chromium did not finish within {TIMEOUT_S} s",
                    "Chromium が時間内に終了しません",
                )
            ) from exc
        if not out.is_file() or not out.read_bytes().startswith(b"%PDF"):
            tail = "\n".join(proc.stderr.strip().splitlines()[-3:])
            raise KansaError(
                tr("Chromium did not produce a PDF", "Chromium が PDF を出力しませんでした"),
                hint=f"exit {proc.returncode}: {tail}",
            )
        return out.read_bytes()
