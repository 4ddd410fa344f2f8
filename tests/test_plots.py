"""helpers.plots.Blitter: a blitted update shows exactly what a full redraw shows."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from helpers.plots import Blitter


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
