"""Notebook 01's widgets without a browser: every combination of values, numbers equal to torch's.

The explorers live in receptive_explorer and shift_explorer; notebook 01 imports them from motivation.
"""

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from helpers.connectivity import connectivity_1d
from helpers.conv import PADDING_MODES
from helpers.figures import motivation, receptive_explorer, shift_explorer
from helpers.figures.motivation import (
    KERNEL_SIZES,
    PADDINGS,
    ReceptiveFieldExplorer,
    ShiftEquivarianceExplorer,
    plot_connectivity,
    receptive_field_view,
    shift_view,
)
from helpers.filters import PRESETS, kernel_preset

N = 32
GRID = list(itertools.product(range(1, 7), KERNEL_SIZES, range(1, 4), range(1, 4), PADDINGS))


def test_the_names_notebook_01_imports_are_the_explorers():
    for module in (receptive_explorer, shift_explorer):
        for name in module.__all__:
            assert getattr(motivation, name) is getattr(module, name)
            assert name in motivation.__all__


def torch_field(n, n_layers, k, s, d, padding, unit):
    """Output size and d out[unit] / d input of an all-ones nn.Conv2d stack (None when it does not fit)."""
    p = d * (k - 1) // 2 if padding == "same" else 0
    convs = [torch.nn.Conv2d(1, 1, k, s, p, d, bias=False, dtype=torch.float64) for _ in range(n_layers)]
    for c in convs:
        torch.nn.init.ones_(c.weight)
    x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    try:
        y = torch.nn.Sequential(*convs)(x)
    except RuntimeError:  # torch: "Kernel size can't be greater than actual input size"
        return None, None
    if unit is None:
        return y.shape[-1], None
    y[0, 0, unit[0], unit[1]].backward()
    return y.shape[-1], x.grad[0, 0].numpy()


@pytest.mark.parametrize("n_layers", range(1, 7))
def test_receptive_view_sweeps_the_whole_grid(n_layers):
    for _, k, s, d, padding in (g for g in GRID if g[0] == n_layers):
        m, _ = torch_field(N, n_layers, k, s, d, padding, None)
        v = receptive_field_view(N, n_layers, k, s, d, padding, (0, 10 ** 6))  # unit clamped into the output
        if m is None:
            assert "does not fit" in v.message and v.gradient is None and not v.agree
            # the message names the first layer that torch cannot apply
            first_bad = next(L for L in range(1, n_layers + 1) if torch_field(N, L, k, s, d, padding, None)[0] is None)
            assert f"Layer {first_bad}'s kernel spans {d * (k - 1) + 1} pixels" in v.message
            continue
        assert v.message == "" and v.sizes[-1] == m and v.unit == (0, m - 1)
        _, grad = torch_field(N, n_layers, k, s, d, padding, v.unit)
        assert np.array_equal(v.gradient, grad) and np.array_equal(v.closed_form, grad) and v.agree
        assert v.pixels_seen == np.count_nonzero(grad)


def test_receptive_view_rejects_bad_padding_without_raising():
    v = receptive_field_view(N, 2, 3, padding="full")
    assert v.message and v.gradient is None


@pytest.fixture(scope="module")
def digit():
    from helpers.data import sample_digit

    return np.pad(sample_digit(0), 2)


