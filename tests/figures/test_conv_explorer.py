"""The convolution explorer, without a browser: every setting of every control against torch."""

import itertools
import re

import numpy as np
import pytest
import torch

from helpers.conv import PADDING_MODES
from helpers.figures.conv_explorer import (
    DILATIONS,
    INPUTS,
    PADDINGS,
    STRIDES,
    ConvExplorer,
    explore,
    explorer_input,
    label_overlay,
)
from helpers.filters import PRESETS, kernel_preset
from helpers.symbolic import cell_sum, symbolic_conv2d
from tests.torch_oracle import torch_conv2d, torch_pad


def torch_explore(image, kernel, stride, padding, mode, dilation):
    """torch's output for one setting, or None when torch refuses it."""
    x = torch.tensor(image)[None, None]
    try:
        return torch_conv2d(x.numpy(), kernel[None, None], stride=stride, padding=padding, dilation=dilation,
                            padding_mode=mode)[0, 0]
    except (RuntimeError, ValueError, NotImplementedError):
        return None


GRID = list(itertools.product(STRIDES, PADDINGS, PADDING_MODES, DILATIONS))


@pytest.mark.parametrize("input_name", INPUTS)
def test_the_whole_grid_of_values_matches_torch(input_name):
    image = explorer_input(input_name)
    n_valid = n_invalid = 0
    for preset in PRESETS:
        kernel = kernel_preset(preset)
        for stride, padding, mode, dilation in GRID:
            s = explore(input_name, preset, stride, padding, mode, dilation)
            expected = torch_explore(image, kernel, stride, padding, mode, dilation)
            if expected is None:  # torch refuses: the explorer shows a one-line message instead
                n_invalid += 1
                assert s.output is None and s.message and "\n" not in s.message
                continue
            n_valid += 1
            assert s.message == "" and s.output is not None
            assert s.output.shape == expected.shape
            np.testing.assert_allclose(s.output, expected, rtol=1e-12, atol=1e-12)
            # the printed size is the real one
            assert s.formula.endswith(f"= {expected.shape[0]}")
            # the selected (last) cell: its window times the kernel is the output value
            i, j = s.cell
            assert (i, j) == (expected.shape[0] - 1, expected.shape[1] - 1)
            window = s.padded[s.window[:, 0], s.window[:, 1]]
            assert window @ kernel.ravel() == pytest.approx(expected[i, j], abs=1e-12)
            shown = float(s.cell_text.rsplit("=", 1)[1])  # printed with 4 significant digits
            assert shown == pytest.approx(expected[i, j], rel=1e-3, abs=1e-9)
    assert n_valid
    assert (n_invalid > 0) == (input_name == "symbolic 5x5")  # the small grid holds invalid settings too


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (3, 2, 2), (2, 3, 3)])
def test_every_step_walks_the_window_over_torch_numbers(stride, padding, dilation):
    image, kernel = explorer_input("photo patch"), kernel_preset("emboss")
    expected = torch_explore(image, kernel, stride, padding, "reflect", dilation)
    n_out = expected.shape[0]
    for step in range(n_out * n_out):
        s = explore("photo patch", "emboss", stride, padding, "reflect", dilation, step=step)
        i, j = divmod(step, n_out)
        assert s.cell == (i, j) and s.step == step
        padded = torch_pad(image, padding, "reflect")
        assert padded[s.window[:, 0], s.window[:, 1]] @ kernel.ravel() == pytest.approx(expected[i, j], abs=1e-12)
        # the taps are dilation apart and start at the stride's multiple
        assert s.window[0].tolist() == [i * stride, j * stride]
        assert set(np.diff(np.unique(s.window[:, 0]))) <= {dilation}


def test_symbolic_cell_text_is_the_slides_sum():
    for stride, padding, dilation in itertools.product(STRIDES, PADDINGS, DILATIONS):
        try:
            terms = symbolic_conv2d(5, 5, 3, stride, padding, dilation)
        except ValueError:
            continue
        for step in range(len(terms) ** 2):
            s = explore("symbolic 5x5", "identity", stride, padding, "zeros", dilation, step=step)
            i, j = s.cell
            text = s.cell_text.split("=")[1].replace("\n", " ").replace("+ +", "+")
            shown = [t for t in re.split(r"\s*\+\s*", text.strip()) if t and t != "0"]
            assert " + ".join(shown) == (cell_sum(terms[i][j]) if terms[i][j] else ""), (stride, padding, step)


