"""Audit analytics: sampling, Benford, duplicates, gaps, stratification, ageing, outliers.

One module per analysis; each runs as SQL over a vault snapshot (``population.open_population``)
and returns an :class:`~kansa.analytics.result.Analysis`, which
:func:`~kansa.analytics.workpaper.file_workpaper` commits to the vault as a workpaper (JSON +
XLSX, one ledger entry). Formulas and their sources: docs/analytics.md.
"""

from kansa.analytics.population import Population, open_population
from kansa.analytics.result import Analysis, Table
from kansa.analytics.workpaper import Filed, export, file_workpaper

__all__ = [
    "Analysis",
    "Filed",
    "Population",
    "Table",
    "export",
    "file_workpaper",
    "open_population",
]
