"""Benchmark: kernel-side cost of one widget update, and the bytes of the frame it sends.

    python benchmarks/bench_widgets.py                   # every widget of notebooks 00-05
    python benchmarks/bench_widgets.py --only kernel --profile 15
    python benchmarks/bench_widgets.py --mode fresh      # every step drawn (a first visit, a drag)

Each widget is built on ipympl's canvas as in a notebook (``%matplotlib widget``), with the
browser's side simulated: the canvas is "initialized", and a full draw the kernel asks the
browser for is answered at once. A step sets one control to its next value, as a key press
on a slider or a choice in a dropdown does; its time is the whole kernel-side work (compute,
artists, draw or blit, PNG encoding), its bytes the PNG frames it sends. Median and 90th
percentile over many steps; the load average is printed, since the machine may be shared.
``--profile N`` prints cProfile's N most expensive functions per widget. Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
from typing import NamedTuple

import numpy as np


class Bench(NamedTuple):
    """One widget to time: how to build it, and which controls to step (attribute names)."""

    name: str
    make: object  # () -> FigureWidget
    controls: tuple[str, ...]


def _benches() -> list[Bench]:
    from helpers.figures.convolution import SlidingConvolution
    from helpers.figures.kernel_explorer import KernelFilterExplorer
    from helpers.figures.motivation import (
        ReceptiveFieldExplorer,
        ShiftEquivarianceExplorer,
    )
    from helpers.figures.normalization import IlluminationExplorer
    from helpers.figures.pooling import PoolingExplorer

    return [
        Bench("00 kernel explorer", lambda: KernelFilterExplorer(preset="sobel x"), ("preset",)),
        Bench("01 receptive field", lambda: ReceptiveFieldExplorer(n_layers=2, kernel_size=3),
              ("layers", "kernel", "stride", "dilation", "padding", "row", "col")),
        Bench("01 shift explorer", lambda: ShiftEquivarianceExplorer(kernel="sobel x"),
              ("dy", "dx", "stride", "kernel", "padding_mode")),
        Bench("02 sliding conv", lambda: SlidingConvolution("continuous"), ("t",)),
        Bench("02 sliding discrete", lambda: SlidingConvolution("discrete"), ("t",)),
        Bench("02 kernel explorer", lambda: KernelFilterExplorer(preset="gaussian"), ("preset",)),
        Bench("04 pooling", lambda: PoolingExplorer(kind="max", kernel_size=3, stride=2, padding=1),
              ("kernel", "stride", "padding", "row", "col")),
        Bench("05 illumination", lambda: IlluminationExplorer(), ("gain", "gradient")),
    ]


class Browser:
    """The browser's side of an ipympl canvas: records the frames; answers a request to draw at once."""

    def __init__(self, canvas):
        self.canvas, self.frames, self._draw_asked = canvas, [], False
        canvas.send = self._receive
        canvas.syncing_data_url = False  # what the browser's "initialized" message does
        for kind in ("initialized", "refresh"):
            canvas._handle_message(canvas, {"type": kind}, [])
        self.settle()

    def _receive(self, content, buffers=None) -> None:
        data = json.loads(content.get("data", "{}"))
        if data.get("type") == "draw":
            self._draw_asked = True
        for b in buffers or ():
            self.frames.append(len(b))

    def settle(self) -> None:
        """Answer a pending request to draw (the browser sends "draw" back)."""
        while self._draw_asked:
            self._draw_asked = False
            self.canvas._handle_message(self.canvas, {"type": "draw"}, [])


def _next_values(control, n: int) -> list:
    """``n`` values as key presses give them: one step at a time to the end, then back (dropdowns cycle)."""
    if hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        options = [o for o in options if o != "custom"]
        start = options.index(control.value) if control.value in options else 0
        return [options[(start + 1 + i) % len(options)] for i in range(n)]
    values, v, step, direction = [], control.value, control.step, 1
    for _ in range(n):
        if not control.min <= v + direction * step <= control.max:
            direction = -direction
        v = round(v + direction * step, 10)
        values.append(v)
    return values


#: What the kernel does between two steps. "fresh": nothing kept, every step draws. "kept": frames are
#: kept (a value seen before costs a copy). "ahead": kept, and the neighbours of each step are drawn
#: before the next step (what an idle kernel does between two key presses; untimed).
MODES = ("fresh", "kept", "ahead")


def time_widget(bench: Bench, steps: int, profile: int = 0, mode: str = "ahead") -> list[dict]:
    """Per control: median and p90 ms of one step, median bytes per frame, frames per step."""
    import matplotlib.pyplot as plt

    rows = []
    profiler = cProfile.Profile() if profile else None
    for name in bench.controls:
        widget = bench.make()  # each control from the notebook's starting state
        if mode == "fresh" and hasattr(widget, "FRAMES"):
            widget.FRAMES = 0
        browser = Browser(widget.fig.canvas)
        control = getattr(widget, name)
        if getattr(control, "disabled", False) or getattr(control, "min", 0) == getattr(control, "max", 1):
            continue
        ms, frames = [], []
        for value in _next_values(control, steps + 3):
            before = len(browser.frames)
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            control.value = value
            browser.settle()
            if profiler:
                profiler.disable()
            ms.append(1e3 * (time.perf_counter() - t0))
            frames.append(browser.frames[before:])
            if mode == "ahead" and hasattr(widget, "draw_ahead"):
                for state in widget._neighbours(widget.state()):
                    widget.draw_ahead(state)
        ms, frames = ms[3:], frames[3:]  # the first steps fill caches
        sizes = [b for f in frames for b in f]
        rows.append({"widget": bench.name, "control": name, "median ms": float(np.median(ms)),
                     "p90 ms": float(np.percentile(ms, 90)), "kB/frame": float(np.median(sizes)) / 1e3 if sizes else 0.0,
                     "frames/step": len(sizes) / len(frames)})
        plt.close(widget.fig)
    if profiler:
        print(f"--- {bench.name}: cProfile of {steps} steps per control")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="widgets whose name contains one of these")
    parser.add_argument("--steps", type=int, default=40, help="timed steps per control (default 40)")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's N top functions per widget")
    parser.add_argument("--mode", choices=MODES, default="ahead", help="what the kernel does between steps")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("module://ipympl.backend_nbagg")  # the notebooks' backend (%matplotlib widget)
    from helpers.session import font_style, plot_style, torch_threads

    matplotlib.rcParams.update(plot_style(False))
    matplotlib.rcParams.update(font_style())
    load_before = os.getloadavg()
    rows = []
    with torch_threads(1):  # as the widgets' handlers run
        for bench in _benches():
            if args.only and not any(o in bench.name for o in args.only):
                continue
            rows += time_widget(bench, args.steps, args.profile, args.mode)
    print(f"mode: {args.mode}")
    print(f"{'widget':22} {'control':14} {'median ms':>10} {'p90 ms':>8} {'kB/frame':>9} {'frames/step':>12}")
    for r in rows:
        print(f"{r['widget']:22} {r['control']:14} {r['median ms']:10.1f} {r['p90 ms']:8.1f} {r['kB/frame']:9.1f} "
              f"{r['frames/step']:12.2f}")
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"mode": args.mode, "load_before": load_before, "load_after": load_after, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
