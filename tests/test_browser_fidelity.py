"""What the page shows equals a full redraw: the widgets that redraw in part, in a real browser.

The widgets redraw only what changed (helpers.figures.base.Blitter) and ipympl sends the frames to
the page. This test drives them as a student does, in JupyterLab and Debian's headless Chromium:
a pen stroke of many mouse moves on notebook 06's drawing pad, and a slider dragged across its
range on the convolution (03), pooling (04) and receptive-field (01) explorers. Then it reads the
pixels of the figure's canvas on the page and compares them with a full redraw of the same state,
made in the kernel (``savefig`` at the canvas's size and device pixel ratio, with nothing
animated: matplotlib's own picture, no blitting involved). A deliberately broken
blit (the background never restored) must fail the same comparison.

One small notebook that shows the four widgets, opened in the browser tests' shared JupyterLab
(tests/conftest.py). Skipped, with the reason, where Chromium is absent (see test_browser.py).
"""

import base64
import collections
import io
import json
import time
from pathlib import Path

import numpy as np
import pytest

from browser_support import CANVAS_JS, error_outputs, open_and_run_all, run_in_kernel, shut_down_kernel


# The notebook: each widget in its own cell, with a CSS class to find it on the page.
CELLS = [
    "import helpers\ndevice = helpers.setup_notebook()",
    """\
import base64, contextlib, io, json
import torch
from helpers.figures.lenet5 import DrawDigit
from helpers.figures.motivation import ReceptiveFieldExplorer
from helpers.figures.pooling import PoolingExplorer
from helpers.figures.stride_padding import ConvExplorer
from helpers.models.lenet import LeNet5, ModernLeNet

def full_redraw(widget):
    '''Matplotlib's own picture of the widget's figure, nothing animated (no blitting), at the canvas's
    size (the figure's dpi includes the page's device pixel ratio). Taken under the widget's lock, if it
    has one: the browser's messages, and drawings ahead, may draw on this figure from another thread.'''
    fig = widget.fig
    with getattr(widget, "_lock", None) or contextlib.nullcontext():
        animated = fig.findobj(lambda a: a.get_animated())
        for a in animated:
            a.set_animated(False)
        buf = io.BytesIO()
        fig.savefig(buf, format="rgba", dpi=fig.dpi)
        for a in animated:
            a.set_animated(True)
        w, h = fig.canvas.get_width_height(physical=True)
        state = getattr(widget, "state", None)  # the drawing pad has none
        state = "" if state is None else repr(state() if callable(state) else state)
    print(json.dumps([w, h, base64.b64encode(buf.getvalue()).decode(), state]))

torch.manual_seed(0)  # untrained networks: the pad's ink is what matters here""",
    """\
pad = DrawDigit({"LeNet-5": LeNet5().eval(), "modern": ModernLeNet().eval()})
pad.widget.add_class("fid-pad")
pad""",
    """\
conv = ConvExplorer(input_name="digit", preset="sobel x", stride=1, padding=1)
conv.widget.add_class("fid-conv"); conv.step.add_class("fid-slider")
conv""",
    """\
pool = PoolingExplorer(kind="max", kernel_size=3, stride=2, padding=1)
pool.widget.add_class("fid-pool"); pool.col.add_class("fid-slider")
pool""",
    """\
rf = ReceptiveFieldExplorer(n_layers=2, kernel_size=3)
rf.widget.add_class("fid-rf"); rf.col.add_class("fid-slider")
rf""",
]

# Pixels whose largest channel differs by more than this count as different ...
LEVEL = 64
# ... and at most this fraction of the canvas may differ (a few edge pixels where artists of the
# same zorder are drawn in another order).
TOLERANCE = 0.0005

SHOTS: list[Path] = []  # where the pictures go (the module's temporary folder)


@pytest.fixture(scope="module")
def page(lab, chromium, tmp_path_factory):
    """One page with the small notebook open and run (device pixel ratio 1), in the shared JupyterLab."""
    import nbformat

    url, token, root = lab
    SHOTS[:] = [tmp_path_factory.mktemp("fidelity")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, root / "notebooks" / "fidelity.ipynb")
    pg = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_and_run_all(pg, url, token, "fidelity.ipynb")
        assert error_outputs(pg) == []
        yield pg
        assert error_outputs(pg) == []
    finally:
        shut_down_kernel(pg)
        pg.close()


# ------------------------------------------------------------------ reading both pictures
def _shown(page, css: str) -> np.ndarray:
    """The RGB pixels of the widget's canvas on the page, at the canvas's own resolution."""
    from PIL import Image

    data = page.evaluate(CANVAS_JS, css)
    assert data is not None, f"the figure of .{css} has no canvas with pixels on the page"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data.split(",", 1)[1]))).convert("RGB"))


def _reference(page, var: str) -> tuple[np.ndarray, str]:
    """The full redraw, and the widget's state it shows (its ``state()``, where it has one)."""
    w, h, data, state = json.loads(run_in_kernel(page, f"full_redraw({var})"))
    return np.frombuffer(base64.b64decode(data), np.uint8).reshape(h, w, 4)[..., :3], state


