"""helpers.figures.frames: a kept frame, or one drawn ahead, is the picture a fresh update draws."""

import asyncio
import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from helpers.data import photograph, sample_digit
from helpers.figures.convolution import SlidingConvolution
from helpers.figures.frames import steps
from helpers.figures.kernel_explorer import KernelFilterExplorer
from helpers.figures.motivation import ReceptiveFieldExplorer, ShiftEquivarianceExplorer
from helpers.figures.normalization import IlluminationExplorer
from helpers.figures.pooling import PoolingExplorer

SMALL = photograph(factor=8)  # 75 x 64

WIDGETS = {
    "kernel explorer": lambda: KernelFilterExplorer(SMALL, preset="sobel x"),
    "receptive field": lambda: ReceptiveFieldExplorer(np.pad(sample_digit(0), 2), n_layers=2, kernel_size=3),
    "shift": lambda: ShiftEquivarianceExplorer(SMALL[:40, :36]),
    "pooling": lambda: PoolingExplorer(kind="max", kernel_size=3, stride=2, padding=1),
    "illumination": lambda: IlluminationExplorer(SMALL),
    "sliding, continuous": lambda: SlidingConvolution("continuous"),
    "sliding, discrete": lambda: SlidingConvolution("discrete"),
}


def _go(w, state):
    """Update ``w`` as if its controls held ``state`` (the controls themselves are not touched)."""
    w.state = lambda: state
    return w.update()


class _Page:
    """The browser's side of an ipympl canvas: it is shown, answers a request to draw, and keeps the frames."""

    def __init__(self, canvas):
        import json

        self.frames, self.canvas, self.answers = [], canvas, True
        canvas.send = lambda content, buffers=None: (self.frames.extend(buffers or []),
                                                     json.loads(content["data"]).get("type") == "draw"
                                                     and self.answers
                                                     and canvas._handle_message(canvas, {"type": "draw"}, []))
        canvas.syncing_data_url = False
        canvas._handle_message(canvas, {"type": "initialized"}, [])
        canvas._handle_message(canvas, {"type": "refresh"}, [])


def _ipympl(make):
    """``make()`` on ipympl's canvas (as in a notebook), shown in a simulated page."""
    pytest.importorskip("ipympl.backend_nbagg")
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        w = make()
    finally:
        plt.switch_backend("Agg")
    return w, _Page(w.fig.canvas)


