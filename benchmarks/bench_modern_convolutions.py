"""Benchmark: kernel-side cost of one update of notebook 07's widgets (what a drag or a key press costs).

    python benchmarks/bench_modern_convolutions.py

Drives the controls as a user would, with matplotlib's Agg backend, which draws at once
(ipympl then only ships the image to the browser). The ERF explorer measures live the first
time a setting is seen and then keeps the result, so both cases are timed. One torch thread,
as in the notebook. Reports the median and 90th percentile over many updates. Not a test.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import torch
from timing import time_updates  # benchmarks/timing.py

from helpers.figures.modern_convolutions import (
    ERF_KERNELS,
    MAX_ERF_FIELD,
    PRESETS,
    DilatedStackExplorer,
    ErfExplorer,
    _measured,
    dilated_stack_view,
)


def main() -> None:
    torch.set_num_threads(1)
    dil = DilatedStackExplorer()
    dil.fig.canvas.draw()
    names = list(PRESETS)
    typed = [("3, 3, 3", "1, 2, 5"), ("3, 3, 3", "2, 2, 2"), ("5, 3", "1, 4"), ("3, 3, 3, 3, 3", "1, 2, 4, 8, 16")]

    def dil_compute(i):
        ks, ds = typed[i % len(typed)]
        dilated_stack_view(ks, ds)

    def dil_preset(i):
        dil.preset.value = names[i % len(names)]

    def dil_typed(i):
        dil.dilations.value = typed[i % len(typed)][1] if i % 2 else "1, 2, 3"

    erf = ErfExplorer(depth=1)
    erf.fig.canvas.draw()
    settings = [(n, k, d) for n, k, d in itertools.product(range(1, 11), ERF_KERNELS, (1, 2, 3))
                if 1 + n * d * (k - 1) <= MAX_ERF_FIELD]

    def erf_first(i):  # a setting never seen: measure, then draw
        _measured.cache_clear()
        erf.depth.value, erf.kernel.value, erf.dilation.value = settings[i % len(settings)]

    def erf_depth(i):  # dragging the depth slider over settings already measured
        erf.kernel.value, erf.dilation.value = 3, 1
        erf.depth.value = 1 + i % 10

    rows = [("dilated stack: the computation", dil_compute),
            ("dilated stack: preset changed, incl. draw", dil_preset),
            ("dilated stack: dilations typed, incl. draw", dil_typed),
            ("ERF: new setting, measured live, incl. draw", erf_first),
            ("ERF: depth dragged (measured before), incl. draw", erf_depth)]
    print(f"{'notebook 07 widgets, one update':52} {'median ms':>10} {'p90 ms':>8}")
    for label, step in rows:
        med, p90 = time_updates(step, n=len(settings) + 5 if step is erf_first else 60)
        print(f"{label:52} {med:10.2f} {p90:8.2f}")
    worst = []
    for s in settings:
        _measured.cache_clear()
        worst.append((time_updates(lambda i: (_measured.cache_clear(), _measured(*s)), n=3, warmup=0)[0], s))
    print("slowest live measurements (ms, (depth, kernel, dilation)):",
          ", ".join(f"{t:.0f} {s}" for t, s in sorted(worst)[-3:]))


if __name__ == "__main__":
    main()