class Difference(float):
    """A fraction of the canvas that differs, which says in an assertion's message where and in what state."""

    def __new__(cls, fraction: float, differs: np.ndarray, state: str):
        d = super().__new__(cls, fraction)
        rows, cols = np.flatnonzero(differs.any(axis=1)), np.flatnonzero(differs.any(axis=0))
        d.where = (f"rows {rows[0]}-{rows[-1]}, columns {cols[0]}-{cols[-1]} of {differs.shape}" if rows.size
                   else "none")
        d.state = state
        return d

    def __repr__(self):
        return f"{float(self):.4f} (differing pixels: {self.where}; the widget's state: {self.state or '?'})"


def _settle(page, css: str, quiet_s: float = 0.5, timeout_s: float = 30.0) -> None:
    """Wait until the kernel is idle and the canvas has not changed for ``quiet_s``.

    The figure is scrolled into view first, as a student looks at it: JupyterLab may leave cells far
    outside the view unpainted.
    """
    page.locator(f".{css} .jupyter-matplotlib-canvas-div").first.scroll_into_view_if_needed()
    last, since = None, time.monotonic()
    deadline = time.monotonic() + timeout_s
    seen = collections.Counter()  # why the wait went on: for the message
    while time.monotonic() < deadline:
        now = page.evaluate(CANVAS_JS, css)
        idle = page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status")
        if now is None or now != last or idle != "idle":
            seen["no pixels" if now is None else "kernel " + idle if idle != "idle" else "new pixels"] += 1
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        page.wait_for_timeout(100)
    size = page.evaluate(f"""() => {{ const c = document.querySelector('.{css} .jupyter-matplotlib-canvas-div canvas');
                                      return c ? [c.width, c.height, c.getBoundingClientRect().top] : null; }}""")
    raise AssertionError(f"the figure of .{css} kept changing for {timeout_s} s: {dict(seen)}; canvas "
                         f"[width, height, top on the page] {size}")


def _difference(page, css: str, var: str, name: str = "") -> Difference:
    """The fraction of the canvas where the page and a full redraw in the kernel differ.

    The three pictures (page, full redraw, difference in black) go to the module's temporary folder.
    """
    from PIL import Image

    _settle(page, css)
    shown, (reference, state) = _shown(page, css), _reference(page, var)
    # ipympl sizes the page's canvas by truncating the figure's size in pixels, and the image it
    # gets by rounding: the canvas may lack the image's last row or column. Compare what both have.
    assert abs(shown.shape[0] - reference.shape[0]) <= 1 and abs(shown.shape[1] - reference.shape[1]) <= 1, (
        shown.shape, reference.shape)
    h, w = min(shown.shape[0], reference.shape[0]), min(shown.shape[1], reference.shape[1])
    shown, reference = shown[:h, :w], reference[:h, :w]
    differs = np.abs(shown.astype(int) - reference).max(axis=2) > LEVEL
    name = name or css
    for picture, what in ((shown, "page"), (reference, "full_redraw"), (np.where(differs, 0, 255), "difference")):
        Image.fromarray(picture.astype(np.uint8)).save(SHOTS[0] / f"{name}_{what}.png")
    return Difference(differs.mean(), differs, state)


# ------------------------------------------------------------------ interactions
FOUR = ([(0.6, 0.1), (0.2, 0.6), (0.85, 0.6)], [(0.6, 0.3), (0.6, 0.9)])
ONE = ([(0.3, 0.1), (0.3, 0.9)],)


def _stroke(page, strokes=FOUR, css: str = "fid-pad") -> None:
    """Pen strokes of many small mouse moves on the pad's drawing area (points in the unit square, y down)."""
    canvas = page.locator(f".{css} .jupyter-matplotlib-canvas-div canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x0, y0, x1, y1, height, ratio = json.loads(run_in_kernel(page, (
        "e = pad.ax_draw.get_window_extent()\n"
        "print(json.dumps([e.x0, e.y0, e.x1, e.y1, pad.fig.bbox.height, pad.fig.canvas.device_pixel_ratio]))")))

    def at(u, v):  # (u, v) in the drawing area, v down, to page coordinates
        return box["x"] + (x0 + u * (x1 - x0)) / ratio, box["y"] + (height - y1 + v * (y1 - y0)) / ratio

    for stroke in strokes:
        page.mouse.move(*at(*stroke[0]))
        page.mouse.down()
        for (ua, va), (ub, vb) in zip(stroke, stroke[1:]):
            for t in np.linspace(0, 1, 17)[1:]:
                page.mouse.move(*at(ua + t * (ub - ua), va + t * (vb - va)))
                page.wait_for_timeout(10)
        page.mouse.up()


