"""Benchmark: kernel-side cost of one update of the convolution explorer (notebook 03).

    python benchmarks/bench_explorer.py

Times what a drag or a click costs in the kernel: the widget's value changes,
the explorer recomputes (``helpers.figures.conv_explorer.explore``) and redraws the changed
artists (blitting on matplotlib's Agg canvas, which ipympl uses too; ipympl
then only ships the image to the browser). Reports median and 90th percentile
over many updates, per input and per kind of control. Not a test.
"""

from __future__ import annotations

import itertools
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np

from helpers.conv import PADDING_MODES
from helpers.figures.conv_explorer import (
    DILATIONS,
    INPUTS,
    PADDINGS,
    STRIDES,
    ConvExplorer,
    explore,
)


def time_updates(step, n: int) -> np.ndarray:
    times = []
    for i in range(n):
        t = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t)
    return 1e3 * np.array(times[3:])  # drop the first few (caches)


def main() -> None:
    ex = ConvExplorer("digit", "sobel x", padding=1)
    print(f"{'convolution explorer, one update':46} {'median ms':>10} {'p90 ms':>8}")
    sliders = []
    for name in INPUTS:
        ex.input.value = name
        settings = list(itertools.product(STRIDES, PADDINGS, DILATIONS))

        def compute_only(i, name=name):
            s, p, d = settings[i % len(settings)]
            explore(name, "sobel x", s, p, "zeros", d)

        def slider(i):  # stride, padding, dilation in turn: what dragging does
            widget = (ex.stride, ex.padding, ex.dilation)[i % 3]
            values = (STRIDES, PADDINGS, DILATIONS)[i % 3]
            widget.value = values[(i // 3) % len(values)]

        def step(i):
            if i == 0:  # a setting with an output in every input
                ex.stride.value, ex.padding.value, ex.dilation.value = 1, 1, 1
            ex.step.value = i % (ex.step.max + 1)

        def mode(i):
            ex.padding_mode.value = PADDING_MODES[i % len(PADDING_MODES)]

        for label, fn, n in (("explore() only", compute_only, 60), ("slider: stride/padding/dilation", slider, 90),
                             ("step slider", step, 60), ("padding-mode dropdown", mode, 40)):
            ms = time_updates(fn, n)
            if label.startswith(("slider", "step")):
                sliders.append(ms)
            print(f"{name + ': ' + label:46} {np.median(ms):10.2f} {np.percentile(ms, 90):8.2f}")
    names = list(("identity", "gaussian", "laplacian", "emboss"))
    ms = time_updates(lambda i: setattr(ex.kernel, "value", names[i % 4]), 20)
    print(f"{'kernel dropdown (full redraw)':46} {np.median(ms):10.2f} {np.percentile(ms, 90):8.2f}")
    every = np.concatenate(sliders)
    print(f"{'all slider updates together':46} {np.median(every):10.2f} {np.percentile(every, 90):8.2f}")


if __name__ == "__main__":
    main()
