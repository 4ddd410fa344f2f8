"""Plotting helpers shared by the notebooks' figures and widgets.

:class:`FigureWidget` is the base of every widget class: the figure's canvas set-up, the controls
above it, the display, a message area in the figure, and the wiring from controls to ``update``.
:class:`Blitter` redraws only what changes. How the pixels are drawn and shipped fast (PNG encoding,
whole frames, colour-mapped images) is in :mod:`helpers.figures.pixels`.
"""

from __future__ import annotations

import contextlib
import math
import sys

import numpy as np

from helpers.figures.pixels import fast_png, send_whole_frames

__all__ = ["Blitter", "FigureWidget", "LivePlot", "freeze_layout", "hide_canvas_header", "one_torch_thread",
           "widget_canvas"]


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
    wait for each other, and a 32x32 convolution costs ~20 ms instead of ~0.1 ms. Numpy-only
    widgets do not import torch for this.
    """
    if "torch" not in sys.modules:
        yield
        return
    from helpers.session import torch_threads

    with torch_threads(1):
        yield


def widget_canvas(fig) -> None:
    """Set up a widget's figure: no header, toolbar or resize handle on ipympl canvases; fast frames."""
    canvas = fig.canvas
    for attr, value in (("header_visible", False), ("toolbar_visible", False), ("resizable", False)):
        if hasattr(canvas, attr):  # ipympl canvas options
            setattr(canvas, attr, value)
    fast_png(canvas)
    if hasattr(canvas, "_size") and hasattr(canvas, "device_pixel_ratio"):
        # ipympl sizes the page's canvas from the widget's `_size`. In a widget box (not displayed on
        # its own) `_size` starts as [0, 0] and is set when the browser says "initialized", together
        # with a "resize" message. Now and then the browser handles that message before the new
        # `_size` has arrived: the canvas becomes 0x0 and stays empty. The right size from the start
        # avoids that.
        ratio = canvas.device_pixel_ratio
        canvas._size = (float(fig.bbox.width / ratio), float(fig.bbox.height / ratio))


