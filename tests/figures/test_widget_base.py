"""helpers.figures.base.FigureWidget and the fast PNG frames: what the browser gets equals what matplotlib draws."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from helpers.figures.base import FigureWidget, one_torch_thread
from helpers.figures.pixels import _diff_image, encode_png


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_encode_png_round_trips_through_pil():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(17, 23, 4), dtype=np.uint8)
    assert np.array_equal(_decode(encode_png(img)), img)
    assert np.array_equal(_decode(encode_png(img, level=9)), img)


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")  # ipympl's toolbar
def test_fast_frames_equal_matplotlibs_frames():
    """The ipympl canvas' frames (whole and diff) decode to the same pixels as matplotlib's own encoder."""
    ipympl = pytest.importorskip("ipympl.backend_nbagg")
    plt.switch_backend("Agg")  # importing ipympl's backend selects it: the other tests keep Agg
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plt.figure(figsize=(3, 2))
    canvas = ipympl.Canvas(fig)
    ax = fig.add_subplot()
    img = ax.imshow(np.zeros((6, 6)), vmin=0, vmax=1)
    rng = np.random.default_rng(1)

    def frame(get):
        FigureCanvasAgg.draw(canvas)  # a draw, then the next frame as both encoders make it (same last frame)
        last = canvas._last_buff.copy()
        canvas._png_is_old, canvas._force_full = True, False
        mine = get()
        canvas._last_buff, canvas._png_is_old, canvas._force_full = last, True, False
        theirs = type(canvas).get_diff_image(canvas)
        return mine, theirs

    canvas._last_buff = np.empty((0, 0))
    for k in range(3):  # the first frame is whole (new size), then diffs
        img.set_data(rng.random((6, 6)))
        mine, theirs = frame(lambda: _diff_image(canvas))
        assert np.array_equal(_decode(mine), _decode(theirs)), k
    plt.close(fig)


def _full_draw_pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.array(fig.canvas.buffer_rgba())


def test_saved_backgrounds_show_what_a_full_draw_shows():
    """Going back to a static state blits over its saved background: the same pixels as a full draw."""
    from helpers.figures.pooling import PoolingExplorer
    from helpers.figures.stride_padding import ConvExplorer

    pool = PoolingExplorer()
    for padding in (0, 1, 0, 1):
        pool.set(kernel_size=3, padding=padding)
        shown = np.array(pool.fig.canvas.buffer_rgba())
        assert np.array_equal(shown, _full_draw_pixels(pool.fig)), padding
    assert len(pool._backgrounds) == 2

    ex = ConvExplorer("digit", "sobel x", padding=1)
    for name, preset in (("symbolic 5x5", "sobel x"), ("digit", "laplacian"), ("digit", "sobel x"),
                         ("symbolic 5x5", "sobel x")):
        ex.input.value, ex.kernel.value = name, preset
        shown = np.array(ex.fig.canvas.buffer_rgba())
        assert np.array_equal(shown, _full_draw_pixels(ex.fig)), (name, preset)
    plt.close("all")


def test_figure_widget_wiring_and_quiet():
    import ipywidgets as W

    class Counter(FigureWidget):
        def __init__(self):
            self.a, self.b = W.IntSlider(), W.IntSlider()
            fig, ax = self.subplots()
            self._message_area(ax)
            self.calls = 0
            self._finish(fig, [self._message], W.HBox([self.a, self.b]))
            self._watch(self.a, self.b)

        def update(self):
            self.calls += 1
            self._message.set_text("" if self.a.value < 5 else "too big")
            self.redraw()

    c = Counter()
    c.a.value = 1
    assert c.calls == 1 and c.message == ""
    with c._quiet():
        c.a.value, c.b.value = 7, 2
    assert c.calls == 1  # set from the code: no update
    c.update()
    assert c.message == "too big"
    assert c.widget.children[0] is not None
    plt.close(c.fig)


def test_one_torch_thread_restores_the_thread_count():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with one_torch_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")  # ipympl's toolbar
def test_no_frame_goes_into_an_ipympl_figure_before_it_is_shown():
    """ipympl puts a frame drawn before display into the widget's first state, which the browser cannot show."""
    pytest.importorskip("ipympl.backend_nbagg")
    from helpers.figures.pooling import PoolingExplorer
    from helpers.figures.stride_padding import ConvExplorer

    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        for ex in (ConvExplorer("digit", "sobel x", padding=1), PoolingExplorer()):
            assert not ex.fig.canvas._data_url, type(ex).__name__
    finally:
        plt.close("all")
        plt.switch_backend("Agg")
