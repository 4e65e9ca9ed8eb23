"""The demo exchange: a realistic Japanese crypto-asset exchange with seeded control failures.

Public surface: :class:`DemoParams`, :func:`generate` (files + ``ground_truth.json``),
:class:`DemoResult`, :func:`ingest_demo` (every file into a workspace's vault).
"""

from kansa.demo.generate import DemoResult, generate
from kansa.demo.ingest_step import ingest_demo
from kansa.demo.params import DemoParams

__all__ = ["DemoParams", "DemoResult", "generate", "ingest_demo"]
