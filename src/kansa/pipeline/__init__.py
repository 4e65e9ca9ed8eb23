"""The daily pipeline (``kansa daily``): drop folder -> ingest -> run -> report -> verify.

It holds no audit logic of its own: each step calls the public function the matching command
calls (:func:`kansa.ingest.ingest_file`, :func:`kansa.engine.run_controls` with
:func:`kansa.findings.apply_run`, :func:`kansa.reports.write_report`,
:func:`kansa.vault.verify_vault`), so it follows whatever those do.
"""

from kansa.pipeline.config import PipelineConfig, pipeline_config
from kansa.pipeline.daily import DailyResult, run_daily
from kansa.pipeline.drop import DropFile, file_away, pending_files

__all__ = [
    "DailyResult",
    "DropFile",
    "PipelineConfig",
    "file_away",
    "pending_files",
    "pipeline_config",
    "run_daily",
]
