"""Statistical sampling: sample sizes, reproducible selection, evaluation of results."""