def _drag_slider(page, css: str) -> None:
    """Drag the widget's slider handle to the end of its track, back to the start, then to 3/4."""
    handle = page.locator(f".{css} .fid-slider .noUi-handle").first
    track = page.locator(f".{css} .fid-slider .noUi-target").first
    handle.scroll_into_view_if_needed()
    h, t = handle.bounding_box(), track.bounding_box()
    y = h["y"] + h["height"] / 2
    page.mouse.move(h["x"] + h["width"] / 2, y)
    page.mouse.down()
    for x in [*np.linspace(t["x"], t["x"] + t["width"], 13), *np.linspace(t["x"] + t["width"], t["x"], 13),
              *np.linspace(t["x"], t["x"] + 0.75 * t["width"], 10)]:
        page.mouse.move(float(x), y)
        page.wait_for_timeout(15)
    page.mouse.up()


# ------------------------------------------------------------------ the tests
def test_pad_stroke_on_the_page_equals_a_full_redraw(page):
    _stroke(page)
    _settle(page, "fid-pad")
    # the kernel got the strokes. ipympl passes at most one mouse move per 33 ms, and how many of the
    # moves fall inside that window depends on the machine's load; so compare where the points lie,
    # not how many arrived: each stroke starts where the press was and runs to near its end
    got = json.loads(run_in_kernel(page, "print(json.dumps(pad.strokes))"))
    assert len(got) == len(FOUR), [len(s) for s in got]
    for want, points in zip(FOUR, got):
        points = np.asarray(points)
        assert len(points) >= 5, (want, points.round(2).tolist())
        assert np.abs(points[0] - want[0]).max() < 0.02, (want, points.round(2).tolist())
        for corner in want[1:]:  # the stroke passed each corner and reached its end
            assert np.abs(points - corner).max(axis=1).min() < 0.2, (corner, points.round(2).tolist())
    assert _difference(page, "fid-pad", "pad") <= TOLERANCE


@pytest.mark.parametrize("css, var, slider", [
    ("fid-conv", "conv", "step"),
    ("fid-pool", "pool", "col"),
    ("fid-rf", "rf", "col"),
])
def test_dragged_slider_on_the_page_equals_a_full_redraw(page, css, var, slider):
    start = run_in_kernel(page, f"print({var}.{slider}.value, {var}.{slider}.max)").split()
    _drag_slider(page, css)
    _settle(page, css)
    end = run_in_kernel(page, f"print({var}.{slider}.value, {var}.{slider}.max)").split()
    assert end != start and int(end[0]) > 0, "the drag did not move the slider"
    assert _difference(page, css, var) <= TOLERANCE


def test_a_broken_blit_fails_the_comparison(page):
    """The background never restored: old ink and old outlines stay. The comparison must see it."""
    # pyplot's figures ask for a full draw when they first change after one (the stale callback);
    # off, so that the broken blit is not repaired by chance before the comparison
    # A widget that keeps its frames (helpers.figures.frames) would send a frame drawn before the break:
    # it keeps none while broken, so that every step is blitted anew.
    broken = ("{v}.fig.canvas.restore_region = lambda *args, **kwargs: None\n"
              "{v}_stale, {v}.fig.stale_callback = {v}.fig.stale_callback, None\n"
              "hasattr({v}, 'keep_frames') and {v}.keep_frames(False)")
    fixed = ("vars({v}.fig.canvas).pop('restore_region', None)\n"
             "{v}.fig.stale_callback = globals().get('{v}_stale', {v}.fig.stale_callback)\n"
             "hasattr({v}, 'keep_frames') and {v}.keep_frames(True)\n{v}.fig.canvas.draw()")
    try:
        run_in_kernel(page, broken.format(v="pool"))
        _drag_slider(page, "fid-pool")
        assert _difference(page, "fid-pool", "pool", "broken_pool") > 10 * TOLERANCE
        # in view first: showing a figure again makes ipympl draw it whole (a new background)
        page.locator(".fid-pad .jupyter-matplotlib-canvas-div canvas").first.scroll_into_view_if_needed()
        _settle(page, "fid-pad")
        run_in_kernel(page, f"pad.strokes = {[list(s) for s in FOUR]}\npad.update()")  # a 4, drawn intact
        _settle(page, "fid-pad")
        run_in_kernel(page, broken.format(v="pad"))
        _settle(page, "fid-pad")  # a full draw the cells asked for lands before the clicks
        run_in_kernel(page, "full_draws = []\npad.fig.canvas.mpl_connect('draw_event', lambda e: full_draws.append(1))")
        # "clear" as a student clicks it (code run in a cell would end with a full draw of the
        # changed figure): the 4 stays on the page, since nothing restores the background
        page.locator(".fid-pad button").first.click()
        _stroke(page, ONE)
        assert _difference(page, "fid-pad", "pad", "broken_pad") > 10 * TOLERANCE, run_in_kernel(
            page, "print('full draws since the break:', len(full_draws))")
    finally:
        run_in_kernel(page, fixed.format(v="pool") + "\n" + fixed.format(v="pad"))
    assert _difference(page, "fid-pool", "pool") <= TOLERANCE  # and whole again after a full draw