def test_receptive_explorer_sweeps_every_control_and_shows_torch_numbers(digit):
    ex = ReceptiveFieldExplorer(digit)
    rng = np.random.default_rng(0)
    combos = [GRID[i] for i in rng.choice(len(GRID), 40, replace=False)]  # the plain function: all of GRID
    for n_layers, k, s, d, padding in combos:
        ex.layers.value, ex.kernel.value, ex.stride.value, ex.dilation.value, ex.padding.value = n_layers, k, s, d, padding
        m, _ = torch_field(N, n_layers, k, s, d, padding, None)
        if m is None:
            assert ex.message and not ex.fig.axes[1].images[0].get_visible()
            continue
        assert ex.message == "" and ex.row.max == m - 1 and ex.col.max == m - 1
        _, grad = torch_field(N, n_layers, k, s, d, padding, (ex.row.value, ex.col.value))
        assert np.array_equal(ex.view.gradient, grad)
        assert f"{np.count_nonzero(grad)} pixels" in ex.fig.axes[0].get_title()
        assert f"Output {m}×{m}" in ex.fig.axes[1].get_title()
        assert "agree ✓" in ex.table.value and f"r = {ex.view.stats[-1].size})" in ex.table.value
        # the orange pixels are exactly the gradient's nonzero pixels
        rgb = np.asarray(ex.fig.axes[0].images[0].get_array())
        orange = (rgb[..., 0] > rgb[..., 2] + 1e-9)
        assert np.array_equal(orange, grad != 0)


def test_a_click_on_the_output_selects_that_unit(digit):
    ex = ReceptiveFieldExplorer(digit, n_layers=2, kernel_size=3)
    ex.fig.canvas.draw()

    class Click:  # what matplotlib passes to a button_press_event handler
        inaxes, xdata, ydata = ex.fig.axes[1], 3.2, 7.8

    ex._on_click(Click())
    assert (ex.row.value, ex.col.value) == (8, 3) and ex.view.unit == (8, 3)
    _, grad = torch_field(N, 2, 3, 1, 1, "valid", (8, 3))
    assert np.array_equal(ex.view.gradient, grad)
    assert np.array_equal(np.nonzero(grad.any(axis=1))[0], np.arange(8, 13))  # rows 8..12: two 3x3 layers see 5x5


def test_invalid_stack_shows_a_message_then_recovers(digit):
    ex = ReceptiveFieldExplorer(digit)
    ex.layers.value, ex.kernel.value, ex.dilation.value = 6, 7, 3
    assert "does not fit" in ex.message and ex.table.value == ""
    ex.dilation.value = 1
    ex.layers.value = 2
    assert ex.message == "" and ex.fig.axes[1].images[0].get_visible()


def torch_shift_error(image, k, dy, dx, stride, mode, circular):
    x = torch.tensor(image)[None, None]
    w = torch.tensor(k)[None, None]

    def conv(t):
        if mode == "zeros":
            return torch.nn.functional.conv2d(t, w, stride=stride, padding=1)
        return torch.nn.functional.conv2d(torch.nn.functional.pad(t, (1, 1, 1, 1), mode=mode), w, stride=stride)

    def move(t, a, b):
        if circular:
            return torch.roll(t, (a, b), dims=(2, 3))
        H, W = t.shape[-2:]
        out = torch.zeros_like(t)
        out[..., max(a, 0):H + min(a, 0), max(b, 0):W + min(b, 0)] = \
            t[..., max(-a, 0):H - max(a, 0), max(-b, 0):W - max(b, 0)]
        return out

    oy, ox = round(dy / stride), round(dx / stride)
    return float(torch.linalg.norm(conv(move(x, dy, dx)) - move(conv(x), oy, ox)))


@pytest.fixture(scope="module")
def photo():
    from helpers.data import photograph

    return photograph(factor=8)[:40, :36]  # small and even


def test_shift_view_sweeps_every_kernel_stride_mode_and_a_grid_of_shifts(photo):
    for name, stride, mode, circular in itertools.product(PRESETS, range(1, 4), PADDING_MODES, (False, True)):
        for dy, dx in itertools.product(range(-8, 9, 4), range(-8, 9, 3)):
            v = shift_view(photo, name, dy, dx, stride, mode, circular)
            assert v.message == ""
            expected = torch_shift_error(photo, kernel_preset(name), dy, dx, stride, mode, circular)
            assert abs(v.result.norm - expected) <= 1e-9 * max(1.0, expected)
            if v.result.exact_shift:
                assert v.result.interior_norm < 1e-10


