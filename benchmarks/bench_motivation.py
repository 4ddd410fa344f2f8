"""Benchmark: kernel-side cost of one update of notebook 01's widgets (what a drag or a click costs).

    python benchmarks/bench_motivation.py

Drives the controls as a user would, with matplotlib's Agg backend, which draws
at once (ipympl then only ships the image to the browser). Reports the median
and 90th percentile over many updates. Not a test.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

from timing import time_updates  # benchmarks/timing.py

from helpers.figures.motivation import (
    KERNEL_SIZES,
    ReceptiveFieldExplorer,
    ShiftEquivarianceExplorer,
    receptive_field_view,
    shift_view,
)
from helpers.filters import PRESETS


def main() -> None:
    rf = ReceptiveFieldExplorer()
    rf.fig.canvas.draw()
    stacks = list(itertools.product(range(1, 5), KERNEL_SIZES, (1, 2)))
    units = list(itertools.product(range(0, 28, 3), range(0, 28, 5)))

    def rf_compute(i):
        n_layers, k, s = stacks[i % len(stacks)]
        receptive_field_view(32, n_layers, k, s, 1, "valid", units[i % len(units)])

    def rf_kernel(i):  # a kernel-size change: new stack, new output map
        rf.kernel.value = KERNEL_SIZES[i % len(KERNEL_SIZES)]

    def rf_unit(i):  # dragging the row slider / clicking a unit
        rf.layers.value, rf.kernel.value, rf.stride.value = 2, 3, 1
        rf.row.value = i % (rf.row.max + 1)

    sh = ShiftEquivarianceExplorer()
    sh.fig.canvas.draw()
    names = list(PRESETS)

    def sh_compute(i):
        shift_view(sh.image, names[i % len(names)], i % 9 - 4, 2)

    def sh_drag(i):  # dragging the dy slider
        sh.dy.value = i % 17 - 8

    rows = [("receptive field: the computation (closed form + autograd)", rf_compute),
            ("receptive field: kernel size changed, incl. draw", rf_kernel),
            ("receptive field: output unit moved, incl. draw", rf_unit),
            ("shift equivariance: the computation", sh_compute),
            ("shift equivariance: dy dragged, incl. draw", sh_drag)]
    print(f"{'notebook 01 widgets, one update':58} {'median ms':>10} {'p90 ms':>8}")
    for label, step in rows:
        med, p90 = time_updates(step)
        print(f"{label:58} {med:10.2f} {p90:8.2f}")


if __name__ == "__main__":
    main()
