"""Shared timing helper of the benchmark scripts (run them as ``python benchmarks/bench_x.py``)."""

from __future__ import annotations

import time

import numpy as np


def time_updates(step, n: int = 60, warmup: int = 5) -> tuple[float, float]:
    """Call ``step(i)`` for i in range(n); median and 90th percentile in ms, without the warm-up calls."""
    times = []
    for i in range(n):
        t = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t)
    ms = 1e3 * np.array(times[warmup:])  # the first calls fill caches
    return float(np.median(ms)), float(np.percentile(ms, 90))
