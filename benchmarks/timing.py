"""Shared timing helper of the benchmark scripts (run them as ``python benchmarks/bench_x.py``).

The timing loop itself is :func:`helpers.checks.time_calls`, the one the notebooks use too.
"""

from __future__ import annotations

import itertools

import numpy as np

from helpers.checks import time_calls


def time_updates(step, n: int = 60, warmup: int = 5) -> tuple[float, float]:
    """Call ``step(i)`` for i = 0, 1, ...: ``warmup`` untimed calls (they fill caches), then ``n - warmup``
    timed ones; median and 90th percentile in ms."""
    counter = itertools.count()
    ms = 1e3 * time_calls(lambda: step(next(counter)), repeat=n - warmup, warmup=warmup)
    return float(np.median(ms)), float(np.percentile(ms, 90))
