"""Plotting helpers shared by the notebooks' figures and widgets."""

from __future__ import annotations

__all__ = ["Blitter", "freeze_layout", "hide_canvas_header", "widget_canvas"]


def hide_canvas_header(fig) -> None:
    """Drop the "Figure 1" header ipympl puts above every figure (a no-op on other backends).

    ``helpers.setup_notebook()`` registers this as a matplotlib figure hook, so every figure made
    with ``plt.figure``/``plt.subplots`` in a notebook gets it.
    """
    if hasattr(fig.canvas, "header_visible"):
        fig.canvas.header_visible = False


def widget_canvas(fig) -> None:
    """Set up a widget's figure: no header, toolbar or resize handle on ipympl canvases."""
    canvas = fig.canvas
    for attr, value in (("header_visible", False), ("toolbar_visible", False), ("resizable", False)):
        if hasattr(canvas, attr):  # ipympl canvas options
            setattr(canvas, attr, value)


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
