"""Ingest: a user's export (CSV, Parquet, JSON Lines) -> a validated, immutable vault snapshot.

Public surface:

* :func:`ingest_file` - ``ingest_file(workspace, dataset, path, *, encoding=None, fmt=None,
  delimiter=None, progress=True) -> Snapshot``; all-or-nothing.
* :class:`InvalidData` - raised when the file breaks its contract (``.problems``, ``.total``,
  ``.to_json()``; exit code 1). :class:`Problem` is one entry of it.
"""

from kansa.ingest.pipeline import ingest_file
from kansa.ingest.problems import MAX_REPORTED, InvalidData, Problem

__all__ = ["MAX_REPORTED", "InvalidData", "Problem", "ingest_file"]
