"""Notebook 07's figures and widgets without a browser: every control swept, numbers from torch."""

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
from torch import nn

from helpers.counting import count_parameters
from helpers.figures.modern_convolutions import (
    ERF_KERNELS,
    ERF_MARGIN,
    HOLE,
    MAX_ERF_FIELD,
    MAX_FIELD,
    PRESETS,
    DilatedStackExplorer,
    ErfExplorer,
    dilated_stack_view,
    erf_view,
    plot_erf,
    plot_footprints,
    plot_radius_growth,
)
from helpers.receptive import ConvSpec, footprint, gradient_field, receptive_field_size


def torch_stack(ks, ds, channels):
    """The oracle: field (recursion), path counts (autograd on an all-ones stack), weights (nn.Conv2d)."""
    layers = [ConvSpec(k, dilation=d) for k, d in zip(ks, ds)]
    r = receptive_field_size(layers)
    convs = nn.Sequential(*[nn.Conv2d(channels, channels, k, dilation=d, bias=False, device="meta")
                            for k, d in zip(ks, ds)])
    return r, (gradient_field(r, layers, (0, 0)) if r <= MAX_FIELD else None), count_parameters(convs)


STACKS = [list(zip(*combo)) for n in (1, 2, 3)
          for combo in itertools.product(itertools.product((1, 2, 3, 5), range(1, 5)), repeat=n)]


def test_dilated_view_sweeps_every_stack_of_up_to_three_layers():
    assert len(STACKS) == 16 + 16 ** 2 + 16 ** 3
    for ks, ds in STACKS[::7] + STACKS[:300]:  # a stride through all 4,368, plus every 1- and 2-layer stack
        v = dilated_stack_view(", ".join(map(str, ks)), " ".join(map(str, ds)), channels=3)
        r, grad, weights = torch_stack(ks, ds, 3)
        if r > MAX_FIELD:
            assert v.counts is None and f"{r}x{r}" in v.message
            continue
        assert v.message == "" and v.summary.field == r and v.summary.weights == weights
        assert np.array_equal(v.counts, grad)
        assert v.summary.holes == np.count_nonzero(grad == 0) and v.summary.seen == np.count_nonzero(grad)


def test_dilated_view_takes_lists_and_large_fields_up_to_the_limit():
    v = dilated_stack_view([3] * 5, [1, 2, 4, 8, 16], channels=64)
    assert v.summary.field == 63 <= MAX_FIELD and v.summary.holes == 0 and v.summary.weights == 45 * 64 ** 2
    assert "127x127" in dilated_stack_view([3] * 6, [1, 2, 4, 8, 16, 32]).message


@pytest.mark.parametrize("ks, ds", [("3, 3", "1, 2, 4"), ("3, x", "1, 2"), ("", "1"), ("3", ""), ("3, 0", "1, 1"),
                                    ("3", "-1"), ("3", "1.5"), (",".join(["3"] * 9), ",".join(["1"] * 9))])
def test_dilated_view_reports_bad_lists_as_messages(ks, ds):
    v = dilated_stack_view(ks, ds)
    assert v.message and v.counts is None and v.summary is None


def _crimson(rgb) -> np.ndarray:
    return np.all(np.isclose(np.asarray(rgb), HOLE), axis=-1)


def test_dilated_explorer_follows_presets_and_typed_stacks():
    ex = DilatedStackExplorer()
    for name, (ks, ds) in PRESETS.items():
        ex.preset.value = name
        r, grad, weights = torch_stack(ks, ds, ex.channels.value)
        title = ex.ax.get_title()
        assert f"field {r}x{r}" in title and f"{weights:,}" in title
        assert ("no holes" in title) == (not np.any(grad == 0))
        assert _crimson(ex.image.get_array()).sum() == np.count_nonzero(grad == 0)
        assert not ex.message
    ex.kernels.value, ex.dilations.value = "5, 3", "1, 4"
    r, grad, _ = torch_stack((5, 3), (1, 4), 64)
    assert ex.view.summary.field == r == 13 and _crimson(ex.image.get_array()).sum() == np.count_nonzero(grad == 0)
    ex.channels.value = 10
    assert f"{(25 + 9) * 100:,} for C = 10" in ex.ax.get_title()


def test_dilated_explorer_shows_a_message_then_recovers():
    ex = DilatedStackExplorer(preset="three 3x3 (VGG)")
    ex.dilations.value = "1, 2"
    assert ex.message and "3 kernel sizes but 2 dilations" in ex.message
    ex.dilations.value = "1, 2, 40"
    assert "at most" in ex.message
    ex.dilations.value = "1, 2, 5"
    assert not ex.message and "field 17x17" in ex.ax.get_title()
    with pytest.raises(ValueError, match="preset='nope'"):
        DilatedStackExplorer(preset="nope")


