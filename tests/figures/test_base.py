"""helpers.figures.base.Blitter: a blitted update shows exactly what a full redraw shows."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.figures.base import Blitter


def test_blitted_update_equals_a_full_redraw():
    fig, (a, b) = plt.subplots(1, 2, figsize=(4, 2))
    a.imshow(np.eye(8))  # static
    img = b.imshow(np.zeros((8, 8)), vmin=0, vmax=1)
    title = b.set_title("start")
    blit = Blitter(fig, [img, title])
    blit.redraw()  # first time: a full draw that captures the background
    assert blit._background is not None

    rng = np.random.default_rng(0)
    for k in range(3):
        img.set_data(rng.random((8, 8)))
        title.set_text(f"update {k}")
        blit.redraw()
        blitted = np.array(fig.canvas.buffer_rgba())
        fig.canvas.draw()  # the reference: everything drawn from scratch
        assert np.array_equal(blitted, np.array(fig.canvas.buffer_rgba()))
    plt.close(fig)


def test_blitter_falls_back_without_blitting_support():
    class Canvas:  # a canvas that cannot copy regions
        draws = 0

        def mpl_connect(self, name, fn):
            return 0

        def draw_idle(self):
            Canvas.draws += 1

    class Fig:
        canvas = Canvas()

    class Artist:
        def set_animated(self, flag):
            self.animated = flag

        def get_zorder(self):
            return 1

    blit = Blitter(Fig(), [Artist()])
    blit.redraw()
    blit.redraw()
    assert Canvas.draws == 2


def test_setup_notebook_hides_ipympl_figure_headers():
    import matplotlib as mpl

    import helpers
    from helpers.figures.base import hide_canvas_header, widget_canvas

    helpers.setup_notebook(verbose=False)
    helpers.setup_notebook(verbose=False)  # twice: the hook is registered once
    assert mpl.rcParams["figure.hooks"].count("helpers.figures.base:hide_canvas_header") == 1

    class IpymplLikeCanvas:  # the attributes ipympl's Canvas has
        header_visible = toolbar_visible = resizable = True

    fig = SimpleNamespace(canvas=IpymplLikeCanvas())
    hide_canvas_header(fig)
    assert fig.canvas.header_visible is False and fig.canvas.toolbar_visible is True
    widget_canvas(fig)
    assert (fig.canvas.toolbar_visible, fig.canvas.resizable) == (False, False)


# ipympl's toolbar passes an argument that traitlets warns about (ipympl 0.10, traitlets 5): not ours
@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_widget_canvas_gives_ipympl_its_size_before_the_browser_asks():
    """ipympl's canvas in a widget box starts as 0x0 until the browser's "initialized"; ours starts sized."""
    import json

    from matplotlib.figure import Figure

    backend = plt.get_backend()
    try:
        from ipympl.backend_nbagg import Canvas, FigureManager
    finally:
        plt.switch_backend(backend)  # importing ipympl's backend makes it pyplot's

    from helpers.figures.base import widget_canvas

    fig = Figure(figsize=(4.1, 3), dpi=100)
    canvas = Canvas(fig)
    FigureManager(canvas, 0)
    assert tuple(canvas._size) == (0, 0)
    widget_canvas(fig)
    assert tuple(canvas._size) == pytest.approx((410, 300))
    sent = []
    canvas.send = lambda content, buffers=None: sent.append(json.loads(content["data"]))
    canvas._handle_message(canvas, {"type": "initialized"}, [])  # what ipympl sends then: the same size
    assert [m["size"] for m in sent if m["type"] == "resize"] == [list(canvas._size)]


def test_freeze_layout_keeps_the_constrained_positions():
    import matplotlib.pyplot as plt

    from helpers.figures.base import freeze_layout

    fig, axes = plt.subplots(1, 2, layout="constrained")
    axes[0].set_title("a long title " * 3)
    freeze_layout(fig)
    before = [ax.get_position().bounds for ax in axes]
    assert fig.get_layout_engine() is None or type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"
    axes[1].set_title("another title that would move things " * 2)
    fig.canvas.draw()
    assert [ax.get_position().bounds for ax in axes] == before
    plt.close(fig)


# ---------------------------------------------------------------- what reaches the browser
class _Browser:
    """What ipympl's page does with the frames it gets, with a frame lost now and then.

    ipympl keeps one ``Image`` per figure: a frame that arrives while the one before is still
    decoding replaces it, so the one before is never painted. A whole frame ("full") replaces
    the picture; a "diff" frame holds only the changed pixels (the rest transparent) and is
    painted over it. ``keep(k)`` says whether frame ``k`` is painted; the last one always is.
    """

    def __init__(self, canvas, keep):
        self.canvas, self.keep, self.frames, self.shown = canvas, keep, [], None

    def send_json(self, content):
        pass

    def send_binary(self, png):  # the canvas sets its image mode before it sends the frame
        import io

        from PIL import Image

        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
        self.frames.append((self.canvas._current_image_mode, pixels))

    def picture(self):
        shown = None
        for k, (mode, pixels) in enumerate(self.frames):
            if not (self.keep(k) or k == len(self.frames) - 1):
                continue  # lost: a newer frame came while it decoded
            if mode == "full" or shown is None:
                shown = pixels.copy()
            else:
                changed = pixels[..., 3] > 0
                shown[changed] = pixels[changed]
        return shown[..., :3]


def _webagg_figure():
    """A figure on matplotlib's webagg canvas (what ipympl's canvas is made of), and its fake page."""
    from matplotlib.backends.backend_webagg_core import (
        FigureCanvasWebAggCore,
        FigureManagerWebAgg,
    )
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2), dpi=50)
    canvas = FigureCanvasWebAggCore(fig)
    manager = FigureManagerWebAgg(canvas, 1)
    page = _Browser(canvas, keep=lambda k: k % 3 == 0)  # two frames of three lost while dragging
    manager.add_web_socket(page)
    return fig, page


def _full_redraw(fig) -> np.ndarray:
    """The reference: matplotlib's own picture of the figure, nothing animated, no Blitter involved."""
    import io

    animated = fig.findobj(lambda a: a.get_animated())
    for a in animated:
        a.set_animated(False)
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="rgba", dpi=fig.dpi)
    finally:
        for a in animated:
            a.set_animated(True)
    w, h = fig.canvas.get_width_height(physical=True)
    return np.frombuffer(buf.getvalue(), np.uint8).reshape(h, w, 4)[..., :3]


