"""helpers.figures.base.Blitter: a blitted update shows exactly what a full redraw shows."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

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
