"""Kansa (監査): continuous internal audit for crypto-asset exchanges.

Data flows one way: sources -> ingest -> vault -> engine -> controls / analytics /
reserves -> findings -> reports. Each stage is a subpackage with a small public surface.
"""

__version__ = "0.1.0"
