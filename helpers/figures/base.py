"""Plotting helpers shared by the notebooks' figures and widgets.

:class:`FigureWidget` is the base of every widget class: the figure's canvas set-up, the controls
above it, the display, a message area in the figure, and the wiring from controls to ``update``.
:class:`Blitter` redraws only what changes; :func:`fast_png` makes ipympl ship each frame faster.
"""

from __future__ import annotations

import contextlib
import struct
import sys
import zlib

import numpy as np

__all__ = ["Blitter", "FigureWidget", "encode_png", "fast_png", "freeze_layout", "hide_canvas_header",
           "one_torch_thread", "widget_canvas"]


def hide_canvas_header(fig) -> None:
    """Drop the "Figure 1" header ipympl puts above every figure (a no-op on other backends).

    ``helpers.setup_notebook()`` registers this as a matplotlib figure hook, so every figure made
    with ``plt.figure``/``plt.subplots`` in a notebook gets it.
    """
    if hasattr(fig.canvas, "header_visible"):
        fig.canvas.header_visible = False


@contextlib.contextmanager
def one_torch_thread():
    """Run the block with torch (if it is imported) on one CPU thread, then restore the thread count.

    A widget's update computes on tiny arrays: split across threads on a busy machine, the threads
    wait for each other, and a 32x32 convolution costs ~20 ms instead of ~0.1 ms.
    """
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else 1
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def widget_canvas(fig) -> None:
    """Set up a widget's figure: no header, toolbar or resize handle on ipympl canvases; fast frames."""
    canvas = fig.canvas
    for attr, value in (("header_visible", False), ("toolbar_visible", False), ("resizable", False)):
        if hasattr(canvas, attr):  # ipympl canvas options
            setattr(canvas, attr, value)
    fast_png(canvas)


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """An ``(H, W, 4)`` uint8 image as PNG bytes: no filter, zlib at ``level`` (1 = fastest).

    The frames a widget sends are mostly unchanged (transparent) pixels: the fastest zlib level
    makes them about as small as the default and three to four times faster than PIL's encoder.

    >>> import io; from PIL import Image
    >>> img = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    >>> bool(np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(img)))), img))
    True
    """
    h, w, _ = rgba.shape
    raw = np.zeros((h, 1 + 4 * w), np.uint8)  # each row: filter type 0 ("none"), then the pixels
    raw[:, 1:] = rgba.reshape(h, 4 * w)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8 bits per channel, RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
            + chunk(b"IEND", b""))


_OPAQUE = np.uint32(0xFF000000) if sys.byteorder == "little" else np.uint32(0x000000FF)  # alpha 255