def _drag_a_marker(fig, redraw):
    """A marker dragged along a path and a line that grows behind it (a pad's stroke)."""
    ax = fig.add_subplot(xlim=(0, 1), ylim=(0, 1))
    ax.plot([0, 1], [1, 0], color="0.5")  # static
    (ink,) = ax.plot([], [], color="k", lw=6, solid_capstyle="round")
    (marker,) = ax.plot([], [], "s", color="tab:red", ms=12)
    artists = [ink, marker]
    blit = redraw(artists)
    fig.canvas.draw()  # the first display
    xs, ys = [], []
    for t in np.linspace(0.05, 0.95, 19):
        xs.append(t)
        ys.append(0.5 + 0.4 * np.sin(6 * t))
        ink.set_data(xs, ys)
        marker.set_data([t], [0.2])
        blit()
    return artists


def test_blitter_frames_reach_the_page_whole_so_a_lost_frame_does_no_harm():
    fig, page = _webagg_figure()

    def with_blitter(artists):
        return Blitter(fig, artists).redraw

    _drag_a_marker(fig, with_blitter)
    assert len(page.frames) == 20 and {mode for mode, _ in page.frames} == {"full"}
    shown = page.picture()
    assert np.array_equal(shown, _full_redraw(fig))


def test_diff_frames_with_a_lost_frame_leave_stale_pixels():
    """The failure the whole frames avoid: webagg's own blit, diffs, the same page, a wrong picture."""
    fig, page = _webagg_figure()

    def plain_blit(artists):
        for a in artists:
            a.set_animated(True)
        state = {}
        fig.canvas.mpl_connect("draw_event", lambda e: state.update(bg=fig.canvas.copy_from_bbox(fig.bbox)))

        def redraw():
            fig.canvas.restore_region(state["bg"])
            for a in artists:
                fig.draw_artist(a)
            fig.canvas.blit(fig.bbox)

        return redraw

    _drag_a_marker(fig, plain_blit)
    assert [mode for mode, _ in page.frames[1:]] == ["diff"] * 19
    shown, reference = page.picture(), _full_redraw(fig)
    wrong = np.abs(shown.astype(int) - reference).max(axis=2) > 64
    assert wrong.sum() > 50  # ink missing where lost frames drew it; old markers left behind
    # and with every frame painted, the diffs do add up to the full redraw
    page.keep = lambda k: True
    assert np.array_equal(page.picture(), reference)


