"""YAML reading for contracts, controls and framework data.

PyYAML's pure-Python parser takes about a second for the whole catalog; its libyaml binding
(``CSafeLoader``, same safe subset) is an order of magnitude faster, so use it when present.
"""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str | bytes) -> Any:
    """Parse YAML with the safe loader (no arbitrary objects), libyaml-accelerated."""
    return yaml.load(text, Loader=_Loader)