def test_shift_view_reports_bad_values_as_messages(photo):
    assert shift_view(photo, "sobel z", 1, 1).message
    assert shift_view(photo, "sobel x", 1.5, 1).message
    assert shift_view(photo, "sobel x", 1, 1, stride=0).message


def test_shift_explorer_shows_torch_numbers_for_every_control(photo):
    ex = ShiftEquivarianceExplorer(photo)
    for name in PRESETS:
        ex.kernel.value = name
    for mode in PADDING_MODES:
        ex.padding_mode.value = mode
        for circular in (False, True):
            ex.circular.value = circular
            for stride in (1, 2, 3):
                ex.stride.value = stride
                for dy in (-8, 1, 4):  # the plain function above sweeps the whole grid
                    ex.dy.value = dy
                    expected = torch_shift_error(photo, kernel_preset(ex.kernel.value), dy, ex.dx.value, stride, mode,
                                                 circular)
                    shown = float(ex.fig.get_suptitle().split("= ", 1)[1].split()[0])  # printed with 3 digits
                    assert abs(shown - expected) <= 5e-3 * abs(expected) + 1e-9, (ex.fig.get_suptitle(), expected)
                    assert np.allclose(np.asarray(ex.fig.axes[3].images[0].get_array()), ex.view.result.error)


def test_connectivity_figure_counts_the_edges():
    fig, (a, b) = plt.subplots(1, 2)
    plot_connectivity(connectivity_1d(5), "dense", highlight_input=2, ax=a)
    plot_connectivity(connectivity_1d(5, 3, padding=1), "conv", highlight_input=2, ax=b)
    assert a.get_title().endswith("25 connections") and b.get_title().endswith("13 connections")
    assert len(a.collections[0].get_segments()) == 25 and len(b.collections[0].get_segments()) == 13
    plt.close(fig)


def test_explorers_reject_bad_construction():
    with pytest.raises(ValueError, match="square"):
        ReceptiveFieldExplorer(np.zeros((8, 9)))
    with pytest.raises(ValueError, match="kernel='nope'"):
        ShiftEquivarianceExplorer(np.zeros((8, 8)), kernel="nope")


def test_timeline_draws_every_milestone_in_order():
    from helpers.figures.motivation import EVENTS, plot_timeline

    years = [e.year for e in EVENTS]
    assert years == sorted(years) and {1959, 1962, 1981, 1989, 2012} <= set(years)
    assert any("Neocognitron" in e.label for e in EVENTS) and any("5 conv" in e.label for e in EVENTS)
    ax = plot_timeline()
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == len(EVENTS) and all(str(e.year) in t for e, t in zip(EVENTS, texts))
    lo, hi = ax.get_xlim()
    assert lo < min(years) and hi > max(years)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="events is empty"):
        plot_timeline([])


def test_cortex_hierarchy_alternates_simple_and_complex_layers():
    from matplotlib.patches import FancyBboxPatch

    from helpers.figures.motivation import CORTEX_LEVELS, EVENTS, plot_cortex_hierarchy

    # Fukushima (1980): U0 -> US1 -> UC1 -> US2 -> UC2 -> US3 -> UC3, S and C layers alternating.
    kinds = [kind for _, _, kind in CORTEX_LEVELS[1][1]]
    assert kinds == ["input", "S", "C", "S", "C", "S", "C"]
    assert [kind for _, _, kind in CORTEX_LEVELS[0][1]][:3] == ["input", "S", "C"]  # retina, simple, complex
    ax = plot_cortex_hierarchy()
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == sum(len(levels) for _, levels in CORTEX_LEVELS)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "simple" in texts and "complex" in texts and "Neocognitron" in texts
    arrows = [t for t in ax.texts if t.get_text() == "" and getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == sum(len(levels) - 1 for _, levels in CORTEX_LEVELS)
    # the hypercomplex cells were reported in 1965, after the simple and complex cells (1962)
    assert {e.year for e in EVENTS if "hypercomplex" in e.label} == {1965}
    plt.close(ax.figure)
