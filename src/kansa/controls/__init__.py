"""The control library: one control = YAML metadata beside the SQL (or Python logic) that tests it.

Public surface: :class:`Control`, :class:`Parameter`, :func:`load_catalog`,
:func:`parse_control`, :func:`render_sql`, :data:`AREAS`, :data:`SEVERITIES`.
"""

from kansa.controls.loader import CATALOG_DIR, ControlError, load_catalog, parse_control
from kansa.controls.model import AREAS, FRAMEWORKS, SEVERITIES, Control, Parameter
from kansa.controls.render import render_sql

__all__ = [
    "AREAS",
    "CATALOG_DIR",
    "FRAMEWORKS",
    "SEVERITIES",
    "Control",
    "ControlError",
    "Parameter",
    "load_catalog",
    "parse_control",
    "render_sql",
]
