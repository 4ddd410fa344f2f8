"""Benchmark: kernel-side cost of one widget update (what a drag or a click costs).

    python benchmarks/bench_widgets.py

Times the update path of each widget with matplotlib's Agg backend, drawing
the figure each time (ipympl then only ships the image to the browser).
Reports median and 90th percentile over many updates. Not a test.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from timing import time_updates  # benchmarks/timing.py

from helpers.figures.kernel_explorer import KernelFilterExplorer
from helpers.filters import PRESETS, filter_image, kernel_preset


def main() -> None:
    ex = KernelFilterExplorer()
    names = list(PRESETS)

    def compute_only(i):
        filter_image(ex.image, kernel_preset(names[i % len(names)]))

    def full_update(i):  # dropdown change -> boxes -> compute -> artists -> draw (Agg draws at once)
        ex.preset.value = names[i % len(names)]

    print(f"{'kernel explorer (300x256 photo), one update':48} {'median ms':>10} {'p90 ms':>8}")
    for label, step in (("filter_image (the computation)", compute_only),
                        ("whole update incl. figure draw", full_update)):
        med, p90 = time_updates(step)
        print(f"{label:48} {med:10.2f} {p90:8.2f}")


if __name__ == "__main__":
    main()