def test_bad_names_give_a_message_not_a_traceback():
    assert explore("cat", "identity").message.startswith("input='cat'")
    assert explore("digit", "blur 9x9").message.startswith("name='blur 9x9'")
    assert explore("digit", "identity", padding_mode="wrap").message.startswith("padding_mode='wrap'")
    for bad in ({"stride": 0}, {"padding": -1}, {"dilation": 1.5}, {"stride": True}):
        s = explore("digit", "identity", **bad)
        assert s.output is None and s.message.startswith(f"{next(iter(bad))}=")


# ------------------------------------------------------------------ the widget class
@pytest.fixture(scope="module")
def explorer():
    return ConvExplorer("digit", "sobel x")


@pytest.mark.parametrize("input_name", INPUTS)
def test_widget_sweeps_its_sliders_and_shows_torch_numbers(explorer, input_name):
    ex = explorer
    ex.input.value = input_name
    image, kernel = explorer_input(input_name), kernel_preset(ex.kernel.value)
    for stride, padding, mode, dilation in GRID:
        ex.stride.value, ex.padding.value = stride, padding
        ex.padding_mode.value, ex.dilation.value = mode, dilation
        expected = torch_explore(image, kernel, stride, padding, mode, dilation)
        if expected is None:
            assert not ex.fig.axes[2].images[0].get_visible() and ex.message
            assert ex.state.message in ex.cell_line.value
            continue
        assert ex.fig.axes[2].images[0].get_visible() and ex.message == ""
        shown = np.ma.getdata(ex.fig.axes[2].images[0].get_array())
        done = ~np.isnan(shown)
        np.testing.assert_allclose(shown[done], expected[done], rtol=1e-12, atol=1e-12)
        assert done.all(), "moving a slider shows the whole output map"
        assert ex.size.value.endswith(f"= {expected.shape[0]}")
        assert ex.fig.axes[2].get_title() == f"Output {expected.shape[0]}×{expected.shape[1]}"
        assert ex.step.max == expected.size - 1
        padded = np.asarray(ex.fig.axes[0].images[0].get_array())
        np.testing.assert_array_equal(padded, torch_pad(image, padding, mode))


def test_widget_step_slider_fills_the_map_cell_by_cell(explorer):
    ex = explorer
    ex.input.value, ex.stride.value, ex.padding.value, ex.dilation.value = "photo patch", 2, 1, 1
    ex.padding_mode.value = "zeros"
    n_out = ex.state.output.shape[0]
    for step in (0, 5, n_out * n_out - 1):
        ex.step.value = step
        shown = np.ma.getdata(ex.fig.axes[2].images[0].get_array())
        assert np.count_nonzero(~np.isnan(shown)) == step + 1
        assert ex.state.cell == divmod(step, n_out)
        assert f"out[{step // n_out},{step % n_out}]" in ex.cell_line.value
    ex.step.value = 3
    ex.stride.value = 1  # not at the end: the step is kept
    assert ex.state.step == 3
    ex.step.value = ex.step.max
    ex.stride.value = 2  # at the end: it stays at the end, the map stays whole
    assert ex.step.value == ex.step.max == ex.state.output.size - 1


def test_widget_kernel_change_redraws_the_kernel_panel(explorer):
    ex = explorer
    ex.kernel.value = "laplacian"
    assert [t.get_text() for t in ex.fig.axes[1].texts] == [f"{v:.2g}" for v in kernel_preset("laplacian").ravel()]
    assert "laplacian" in ex.fig.axes[1].get_title()


def test_widget_has_stable_css_classes(explorer):
    for name in ("stride", "padding", "padding-mode", "dilation", "step", "input", "kernel", "size"):
        state = getattr(explorer, name.replace("-", "_")).get_state()  # what the browser receives
        assert f"conv-explorer-{name}" in state["_dom_classes"]


def test_widget_rejects_bad_construction():
    with pytest.raises(ValueError, match="input='x'"):
        ConvExplorer("x")
    with pytest.raises(ValueError, match="stride=5"):
        ConvExplorer(stride=5)
    with pytest.raises(ValueError, match="padding_mode='wrap'"):
        ConvExplorer(padding_mode="wrap")


def test_label_overlay_puts_text_in_each_cell():
    names = np.array([["a11", "0"], ["a21", "a22"]], dtype=object)
    inside = np.array([[True, False], [True, True]])
    rgba = label_overlay(names, inside)
    tile = rgba.shape[0] // 2
    assert rgba.shape == (2 * tile, 2 * tile, 4)
    for r in range(2):
        for c in range(2):
            alpha = rgba[r * tile:(r + 1) * tile, c * tile:(c + 1) * tile, 3]
            assert alpha.max() > 0.5
    assert rgba[:tile, tile:, 0].max() > 0.5  # padding in red
    assert rgba[:tile, :tile, 2].max() > 0.3 and rgba[:tile, :tile, 0].max() == 0  # inside in navy
