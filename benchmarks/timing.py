"""Shared timing helpers of the benchmark scripts (run them as ``python benchmarks/bench_x.py``).

The timing loop itself is :func:`helpers.checks.time_calls`, the one the notebooks use too.
:func:`update_times` returns every sample (a script can pool them across settings),
:func:`summary` reduces samples to the median and 90th percentile, and :func:`time_updates` is both.
"""

from __future__ import annotations

import itertools

import numpy as np

from helpers.checks import time_calls


def update_times(step, n: int = 60, warmup: int = 5) -> np.ndarray:
    """Call ``step(i)`` for i = 0, 1, ...: ``warmup`` untimed calls (they fill caches), then ``n - warmup``
    timed ones; every timed call's ms."""
    counter = itertools.count()
    return 1e3 * time_calls(lambda: step(next(counter)), repeat=n - warmup, warmup=warmup)


def summary(ms) -> tuple[float, float]:
    """Median and 90th percentile of samples ``ms``."""
    return float(np.median(ms)), float(np.percentile(ms, 90))


def time_updates(step, n: int = 60, warmup: int = 5) -> tuple[float, float]:
    """Median and 90th percentile in ms of :func:`update_times`."""
    return summary(update_times(step, n, warmup))
