"""Data contracts: one declarative YAML file per dataset (``definitions/NAME.yaml``).

Public surface: :class:`Contract`, :class:`Column`, :func:`load_contracts`,
:func:`get_contract`, :func:`to_json_schema`, :data:`COLUMN_TYPES`.
"""

from kansa.contracts.loader import get_contract, load_contracts
from kansa.contracts.model import COLUMN_TYPES, Column, Contract, Text
from kansa.contracts.schema import to_json_schema

__all__ = [
    "COLUMN_TYPES",
    "Column",
    "Contract",
    "Text",
    "get_contract",
    "load_contracts",
    "to_json_schema",
]
