"""A control's parameter values for one run: defaults < workspace ``kansa.toml`` < run overrides.

Every value is checked against the parameter's declared type, and a name the control does not
declare is an error (a typo in a threshold must never silently fall back to the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kansa.controls import Control, Parameter
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.spelling import did_you_mean

Overrides = Mapping[str, Mapping[str, Any]]


class ParameterError(KansaError):
    pass


def _from_text(p: Parameter, text: str) -> Any:
    """Read a command-line value (always text) as the parameter's type."""
    if p.type == "string":
        return text
    if p.type == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise ValueError("expected true or false")
    if p.type == "integer":
        return int(text)
    return float(text) if any(c in text for c in ".eE") else int(text)


def coerce(control_id: str, p: Parameter, value: Any) -> Any:
    """Check ``value`` fits ``p`` (text from the command line is converted first)."""
    try:
        if isinstance(value, str) and p.type != "string":
            value = _from_text(p, value)
        ok = {
            "string": isinstance(value, str),
            "boolean": isinstance(value, bool),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
        }[p.type]
        if not ok:
            raise ValueError(f"expected a {p.type}")
    except ValueError as exc:
        raise ParameterError(
            tr(
                f"{control_id}.{p.name} = {value!r}: {exc}",
                f"{control_id}.{p.name} = {value!r}: 型が合いません（{p.type}）",
            )
        ) from exc
    return value


def _check_names(control: Control, values: Mapping[str, Any], source: str) -> None:
    unknown = sorted(set(values) - set(control.parameters))
    if unknown:
        known = ", ".join(sorted(control.parameters)) or tr("none", "なし")
        raise ParameterError(
            tr(
                f"{source}: {control.id} has no parameter {', '.join(unknown)}.",
                f"{source}: {control.id} にパラメータ {', '.join(unknown)} はありません。",
            ),
            hint=tr(f"Parameters of {control.id}: {known}", f"{control.id} のパラメータ: {known}"),
        )


def resolve(
    control: Control, workspace: Mapping[str, Any] | None, run: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Defaults, then the workspace's values, then this run's; each checked."""
    values = {name: p.default for name, p in control.parameters.items()}
    for source, layer in (("kansa.toml", workspace or {}), ("--param", run or {})):
        _check_names(control, layer, source)
        for name, value in layer.items():
            values[name] = coerce(control.id, control.parameters[name], value)
    return values


def check_control_ids(overrides: Overrides, known: Mapping[str, Control], source: str) -> None:
    """Overrides naming a control that does not exist are a typo: say so."""
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ParameterError(
            tr(
                f"{source}: no control {', '.join(unknown)} in the catalog.",
                f"{source}: カタログに {', '.join(unknown)} はありません。",
            ),
            hint=" ".join(did_you_mean(u, known) or "" for u in unknown).strip() or None,
        )


def parse_assignment(text: str) -> tuple[str, str, str]:
    """``ID.name=value`` (from ``--param``) -> (control id, parameter name, raw value)."""
    target, sep, value = text.partition("=")
    control_id, dot, name = target.strip().rpartition(".")
    if not sep or not dot or not control_id or not name:
        raise ParameterError(
            tr(
                f"--param {text!r}: expected CONTROL_ID.name=value",
                f"--param {text!r}: CONTROL_ID.name=value の形式で指定してください",
            ),
            hint="--param CUS-001.min_cold_share=0.97",
        )
    return control_id, name.strip(), value.strip()


def parse_assignments(items: list[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for item in items:
        cid, name, value = parse_assignment(item)
        out.setdefault(cid, {})[name] = value
    return out
