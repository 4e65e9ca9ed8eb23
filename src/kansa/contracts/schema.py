"""Export a contract as JSON Schema (draft 2020-12), one object per row."""

from __future__ import annotations

from typing import Any

from kansa.contracts.model import Column, Contract

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    # amounts exceed 64 bits (wei): carried as decimal strings, as in the vault's exports
    "amount": {"type": "string", "pattern": "^[0-9]{1,38}$"},
    "signed_amount": {"type": "string", "pattern": "^-?[0-9]{1,38}$"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "string", "format": "date-time"},
}


def _column_schema(c: Column) -> dict[str, Any]:
    s: dict[str, Any] = dict(_JSON_TYPES[c.type])
    s["description"] = c.description.en
    s["x-description-ja"] = c.description.ja
    if c.unit:
        s["x-unit"] = c.unit
    if c.allowed:
        s["enum"] = list(c.allowed)
    if c.pattern and c.type == "string":
        s["pattern"] = c.pattern
    if c.minimum is not None:
        s["minimum"] = c.minimum
    if c.maximum is not None:
        s["maximum"] = c.maximum
    if c.nullable:
        s = {"anyOf": [s, {"type": "null"}]}
    return s


def to_json_schema(contract: Contract) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:kansa:contract:{contract.name}:{contract.version_id}",
        "title": contract.title.en,
        "description": contract.description.en,
        "x-title-ja": contract.title.ja,
        "type": "object",
        "properties": {c.name: _column_schema(c) for c in contract.columns},
        "required": [c.name for c in contract.columns if not c.optional],
        "additionalProperties": False,
        "x-primary-key": list(contract.primary_key),
    }