# ---------------------------------------------------------------------------------------------- ERF
ERF_GRID = list(itertools.product(range(1, 11), ERF_KERNELS, (1, 2, 3)))


def test_erf_view_sweeps_the_whole_grid():
    for depth, k, d in ERF_GRID:
        v = erf_view(depth, k, d)
        layers = [ConvSpec(k, dilation=d)] * depth
        r = receptive_field_size(layers)
        if r > MAX_ERF_FIELD:
            assert v.erf is None and f"{r}x{r}" in v.message
            continue
        n = r + 2 * ERF_MARGIN
        assert v.message == "" and v.field == r and v.erf.shape == (n, n)
        # nothing outside the theoretical field, and only where paths arrive (the footprint's support)
        fp = footprint(n, layers, ((n - r) // 2, (n - r) // 2))
        assert np.all(v.erf[fp == 0] == 0) and v.erf.max() > 0
        assert 0 < v.sigma < r / 2


def test_erf_view_of_one_layer_fills_its_kernel_and_rejects_bad_values():
    v = erf_view(1, 7, 2)
    n = v.size
    fp = footprint(n, [ConvSpec(7, dilation=2)], (ERF_MARGIN, ERF_MARGIN))
    assert np.array_equal(v.erf > 0, fp > 0)
    for bad in ((0, 3, 1), (2, 3, 0), (2.0, 3, 1), (True, 3, 1)):
        assert erf_view(*bad).message and erf_view(*bad).erf is None


def test_erf_explorer_sweeps_its_controls():
    ex = ErfExplorer(depth=2)
    for depth, k, d in ERF_GRID[::5]:
        ex.depth.value, ex.kernel.value, ex.dilation.value = depth, k, d
        r = receptive_field_size([ConvSpec(k, dilation=d)] * depth)
        if r > MAX_ERF_FIELD:
            assert ex.message and not ex.image.get_visible()
            continue
        v = ex.view
        assert ex.message == "" and ex.image.get_visible()
        assert np.allclose(np.asarray(ex.image.get_array()), v.erf / v.erf.max())
        assert ex.field_box.get_width() == r and ex.field_box.get_x() == pytest.approx(ERF_MARGIN - 0.5)
        assert ex.sigma_circle.get_radius() == pytest.approx(2 * v.sigma)
        assert f"field {r}x{r}" in ex.ax_row.get_title() and f"σ = {v.sigma:.2f}" in ex.ax_row.get_title()
        xs, ys = ex.row_line.get_data()  # offsets in half-widths: the ERF is zero beyond ±1
        assert np.all(np.asarray(ys)[np.abs(xs) > 1 + 1e-9] == 0) and np.sum(np.abs(xs) <= 1 + 1e-9) == r
    ex.depth.value, ex.kernel.value, ex.dilation.value = 10, 31, 3
    assert "at most" not in ex.message and "up to" in ex.message
    ex.depth.value, ex.kernel.value, ex.dilation.value = 3, 3, 1
    assert ex.message == "" and ex.image.get_visible()


# ---------------------------------------------------------------------------------------------- static
def test_plot_footprints_titles_and_holes():
    axes = plot_footprints({"a": ((3, 3, 3), (2, 2, 2)), "b": ((3, 3, 3), (1, 2, 5))})
    assert "field 13x13, 27C², 120 holes" in axes[0].get_title()
    assert "field 17x17, 27C², no holes" in axes[1].get_title()
    assert _crimson(axes[0].images[0].get_array()).sum() == 120 and not _crimson(axes[1].images[0].get_array()).any()
    plt.close("all")
    with pytest.raises(ValueError):
        plot_footprints({})


def test_plot_erf_and_radius_growth_draw_what_they_say():
    r, c = np.indices((21, 21))
    g = np.exp(-((r - 10) ** 2 + (c - 10) ** 2) / 8.0)  # σ = 2
    ax = plot_erf(g, 13, "test")
    assert "field 13, σ = 2.00" in ax.get_title()
    assert ax.patches[0].get_width() == 13 and ax.patches[1].get_radius() == pytest.approx(4.0, rel=1e-3)
    ax = plot_radius_growth([1, 2, 4], {"a": [1.0, 1.4, 2.0]}, fields=[3, 5, 9])
    assert len(ax.lines) == 3 and np.allclose(ax.lines[1].get_ydata(), [1, 2, 4])
    plt.close("all")
