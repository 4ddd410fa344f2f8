"""Widgets whose figure is a function of their controls: a frame is drawn once, and drawn ahead.

An update of a widget costs tens of milliseconds in the kernel: matplotlib drawing the changed
text and images, then the PNG encoding of the frame. But a student moves a slider back and forth
and picks the same few dropdown choices again, so most frames have been drawn before.
:class:`StateWidget` keeps the PNG of each frame it sends, by the controls' values, and while the
kernel waits between two key presses it draws the frames one press away. Sending a kept frame
costs about a millisecond.

A kept frame is exactly what a fresh update sends: its key holds every value the figure depends
on (the widget's :meth:`StateWidget.state`) and the canvas size, and frames are whole pictures
(:func:`helpers.figures.pixels.send_whole_frames`), not differences from the frame before. Frames
are kept only on canvases that send them to a browser (ipympl's); elsewhere (Agg, inline) every
update draws. The canvas's own pixels may hold a frame drawn ahead: what the browser shows is the
last frame sent, and every drawing restores the whole picture before it paints.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import NamedTuple

import numpy as np

from helpers.figures.base import FigureWidget, one_torch_thread
from helpers.figures.pixels import encode_png

__all__ = ["Frame", "StateWidget", "steps"]


class Frame(NamedTuple):
    """A frame sent to the browser: the view it shows, and the PNG of the whole figure."""

    view: object
    png: bytes


def _running_loop():
    """The event loop of the kernel, when called from it (None in a plain script or a test)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _pixels(canvas) -> np.ndarray:
    return np.asarray(canvas.get_renderer().buffer_rgba())