def _decoded(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")  # ipympl's toolbar
@pytest.mark.parametrize("name", WIDGETS)
def test_frames_drawn_ahead_and_kept_equal_fresh_drawings(name):
    (kept, page), (fresh, fresh_page) = _ipympl(WIDGETS[name]), _ipympl(WIDGETS[name])
    fresh.FRAMES = 0  # keeps nothing: every update draws
    start = kept.state()
    near = kept._neighbours(start)
    near = near[:4] + near[4:][-3:]  # the first and the last controls (pooling: the kind, a static change)
    assert near and all(n != start for n in near)
    ahead = {}
    for state in near:
        ahead[state] = kept.draw_ahead(state)
    assert len(page.frames) == 1  # the first display; nothing drawn ahead is sent
    computed = []
    compute = kept._compute
    kept._compute = lambda s: computed.append(s) or compute(s)
    for state in [*near, start, near[0]]:
        _go(kept, state)
        _go(fresh, state)
        assert page.frames[-1] == fresh_page.frames[-1], state
        assert ahead.get(state, page.frames[-1]) == page.frames[-1]
    assert computed == []  # every one of them was a kept frame
    assert len(page.frames) == len(fresh_page.frames) == len(near) + 3
    # the artists show the state too: a whole draw draws the frame last sent
    kept.fig.canvas.draw()
    assert page.frames[-1] == fresh_page.frames[-1]
    assert np.array_equal(_decoded(page.frames[-1]), np.asarray(fresh.fig.canvas.buffer_rgba()))
    plt.close("all")


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_only_the_last_frames_are_kept_and_only_where_frames_are_sent():
    w, _ = _ipympl(PoolingExplorer)
    w.FRAMES = 3
    for col in range(5):
        _go(w, (*w.state()[:6], col))
    assert len(w._frames) == 3 and [k[0][-1] for k in w._frames] == [2, 3, 4]
    w.draw_ahead((*w.state()[:6], 2))  # drawn again: the newest now
    _go(w, (*w.state()[:6], 0))
    assert [k[0][-1] for k in w._frames] == [4, 2, 0]
    agg = PoolingExplorer()  # Agg: nothing is sent, nothing kept
    agg.fig.canvas.draw()
    agg.update()
    assert agg._frames is None and agg.draw_ahead(agg._neighbours(agg.state())[0]) is None
    plt.close("all")


def test_steps_are_one_key_press_away():
    import ipywidgets as W

    assert steps(W.IntSlider(value=0, min=0, max=3)) == [1]
    assert steps(W.FloatSlider(value=0.15, min=0.1, max=2.0, step=0.05)) == [0.1, 0.2]
    assert steps(W.Dropdown(options=["a", "b", "c"], value="b")) == ["a", "c"]
    assert steps(W.Dropdown(options=[("one", 1), ("two", 2)], value=1)) == [2]
    assert steps(W.Checkbox(value=False)) == [True]


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_a_waiting_kernel_draws_the_neighbours_ahead_and_a_new_update_stops_it():
    w, page = _ipympl(WIDGETS["sliding, discrete"])
    w.AHEAD_DELAY = 0.01

    async def wait_and_see():
        w.update()  # from the kernel's event loop, as a widget event is
        assert len(w._frames) == 1
        await asyncio.sleep(0.3)
        assert {key[0] for key in w._frames} == {2, 1, 3}  # t and the two values one step away
        sent = len(page.frames)
        w.t.value = 3  # a kept frame: sent at once, its neighbours drawn next
        assert len(page.frames) == sent + 1
        w.t.value = 4  # a drawn one
        w.t.value = 5  # a new update before the drawing ahead of 4: that one stops
        await asyncio.sleep(0.3)
        return {key[0] for key in w._frames}

    assert asyncio.run(wait_and_see()) == {1, 2, 3, 4, 5, 6}
    plt.close("all")


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_a_dragged_slider_gets_its_next_step_drawn_at_once():
    w, _ = _ipympl(WIDGETS["sliding, discrete"])
    w.AHEAD_DELAY = 60  # the other neighbours: not within this test

    async def drag():
        w.t.value = 3  # from 2: one step up
        await asyncio.sleep(0.05)
        up = {key[0] for key in w._frames}
        w.t.value = 1  # a jump down (a fast mouse): one step further down next
        await asyncio.sleep(0.05)
        return up, {key[0] for key in w._frames}

    assert asyncio.run(drag()) == ({2, 3, 4}, {0, 1, 2, 3, 4})
    plt.close("all")


CONTROLS = {
    "kernel explorer": ["preset"],
    "receptive field": ["layers", "kernel", "stride", "dilation", "padding", "row", "col"],
    "shift": ["dy", "dx", "stride", "kernel", "padding_mode", "circular"],
    "pooling": ["kind", "kernel", "stride", "padding", "ceil", "row", "col"],
    "illumination": ["gain", "gradient"],
    "sliding, continuous": ["t"],
    "sliding, discrete": ["t"],
}


@pytest.mark.parametrize("name", WIDGETS)
def test_the_neighbours_drawn_ahead_are_the_states_one_key_press_reaches(name):
    w = WIDGETS[name]()
    start = w.state()
    near = w._neighbours(start)
    controls = [getattr(w, c) for c in CONTROLS[name]]
    kept = [*controls, *getattr(w, "cells", [])]  # the kernel explorer's state: its nine boxes
    saved = [(getattr(c, "max", None), c.value) for c in kept]
    for control in controls:
        for value in steps(control):
            control.value = value  # what the key press does, with the widget's own handlers
            assert w.state() in near or w.state() == start, (control.description, value)  # "custom": no change
            with w._quiet():  # back to the start
                for c, (top, _) in zip(kept, saved):
                    if top is not None:
                        c.max = top
                for c, (_, v) in zip(kept, saved):
                    c.value = v
            assert w.state() == start
    plt.close("all")


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_after_a_resize_nothing_is_kept_or_drawn_ahead_until_the_figure_is_drawn_whole():
    w, page = _ipympl(WIDGETS["kernel explorer"])
    page.answers = False  # the browser's answer to "draw" comes later
    width, height = w.fig.canvas.get_width_height()
    w.fig.canvas._handle_message(w.fig.canvas, {"type": "resize", "width": width + 40, "height": height}, [])
    assert not w._blit.ready()  # the saved background has the old size
    assert w.draw_ahead(w._neighbours(w.state())[0]) is None
    sent = len(page.frames)
    w.preset.value = "laplacian"
    assert len(page.frames) == sent and len(w._frames) == 1  # no blit over the old background; nothing kept
    w.fig.canvas._handle_message(w.fig.canvas, {"type": "draw"}, [])  # the browser asks
    assert w._blit.ready() and len(page.frames) == sent + 1 and len(w._frames) == 2
    plt.close("all")


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_the_browsers_messages_wait_for_a_drawing_on_another_thread():
    """JupyterLab sends widget messages on a kernel subshell (a thread); drawing ahead runs on another."""
    import threading

    w, page = _ipympl(WIDGETS["sliding, discrete"])
    sent = len(page.frames)
    done = threading.Event()
    with w._lock:  # a drawing ahead, say
        worker = threading.Thread(target=lambda: (w.fig.canvas._handle_message(w.fig.canvas, {"type": "draw"}, []),
                                                  done.set()))
        worker.start()
        assert not done.wait(0.2) and len(page.frames) == sent  # the browser's draw waits ...
    worker.join(5)
    assert done.is_set() and len(page.frames) == sent + 1  # ... and runs after
    plt.close("all")