def _diff_image(canvas) -> bytes | None:
    """matplotlib's ``FigureCanvasWebAggCore.get_diff_image`` with a faster encoder (same protocol).

    The frame is the whole figure in "full" mode, or only the changed pixels over transparent ones in
    "diff" mode; the browser draws it over what it shows.
    """
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    last = canvas._last_buff
    if canvas._force_full or buff.shape != last.shape or bool(((buff & _OPAQUE) != _OPAQUE).any()):
        canvas.set_image_mode("full")
        output = pixels
    else:
        canvas.set_image_mode("diff")
        changed = buff != last
        rows = np.flatnonzero(changed.any(axis=1))
        output = np.zeros_like(pixels)
        if rows.size:
            r0, r1 = rows[0], rows[-1] + 1
            output[r0:r1] = np.where(changed[r0:r1, :, None], pixels[r0:r1], 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    return encode_png(output)


def fast_png(canvas) -> None:
    """Make an ipympl canvas encode its frames with :func:`encode_png` (a no-op on other canvases).

    ipympl sends every redraw as a PNG of the whole figure (the changed pixels only, but the whole
    size); matplotlib's PIL encoding of it took longer than the redraw itself.
    """
    if "get_diff_image" in vars(canvas):
        return  # already replaced, or wrapped by another helper: keep that (call this one first)
    if hasattr(canvas, "get_diff_image") and hasattr(canvas, "_last_buff"):
        canvas.get_diff_image = lambda: _diff_image(canvas)


def freeze_layout(fig) -> None:
    """Lay the figure out once, then keep that layout: re-running it on every update costs milliseconds."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    fig.set_layout_engine("none")


class Blitter:
    """Redraw only the artists that change, for figures that widgets update.

    A full matplotlib redraw renders every panel, title and tick again; a
    widget that changes one image pays for all of it. Blitting keeps a bitmap
    of the static part of the figure and, on each update, restores it and
    draws only the given (animated) artists on top: about half the kernel-side
    time of a full redraw for the kernel explorer.

    Any full draw (the first display, a resize, the browser asking for a
    refresh) captures the background again, so nothing goes stale. On a
    canvas that cannot blit, :meth:`redraw` falls back to ``draw_idle``.

    Args:
        fig: the figure.
        artists: the artists that change between updates (images, texts...).
            They are marked animated: a full draw leaves them out of the
            background and this class draws them.

    Example::

        blit = Blitter(fig, [image, title])
        image.set_data(new)      # change the artists ...
        blit.redraw()            # ... then show them
    """

    def __init__(self, fig, artists):
        self.fig = fig
        self.artists = list(artists)
        for a in self.artists:
            a.set_animated(True)
        self._background = None
        self._can_blit = hasattr(fig.canvas, "copy_from_bbox") and hasattr(fig.canvas, "restore_region")
        self._cid = fig.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event) -> None:
        if self._can_blit:
            self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._draw_artists()

    def _draw_artists(self) -> None:
        for a in self.artists:
            self.fig.draw_artist(a)

    def redraw(self) -> None:
        """Show the current state of the artists."""
        canvas = self.fig.canvas
        if self._background is None:
            canvas.draw_idle()  # a full draw; its draw_event captures the background
            return
        canvas.restore_region(self._background)
        self._draw_artists()
        canvas.blit(self.fig.bbox)


class FigureWidget:
    """The base of the notebooks' widgets: controls above a figure that :meth:`update` redraws in place.

    A subclass builds its figure with :meth:`subplots`, its ipywidgets controls, and the artists that
    change; then calls :meth:`_finish`, which sets the canvas up (:func:`widget_canvas`,
    :func:`freeze_layout`), makes a :class:`Blitter` for those artists, and puts the controls, the
    canvas and any widgets below it in ``self.widget``. :meth:`_watch` makes controls call
    :meth:`update`, except while :meth:`_quiet` sets controls from the code. :meth:`update`
    recomputes ``self.view`` (what the figure shows, as plain values: what tests read) and ends with
    :meth:`redraw`. Invalid values never raise: ``self.message`` is then shown in the figure.

    When a control changes the static (not animated) part of the figure, ``redraw(static=key)``
    names that state: the first time a full draw, later the saved background of the same key
    (a dropdown that goes back to a choice costs a blitted update, not a full draw).

    ``display(w)``, or ``w`` as the last expression of a cell, shows it.
    """

    fig = None
    widget = None
    view = None
    _message = None  # the figure's message text, made by _message_area
    _syncing = False

    @staticmethod
    def subplots(*args, **kwargs):
        """``plt.subplots`` without showing the figure (the widget shows it)."""
        import matplotlib.pyplot as plt

        with plt.ioff():
            return plt.subplots(*args, **kwargs)

    def _message_area(self, ax=None, x: float = 0.5, y: float = 0.5, **kwargs):
        """A centred crimson text in ``ax`` (or the figure) for messages about invalid values."""
        style = {"ha": "center", "va": "center", "color": "crimson", **kwargs}
        if ax is None:
            self._message = self.fig.text(x, y, "", **style)
        else:
            self._message = ax.text(x, y, "", transform=ax.transAxes, **style)
        return self._message

    @property
    def message(self) -> str:
        """The message the figure shows now ("" when the values are valid)."""
        return self._message.get_text() if self._message is not None else ""

    #: How many backgrounds :meth:`redraw` keeps (a whole-figure bitmap each, about 1.5 MB).
    SAVED_BACKGROUNDS = 12

    def _finish(self, fig, animated, controls, below=(), make_blitter=None, css_class: str | None = None) -> None:
        """Canvas set-up, blitting of ``animated`` (or ``make_blitter(fig)``), and ``self.widget``."""
        import ipywidgets as W

        self.fig = fig
        widget_canvas(fig)
        freeze_layout(fig)  # re-running the layout on every update costs more than the update
        self._blit = make_blitter(fig) if make_blitter is not None else Blitter(fig, animated)
        self._static_key = None
        self._backgrounds: dict = {}
        fig.canvas.mpl_connect("draw_event", self._save_background)  # after the blitter's: it has captured it
        canvas = fig.canvas
        parts = [controls, canvas, *below] if isinstance(canvas, W.DOMWidget) else [controls, *below]
        self.widget = W.VBox(parts)
        if css_class:
            self.widget.add_class(css_class)

    def _watch(self, *controls, handler=None) -> None:
        """Call ``handler`` (default: :meth:`update`) when a control's value changes (torch on one thread)."""
        handler = handler or self._on_control

        def call(change):
            with one_torch_thread():
                handler(change)

        for control in controls:
            control.observe(call, names="value")

    def _on_control(self, change) -> None:
        if not self._syncing:
            self.update()

    @contextlib.contextmanager
    def _quiet(self):
        """Set controls from the code without each change calling :meth:`update`."""
        before, self._syncing = self._syncing, True
        try:
            yield
        finally:
            self._syncing = before

    def update(self):
        """Recompute ``self.view`` from the controls and redraw; returns the view."""
        raise NotImplementedError

    def _background_key(self):
        return self._static_key, self.fig.canvas.get_width_height(physical=True)

    def _save_background(self, event) -> None:
        background = getattr(self._blit, "_background", None)
        if background is None or self._static_key is None or self.fig.canvas.is_saving():
            return
        self._backgrounds[self._background_key()] = background
        while len(self._backgrounds) > self.SAVED_BACKGROUNDS:
            self._backgrounds.pop(next(iter(self._backgrounds)))  # the oldest

    def redraw(self, full: bool = False, static=None, **kwargs) -> None:
        """Show the changed artists (``kwargs`` go to the blitter's ``redraw``).

        ``full``: draw the whole figure now. ``static``: a key for the state of the static artists
        (hashable); when it differs from the last one, the background saved for it is used, or the
        whole figure is drawn (and its background saved).
        """
        if static is not None and static != self._static_key:
            self._static_key = static
            saved = self._backgrounds.get(self._background_key())
            if saved is None:
                full = True
            else:
                self._blit._background = saved
                kwargs = {**kwargs, "lower_changed": True} if hasattr(self._blit, "lower") else kwargs
        canvas = self.fig.canvas
        if full and getattr(canvas, "syncing_data_url", False):
            # an ipympl figure not shown yet: ipympl would put a frame drawn now into the widget's
            # initial state in a form the browser cannot show (a broken figure); let the browser ask
            canvas.draw_idle()
        elif full:
            canvas.draw()  # at once: draw_idle would ask the browser first, a round trip
        else:
            self._blit.redraw(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