def test_redraw_within_equals_a_full_redraw():
    fig, (a, b) = plt.subplots(1, 2, figsize=(4, 2))
    a.set(xlim=(0, 1), ylim=(0, 1))
    (ink,) = a.plot([], [], color="k", lw=8, solid_capstyle="round")
    img = b.imshow(np.zeros((8, 8)), vmin=0, vmax=1)
    title = b.set_title("start")
    blit = Blitter(fig, [ink, img, title])
    blit.redraw()
    img.set_data(np.eye(8))
    title.set_text("changed once")
    blit.redraw()
    xs, ys = [], []
    for t in np.linspace(-0.1, 1.1, 13):  # runs over the edges of the axes: clipped there
        xs.append(t)
        ys.append(1 - t)
        ink.set_data(xs, ys)
        blit.redraw_within([ink], a.bbox)
        blitted = np.array(fig.canvas.buffer_rgba())
        fig.canvas.draw()
        assert np.array_equal(blitted, np.array(fig.canvas.buffer_rgba()))
    plt.close(fig)


def test_savefig_leaves_the_background_alone():
    """A draw made by savefig has the animated artists in it: it must not become the background."""
    import io

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    (dot,) = ax.plot([0.2], [0.5], "o", ms=20)
    blit = Blitter(fig, [dot])
    fig.canvas.draw()
    for dpi in (fig.dpi, 2 * fig.dpi):
        fig.savefig(io.BytesIO(), format="png", dpi=dpi)
    dot.set_data([0.8], [0.5])
    blit.redraw()
    blitted = np.array(fig.canvas.buffer_rgba())
    fig.canvas.draw()
    assert np.array_equal(blitted, np.array(fig.canvas.buffer_rgba()))  # no dot left at 0.2
    plt.close(fig)


def test_an_image_over_its_frame_keeps_the_frame():
    """A full draw paints the spines over the image; the blit must too (it hid them before)."""
    fig, ax = plt.subplots(figsize=(2, 2))
    img = ax.imshow(np.zeros((4, 4)), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    blit = Blitter(fig, [img])
    assert set(blit.overlays) == set(ax.spines.values())
    fig.canvas.draw()
    img.set_data(np.full((4, 4), 0.3))
    blit.redraw()
    assert np.array_equal(np.asarray(fig.canvas.buffer_rgba())[..., :3], _full_redraw(fig))
    plt.close(fig)


def test_savefig_of_a_blitted_figure_keeps_figure_level_artists():
    fig, ax = plt.subplots(figsize=(3, 2))
    title = fig.suptitle("changes")
    blit = Blitter(fig, [title])  # kept: the canvas holds its callback weakly
    fig.canvas.draw()
    title.set_text("changed")
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=fig.dpi)  # the suptitle is animated: only the Blitter draws it
    w, h = fig.canvas.get_width_height(physical=True)
    saved = np.frombuffer(buf.getvalue(), np.uint8).reshape(h, w, 4)[..., :3]
    assert np.array_equal(saved, _full_redraw(fig)) and blit.artists == [title]
    plt.close(fig)


