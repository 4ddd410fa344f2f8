"""Pooling and illumination widgets: the whole value grid swept against torch, invalid values shown as messages."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.checks import rel_error
from helpers.data import photograph
from helpers.deform import lit
from helpers.figures.normalization import (
    LAYER_STAGES,
    IlluminationExplorer,
    illumination_view,
    plot_layer_terminology,
)
from helpers.figures.pooling import (
    KERNEL_SIZES,
    PADDINGS,
    STRIDES,
    PoolingExplorer,
    plot_gradient_routes,
    pool_view,
    symbolic_grid,
)
from helpers.norm import local_contrast_norm

GRID = list(itertools.product(("max", "avg", "sum"), KERNEL_SIZES, STRIDES, PADDINGS, (False, True)))


def torch_pool(x, kind, k, s, p, ceil_mode):
    t = torch.tensor(x)[None, None]
    if kind == "max":
        out = F.max_pool2d(t, k, s, p, ceil_mode=ceil_mode)
    else:
        out = F.avg_pool2d(t, k, s, p, ceil_mode=ceil_mode, divisor_override=1 if kind == "sum" else None)
    return out[0, 0].numpy()


def window_value(view, kind, k, p, n):
    """Recompute the selected output from its highlighted window alone (as torch divides, for avg)."""
    r0, c0, r1, c1 = view.window
    cells = view.padded[r0:min(r1, n + 2 * p), c0:min(c1, n + 2 * p)]
    if kind == "max":
        return cells.max()
    if kind == "sum":
        return cells.sum()
    return cells.sum() / cells.size  # count_include_pad: padding cells count, cells past the padding do not


@pytest.mark.parametrize("kind, k, s, p, ceil_mode", GRID)
def test_pool_view_over_the_whole_grid(kind, k, s, p, ceil_mode):
    x = symbolic_grid()
    n = x.shape[0]
    last = 99  # the sliders' far end: clipped to the last output
    view = pool_view(x, kind, k, s, p, ceil_mode, row=last, col=last)
    if p > k // 2:
        assert view.output is None and "padding" in view.message and "torch" in view.message
        return
    assert view.message == ""
    ref = torch_pool(x, kind, k, s, p, ceil_mode)
    assert view.output.shape == ref.shape and rel_error(view.output, ref) < 1e-12
    m = ref.shape[0]
    assert view.selected == (m - 1, m - 1)
    assert view.formula.endswith(f"= {m}") and ("ceil" if ceil_mode else "floor") in view.formula
    for i, j in {(0, 0), (m - 1, 0), (m // 2, m - 1), (m - 1, m - 1)}:
        v = pool_view(x, kind, k, s, p, ceil_mode, row=i, col=j)
        assert np.isclose(window_value(v, kind, k, p, n), ref[i, j]), (i, j)


@pytest.mark.parametrize("args, words", [
    (dict(kind="min"), "kind of pooling"),
    (dict(kernel_size=0), "kernel size"),
    (dict(stride=1.5), "stride"),
    (dict(padding=-1), "padding"),
    (dict(kernel_size=4, padding=3), "at most kernel_size // 2"),
])
def test_pool_view_never_raises(args, words):
    view = pool_view(symbolic_grid(), **args)
    assert view.output is None and words in view.message
    assert pool_view(np.zeros((3, 4))).message.startswith("The input must be a square")
    assert pool_view(np.zeros((1, 1)), kernel_size=3, padding=0).message.startswith("The 3×3 window does not fit")


def test_explorer_sweeps_the_grid_and_shows_torch_numbers(monkeypatch):
    ex = PoolingExplorer()
    ex.fig.canvas.draw()
    # Rasterizing 288 frames would take most of this test's time and checks nothing more:
    # the artists' state is what the figure shows (other tests draw for real).
    monkeypatch.setattr(ex._blit, "redraw", lambda **kwargs: None)
    monkeypatch.setattr(ex.fig.canvas, "draw_idle", lambda: None)
    x = ex.x
    for kind, k, s, p, ceil_mode in GRID:
        ex.set(kind=kind, kernel_size=k, stride=s, padding=p, ceil_mode=ceil_mode)
        if p > k // 2:
            assert ex.message and not ex.fig.axes[1].images[0].get_visible()
            continue
        assert ex.message == "" and ex.fig.axes[1].images[0].get_visible()
        ref = torch_pool(x, kind, k, s, p, ceil_mode)
        assert rel_error(np.asarray(ex.fig.axes[1].images[0].get_array()), ref) < 1e-12
        m = ref.shape[0]
        assert ex.row.max == m - 1 and ex.col.max == m - 1  # the sliders follow the output size
        shown = [t.get_text() for t in ex.fig.axes[1].texts if t.get_visible()]
        assert len(shown) == m * m
        assert f"= {m}" in ex.fig.get_suptitle()


def test_explorer_selection_moves_the_window():
    ex = PoolingExplorer(kind="max", kernel_size=3, stride=2, padding=1)
    ex.row.value, ex.col.value = 2, 1
    r0, c0, r1, c1 = ex.view.window
    assert (r0, c0, r1, c1) == (4, 2, 7, 5)
    assert ex.fig.axes[0].patches[0].get_width() == 3 and ex.fig.axes[0].patches[0].get_height() == 3
    ex.padding.value = 2  # invalid for k=3: a message, then valid again
    assert "padding" in ex.message
    ex.padding.value = 0
    assert ex.message == "" and ex.fig.axes[0].patches[0].get_visible()


def test_moving_the_selection_redraws_only_the_outlines():
    ex = PoolingExplorer(kind="avg", kernel_size=2, stride=1)
    ex.fig.canvas.draw()  # a full draw captures the background
    ex.row.value = 1
    middle = ex._blit._middle
    assert middle is not None
    ex.col.value = 3  # selection only: the saved output layer is reused
    assert ex._blit._middle is middle and ex.view.selected == (1, 3)
    ex.stride.value = 2  # the output changed: the layer is drawn again
    assert ex._blit._middle is not middle


def test_explorer_rejects_bad_construction():
    with pytest.raises(ValueError, match="square"):
        PoolingExplorer(np.zeros((4, 5)))


# ------------------------------------------------------------------ illumination
@pytest.fixture(scope="module")
def small_photo():
    return photograph(factor=8)


def test_lit_and_illumination_view(small_photo):
    assert np.allclose(lit(small_photo, 0.5), 0.5 * small_photo)
    ramp = lit(np.ones((2, 5)), 1.0, 0.8)
    assert np.allclose(ramp[0], [0.2, 0.4, 0.6, 0.8, 1.0])
    dim = illumination_view(small_photo, gain=0.3)
    assert dim.raw_change > 0.5 and dim.lcn_change < 1e-6  # a uniform change of light: LCN undoes it
    side = illumination_view(small_photo, gain=1.0, gradient=0.7)
    assert side.raw_change > 0.2 and side.lcn_change < side.raw_change / 2  # a ramp: mostly undone
    assert rel_error(side.normalized, local_contrast_norm(lit(small_photo, 1.0, 0.7))) == 0
    for bad in (dict(gain=0), dict(gradient=1.0), dict(gain=float("nan"))):
        v = illumination_view(small_photo, **bad)
        assert v.normalized is None and v.message


def test_illumination_explorer_sweeps_its_sliders(small_photo):
    ex = IlluminationExplorer(small_photo)
    for gain in np.arange(ex.gain.min, ex.gain.max + 1e-9, 0.3):
        for gradient in (0.0, 0.5, 0.95):
            ex.gain.value, ex.gradient.value = float(gain), gradient
            assert ex.view.message == ""
            assert np.array_equal(np.asarray(ex.fig.axes[1].images[0].get_array()), ex.view.normalized)
            assert f"{ex.view.lcn_change:.1%}" in ex.fig.axes[1].get_title()


def test_gradient_routes_figure():
    import matplotlib.pyplot as plt

    axes = plot_gradient_routes(symbolic_grid(4), 2)
    texts = [[t.get_text() for t in ax.texts] for ax in axes]
    assert texts[1].count("1") == 4 and texts[1].count("0") == 12  # one winner per 2x2 window
    assert set(texts[2]) == {"0.25"}
    plt.close("all")


def test_layer_terminology_figure_names_every_stage_both_ways():
    import matplotlib.pyplot as plt

    complex_ax, simple_ax = plot_layer_terminology()
    complex_texts = [t.get_text() for t in complex_ax.texts]
    simple_texts = [t.get_text() for t in simple_ax.texts]
    assert [name for name, _ in LAYER_STAGES] == ["Convolution", "Detector", "Pooling", "Normalization"]
    for name, _ in LAYER_STAGES:
        assert any(t.startswith(f"{name} stage") for t in complex_texts)
        assert any(t.startswith(f"{name} layer") for t in simple_texts)
    assert "Convolutional layer" in complex_texts and "Convolutional layer" not in simple_texts
    assert complex_ax.get_title() == "Complex layer terminology" and simple_ax.get_title() == "Simple layer terminology"
    plt.close("all")