class StateWidget(FigureWidget):
    """A :class:`FigureWidget` whose figure is a function of one hashable state: frames are kept and drawn ahead.

    A subclass defines

    * :meth:`state`: the controls' values, hashable; everything the figure shows depends on them only;
    * :meth:`_compute`: the view of a state (plain values; no widget or artist is touched);
    * :meth:`_show`: puts a view into the artists (no widget is touched); returns the keyword
      arguments of :meth:`FigureWidget.redraw` (``static=...``) or None;
    * :meth:`_after` (optional): what an update changes outside the figure (readouts, slider ranges);
    * :meth:`_neighbours` (optional): the states one key press away, most likely first.

    :meth:`update` then sends a kept frame when there is one, and otherwise draws, sends and keeps
    it. In a kernel with a browser attached, :attr:`AHEAD_DELAY` seconds after an update (and
    after the first display) the neighbours are drawn ahead, one per turn of the event loop, so
    that a key press never waits for more than one of them; a new update stops the drawing ahead.
    When the update moved one slider (a drag), its next step the same way is drawn at once.
    """

    #: How many frames are kept (a PNG each, 30-200 kB).
    FRAMES = 48
    #: Seconds between an update and the drawing ahead: the browser paints the frame first.
    AHEAD_DELAY = 0.1

    _frames: OrderedDict | None = None
    _current = None  # (state, view) shown now
    _previous = None  # the state shown before it
    _ahead_turn = 0
    _busy = False  # drawing in update() or ahead: a whole draw then is not a frame to keep here

    # ---- what a subclass defines
    def state(self) -> Hashable:
        """The controls' values that the figure depends on (hashable)."""
        raise NotImplementedError

    def _compute(self, state):
        raise NotImplementedError

    def _show(self, state, view) -> dict | None:
        raise NotImplementedError

    def _after(self, view) -> None:
        pass

    def _neighbours(self, state) -> list:
        return []

    # ---- the update
    def _finish(self, fig, *args, **kwargs) -> None:
        super()._finish(fig, *args, **kwargs)
        # One drawing at a time. JupyterLab sends widget messages on a kernel subshell: a thread of
        # its own, beside the main thread (where cells, and the first messages, run). A drawing
        # ahead on one of them while the browser's "draw" is handled on the other would mix the
        # two pictures on the one canvas.
        self._lock = threading.RLock()
        canvas = fig.canvas
        if hasattr(canvas, "get_diff_image"):  # a canvas that sends frames (ipympl)
            self._frames = OrderedDict()
            canvas.mpl_connect("draw_event", self._on_full_draw)  # after the blitter's: the picture is whole
            if hasattr(canvas, "handle_event"):  # every message of the browser's (draw, resize, mouse...)
                handle = canvas.handle_event

                def handle_event(event):
                    with self._lock:
                        return handle(event)

                canvas.handle_event = handle_event

    def _frame_key(self, state):
        return state, self.fig.canvas.get_width_height(physical=True)

    def keep_frames(self, keep: bool) -> None:
        """Keep (and draw ahead) frames, or forget them and draw every update (on a canvas that sends frames)."""
        with self._lock:
            self._frames = OrderedDict() if keep and hasattr(self.fig.canvas, "get_diff_image") else None

    def update(self):
        """Show the controls' state: a kept frame, or a fresh drawing (then kept); returns the view."""
        with self._lock:
            return self._update()

    def _update(self):
        state = self.state()
        key = self._frame_key(state)
        keeping = self._frames is not None and self._blit.ready()
        frame = self._frames.get(key) if keeping else None
        view = frame.view if frame is not None else self._compute(state)
        self.view = view
        kwargs = self._show(state, view) or {}
        self._previous = None if self._current is None else self._current[0]
        self._current = (state, view)  # what a whole draw now draws
        canvas = self.fig.canvas
        if frame is not None:
            self._frames.move_to_end(key)
            self._send_kept(frame, kwargs.get("static"))
        else:
            canvas.__dict__.pop("_sent_png", None)
            self._busy = True
            try:
                self.redraw(**kwargs)
            finally:
                self._busy = False
            self._keep(key, view, canvas.__dict__.pop("_sent_png", None))
        self._after(view)  # after the frame: the browser gets the picture first
        self._draw_ahead_later()
        return view

    def _keep(self, key, view, png: bytes | None) -> None:
        if self._frames is None or png is None:
            return  # nothing sent (the figure is drawn whole later, when the browser asks)
        self._frames[key] = Frame(view, png)
        self._frames.move_to_end(key)  # the newest (a key kept before stays where it was otherwise)
        while len(self._frames) > self.FRAMES:
            self._frames.popitem(last=False)  # the least recently shown

    def _send_kept(self, frame: Frame, static=None) -> None:
        """Send a kept frame (its PNG: no drawing, no encoding)."""
        canvas = self.fig.canvas
        if static is not None and static != self._static_key:
            saved = self._backgrounds.get((static, canvas.get_width_height(physical=True)))
            if saved is not None:
                self._blit._background, self._static_key = saved, static
            else:
                self._static_key = None  # no background for it: the next drawn update draws the figure whole
        self._blit.forget()  # the canvas's pixels are not those of the frame sent
        canvas._ready_png = frame.png
        try:
            self._blit.show_blitted(self.fig.bbox)
        finally:
            canvas.__dict__.pop("_ready_png", None)
            canvas.__dict__.pop("_sent_png", None)

    # ---- drawing ahead
    def _on_full_draw(self, event) -> None:
        """After a whole draw of the shown state (the first display, a new size): keep it, then draw ahead."""
        if self._busy or self.fig.canvas.is_saving() or self._current is None:
            return
        state, view = self._current
        self._keep(self._frame_key(state), view, encode_png(_pixels(self.fig.canvas)))
        self._draw_ahead_later()

    def _draw_ahead_later(self) -> None:
        """Draw the neighbours of the shown state, from :attr:`AHEAD_DELAY` s on, one per turn of the loop."""
        self._ahead_turn += 1
        loop, turn = _running_loop(), self._ahead_turn
        if loop is None or self._current is None or self._frames is None \
                or getattr(self.fig.canvas, "syncing_data_url", True):  # ipympl: no browser shows it yet
            return
        todo = list(self._neighbours(self._current[0]))

        def step(queue):
            if turn != self._ahead_turn:
                return  # a newer update
            if not self._lock.acquire(blocking=False):  # drawing on the other thread: later
                loop.call_later(self.AHEAD_DELAY, step, queue)
                return
            try:
                while queue and self._frame_key(queue[0]) in self._frames:
                    queue.pop(0)
                if turn != self._ahead_turn or not queue or not self._blit.ready():
                    return
                with one_torch_thread():
                    self.draw_ahead(queue.pop(0))
            finally:
                self._lock.release()
            loop.call_soon(step, queue)

        forward = self._forward(todo)
        if forward is not None:  # a slider moving step by step: its next step at once
            loop.call_soon(step, [forward])
        loop.call_later(self.AHEAD_DELAY, step, todo)

    def _forward(self, near: list):
        """The neighbour one step further the way the last update went, if it moved one number (a slider)."""
        before, now = self._previous, self._current[0]
        if before is None:
            return None
        as_tuple = (lambda s: s if isinstance(s, tuple) else (s,))
        before, now = as_tuple(before), as_tuple(now)
        moved = [i for i, (a, b) in enumerate(zip(before, now)) if a != b]
        if len(before) != len(now) or len(moved) != 1 or not _is_number(now[moved[0]]):
            return None
        i = moved[0]
        way = np.sign(now[i] - before[i])
        for state in near:
            s = as_tuple(state)
            if all(a == b for j, (a, b) in enumerate(zip(s, now)) if j != i) and _is_number(s[i]) \
                    and np.sign(s[i] - now[i]) == way:
                return state
        return None

    def draw_ahead(self, state) -> bytes | None:
        """Draw the frame of ``state`` and keep it, without sending it; returns its PNG (None: nothing drawn).

        The artists go back to the state shown (a whole draw draws them), the canvas's pixels do not.
        """
        with self._lock:
            return self._draw_ahead(state)

    def _draw_ahead(self, state) -> bytes | None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if self._frames is None or self._current is None or not self._blit.ready():
            return None
        canvas = self.fig.canvas
        view = self._compute(state)
        kwargs = dict(self._show(state, view) or {})
        static = kwargs.pop("static", None)
        background, static_key = self._blit._background, self._static_key
        self._busy = True
        try:
            saved = self._backgrounds.get((static, canvas.get_width_height(physical=True)))
            if static is not None and static != static_key and saved is None:
                self._static_key = static
                FigureCanvasAgg.draw(canvas)  # whole, not sent; its draw_event saves the background of static
            else:
                if static is not None and static != static_key:
                    self._blit._background = saved
                self._blit.render(**kwargs)
            png = encode_png(_pixels(canvas))
            self._keep(self._frame_key(state), view, png)
            return png
        finally:
            self._blit._background, self._static_key = background, static_key
            self._show(*self._current)
            self._blit.forget()
            self._busy = False


def steps(control, value=None) -> list:
    """The values one key press away from ``value`` (default: the control's value).

    A slider's values one step down and up (inside its range); another option of a dropdown or of
    toggle buttons; the other state of a checkbox.

    >>> import ipywidgets as W
    >>> steps(W.IntSlider(value=3, min=0, max=3)), steps(W.Dropdown(options=["a", "b"], value="a"))
    ([2], ['b'])
    """
    value = control.value if value is None else value
    if hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [o for o in options if o != value]
    if isinstance(value, bool):
        return [not value]
    found = []
    for v in (value - control.step, value + control.step):
        v = round(v, 9) if isinstance(v, float) else v
        if control.min <= v <= control.max:
            found.append(v)
    return found