def freeze_layout(fig) -> None:
    """Lay the figure out once, then keep that layout: re-running it on every update costs milliseconds."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    fig.set_layout_engine("none")


def _frames_over(artists) -> list:
    """The spines a full draw paints over ``artists``: those of their axes, above the lowest of them."""
    frames = []
    for ax in dict.fromkeys(getattr(a, "axes", None) for a in artists):
        if ax is None or not (ax.axison and ax.get_frame_on()):
            continue
        lowest = min(a.get_zorder() for a in artists if getattr(a, "axes", None) is ax)
        frames += [s for s in ax.spines.values()
                   if s.get_visible() and s.get_zorder() > lowest and not any(s is a for a in artists)]
    return frames


def _draw_order(artist) -> tuple:
    """Where a full draw paints ``artist``: with its axes (by the axes' zorder), then by its own zorder."""
    ax = getattr(artist, "axes", None)
    z = artist.get_zorder()
    return (z, 0.0) if ax is None else (ax.get_zorder(), z)


class Blitter:
    """Redraw only the artists that change, for figures that widgets update.

    A full matplotlib redraw renders every panel, title and tick again; a
    widget that changes one image pays for all of it. Blitting keeps a bitmap
    of the static part of the figure and, on each update, restores it and
    draws only the given (animated) artists on top: about half the kernel-side
    time of a full redraw for the kernel explorer.

    Any full draw (the first display, a resize, the browser asking for a
    refresh) captures the background again, so nothing goes stale; a draw
    made by ``savefig`` does not (it draws the animated artists too). On a
    canvas that cannot blit, :meth:`redraw` falls back to ``draw_idle``. On
    an ipympl canvas every frame goes to the browser whole
    (:func:`send_whole_frames`): what the page shows is then the last frame,
    which equals a full redraw.

    The blit paints what a full draw paints, in the same order: the frame
    (spines) of each axes that holds a changing artist is drawn with them,
    over them, as a full draw does (else an image would hide its frame).

    Args:
        fig: the figure.
        artists: the artists that change between updates (images, texts...).
            They are marked animated: a full draw leaves them out of the
            background and this class draws them. ``self.artists`` holds
            them with the frames, in drawing order.

    Example::

        blit = Blitter(fig, [image, title])
        image.set_data(new)      # change the artists ...
        blit.redraw()            # ... then show them
        blit.redraw_within([image], image.axes.bbox)  # only one of them changed
    """

    def __init__(self, fig, artists):
        self.fig = fig
        given = list(artists)
        # A full draw paints each axes' frame (spines) over its images and lines; the blit must
        # too, or an image drawn on top hides the frame. The frames over the given artists join
        # them (animated: out of the background, drawn here, once) ...
        self.overlays = _frames_over(given)
        # ... and all are drawn in a full draw's order: axes by axes, by zorder inside each.
        self.artists = sorted([*given, *self.overlays], key=_draw_order)
        for a in self.artists:
            a.set_animated(True)
        self._background = None
        self._size = None  # the canvas's size when the background was saved
        self._can_blit = hasattr(fig.canvas, "copy_from_bbox") and hasattr(fig.canvas, "restore_region")
        self._cid = fig.canvas.mpl_connect("draw_event", self._on_draw)
        send_whole_frames(fig.canvas)

    def _on_draw(self, event) -> None:
        if self.fig.canvas.is_saving():
            # savefig draws the animated artists of axes itself, in place; not those of the
            # figure (a suptitle). And its picture is no background (other dpi, artists in it).
            for a in self.artists:
                if getattr(a, "axes", None) is None and a.get_animated():
                    a.draw(event.renderer)
            return
        if self._can_blit:
            self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
            self._size = self.fig.canvas.get_width_height(physical=True)
        self._draw_artists(self.artists)

    def _draw_artists(self, artists) -> None:
        for a in artists:
            self.fig.draw_artist(a)

    def ready(self) -> bool:
        """A background is saved, of the canvas's present size (after a resize: at the next full draw)."""
        return self._background is not None and self._size == self.fig.canvas.get_width_height(physical=True)

    def redraw(self) -> None:
        """Show the current state of the artists."""
        if not self.ready():
            self.fig.canvas.draw_idle()  # a full draw; its draw_event captures the background
            return
        self.render()
        self.show_blitted(self.fig.bbox)

    def render(self) -> None:
        """Paint the current state of the artists over the background, without sending it (see :meth:`redraw`)."""
        self.fig.canvas.restore_region(self._background)
        self._draw_artists(self.artists)

    def forget(self) -> None:
        """The canvas now holds a picture restored from elsewhere: drop what was saved of the last one."""

    def show_blitted(self, bbox) -> None:
        """Send the blitted picture, and mark the figure up to date (what it shows is current).

        Without the mark the changed artists leave the figure "stale", and in a notebook pyplot
        draws every stale figure whole after each widget event (IPython's post-execute hook runs
        after comm messages too): a second, full draw after every blit.
        """
        self.fig.canvas.blit(bbox)
        self.fig.stale = False

    def redraw_within(self, artists, bbox) -> None:
        """Show the current state of ``artists`` only, redrawing only the region ``bbox``.

        Faster than :meth:`redraw` when one artist changes often (the ink of a drawing pad): the
        other animated artists are left as they were drawn last. ``artists`` must be animated
        artists of this blitter that lie inside ``bbox`` (display units, e.g. ``ax.bbox``; an
        artist clipped to its axes lies inside the axes' bbox), and no other animated artist may
        overlap ``bbox`` or the frame of its axes (the frame is drawn again with them).
        """
        canvas = self.fig.canvas
        if not self.ready():
            canvas.draw_idle()
            return
        axes = {a.axes for a in artists}
        redrawn = [a for a in self.artists if a in artists or (a in self.overlays and a.axes in axes)]
        # the frames lie on the axes' edge, half outside it: restore (and redraw) around them too
        frames = [a.get_linewidth() * self.fig.dpi / 72 for a in redrawn if a in self.overlays]
        x0, y0, x1, y1 = bbox.padded(max(frames) / 2 + 1).extents if frames else bbox.extents
        height = self.fig.bbox.height  # the saved bitmap counts rows from the top
        pixels = (math.floor(x0), math.floor(height - y1), math.ceil(x1), math.ceil(height - y0))
        # xy: where the saved bitmap's own corner goes (its place: nothing moves)
        canvas.restore_region(self._background, bbox=pixels, xy=self._background.get_extents()[:2])
        self._draw_artists(redrawn)
        self.show_blitted(bbox)



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


class LivePlot:
    """Loss and accuracy per epoch, redrawn after each epoch into one notebook output.

    A callback for :func:`helpers.train.fit` (``fit(..., plot=True)`` makes one): ``fit`` calls it
    as ``live(epoch, history)`` after every epoch. Outside IPython it only keeps the figure.
    """

    def __init__(self, title: str):
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(9, 3.2), layout="constrained")
        self.ax_loss, self.ax_acc = self.fig.subplots(1, 2)
        self.fig.suptitle(title)
        self.handle = None
        try:
            from IPython import get_ipython
            from IPython.display import display

            if get_ipython() is not None:
                self.handle = display(self._image(), display_id=True)
        except ImportError:  # pragma: no cover - IPython comes with jupyter
            pass

    def _image(self):
        import io

        from IPython.display import Image

        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=80)
        return Image(data=buf.getvalue(), format="png")

    def __call__(self, epoch: int, history) -> None:
        h = history
        for ax, key, label in ((self.ax_loss, "loss", "loss"), (self.ax_acc, "acc", "accuracy")):
            ax.clear()
            ax.plot(h.epoch, getattr(h, f"train_{key}"), "o-", label="train")
            ax.plot(h.epoch, getattr(h, f"test_{key}"), "s-", label="test")
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.set_title(f"{label} per epoch")
            ax.grid(alpha=0.3)
            ax.legend()
        if h.epoch:
            self.ax_acc.set_ylim(min(0.5, min(h.train_acc + h.test_acc)), 1.0)
        if self.handle is not None:
            self.handle.update(self._image())