def _widgets():
    """Every widget that blits, after a few updates (the notebooks' settings)."""
    from types import SimpleNamespace as Event

    import torch

    from helpers.figures.kernel_explorer import KernelFilterExplorer
    from helpers.figures.lenet5 import DrawDigit
    from helpers.figures.motivation import ReceptiveFieldExplorer
    from helpers.figures.pooling import PoolingExplorer
    from helpers.figures.stride_padding import ConvExplorer
    from helpers.models.lenet import LeNet5, ModernLeNet

    torch.manual_seed(0)
    pad = DrawDigit({"LeNet-5": LeNet5().eval(), "modern": ModernLeNet().eval()})
    pad.on_press(Event(inaxes=pad.ax_draw, xdata=0.5, ydata=0.1))
    for t in np.linspace(0.1, 0.9, 12):
        pad.on_move(Event(inaxes=pad.ax_draw, xdata=0.5 - 0.3 * t, ydata=t))
    yield "drawing pad, pen down", pad.fig
    pad.on_release(None)
    yield "drawing pad, released", pad.fig
    conv = ConvExplorer(input_name="digit", preset="sobel x", stride=1, padding=1)
    for step in (5, 300, 41):
        conv.step.value = step
    yield "convolution explorer", conv.fig
    pool = PoolingExplorer(kind="max", kernel_size=3, stride=2, padding=1)
    for col in (1, 3, 2):
        pool.col.value = col
    yield "pooling explorer", pool.fig
    rf = ReceptiveFieldExplorer(n_layers=2, kernel_size=3)
    for col in (5, 20, 11):
        rf.col.value = col
    yield "receptive-field explorer", rf.fig
    kernel = KernelFilterExplorer()
    kernel.preset.value = "laplacian"
    yield "kernel explorer", kernel.fig


def test_every_blitting_widget_shows_what_a_full_redraw_shows():
    """The blitted picture (the last frame ipympl sends) against matplotlib's own, nothing animated."""
    for name, fig in _widgets():
        blitted = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
        differs = np.abs(blitted - _full_redraw(fig)).max(axis=2) > 64
        assert differs.mean() <= 0.0002, f"{name}: {differs.mean():.2%} of the pixels differ"
    plt.close("all")


def test_a_blit_leaves_the_figure_up_to_date():
    """pyplot draws stale figures whole after each widget event; a blitted figure is not stale."""
    fig, ax = plt.subplots(figsize=(2, 2))
    img = ax.imshow(np.zeros((4, 4)))
    blit = Blitter(fig, [img])
    fig.canvas.draw()
    img.set_data(np.eye(4))
    fig.stale = True  # as any change to a static artist marks it (an animated one does not)
    blit.redraw()
    assert not fig.stale  # the blit showed it
    img.set_data(np.ones((4, 4)))
    fig.stale = True
    blit.redraw_within([img], ax.bbox)
    assert not fig.stale
    plt.close(fig)


@pytest.mark.parametrize("shape", [(150, 128), (5, 7), (40, 40)])
def test_mapped_imshow_draws_the_pixels_of_imshow(shape):
    """Colour-mapped first, then resampled: the same pixels as matplotlib's imshow with nearest interpolation."""
    from helpers.figures.pixels import mapped_imshow

    rng = np.random.default_rng(0)
    values = rng.normal(size=shape)
    values[0, 0] = np.nan  # a masked value: the colour map's "bad" colour in both
    pictures = []
    for show in (lambda ax, v, **kw: ax.imshow(v, interpolation="nearest", **kw), mapped_imshow):
        fig, axes = plt.subplots(1, 2, figsize=(6, 3))
        ims = [show(ax, values, cmap="viridis", vmin=-1, vmax=1) for ax in axes]
        ims[1].set_data(values * 2)
        ims[1].set_clim(-3, 2)
        fig.canvas.draw()
        pictures.append(np.array(fig.canvas.buffer_rgba()))
        assert np.array_equal(np.ma.filled(ims[1].get_array(), 0), np.nan_to_num(values * 2))  # the values, not colours
        plt.close(fig)
    assert np.array_equal(*pictures)
