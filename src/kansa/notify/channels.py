"""Sending one message: e-mail through the SMTP relay, or a JSON POST to a webhook.

Both raise :class:`DeliveryError` with a short reason on any failure (refused, unreachable,
timed out, an HTTP status other than 2xx); the caller records it. Credentials come from the
environment (``smtp_user_env``...), are never logged, and never appear in a reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Any

from kansa.notify.config import NotifyConfig

TIMEOUT = 15  # seconds: a relay or a webhook that hangs is a failure, retried next time


class DeliveryError(Exception):
    """A message that did not go out (the reason is safe to record)."""


def send_email(cfg: NotifyConfig, to: str, subject: str, body: str) -> None:
    if not cfg.smtp_host:
        raise DeliveryError("no [notify] smtp_host configured")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg.sender, to, subject
    msg.set_content(body)  # UTF-8, so Japanese text travels as written
    try:
        with smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=TIMEOUT) as smtp:
            if cfg.starttls:
                smtp.starttls()
            user = cfg.secret(cfg.smtp_user_env)
            if user:
                smtp.login(user, cfg.secret(cfg.smtp_password_env))
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {cfg.smtp_host}:{cfg.smtp_port}: {type(exc).__name__}: "
                            f"{str(exc)[:200]}") from None  # fmt: skip


def send_webhook(cfg: NotifyConfig, url: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "kansa-notify"}
    secret = cfg.secret(cfg.webhook_secret_env)
    if secret:  # the receiver checks the body came from us (as GitHub's X-Hub-Signature-256)
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Kansa-Signature"] = f"sha256={digest}"
    request = urllib.request.Request(url, body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"webhook: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook answered HTTP {status}")
