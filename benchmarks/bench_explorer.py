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

import matplotlib

matplotlib.use("Agg")

import numpy as np
from timing import summary, update_times  # benchmarks/timing.py

from helpers.conv import PADDING_MODES
from helpers.figures.conv_explorer import (
    DILATIONS,
    INPUTS,
    PADDINGS,
    STRIDES,
    ConvExplorer,
    explore,
)


def _row(label: str, ms) -> str:
    median, p90 = summary(ms)
    return f"{label:46} {median:10.2f} {p90:8.2f}"


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
            ms = update_times(fn, n, warmup=3)  # the first few fill caches
            if label.startswith(("slider", "step")):
                sliders.append(ms)
            print(_row(f"{name}: {label}", ms))
    names = list(("identity", "gaussian", "laplacian", "emboss"))
    ms = update_times(lambda i: setattr(ex.kernel, "value", names[i % 4]), 20, warmup=3)
    print(_row("kernel dropdown (full redraw)", ms))
    print(_row("all slider updates together", np.concatenate(sliders)))


if __name__ == "__main__":
    main()
