"""Widget logic, tested without a browser: every preset swept, invalid input shown as a message."""



import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.checks import rel_error
from helpers.data import photograph, shrink
from helpers.figures.kernel_explorer import KernelFilterExplorer
from helpers.filters import PRESETS, filter_image, kernel_preset


def torch_filter(image, kernel):
    x = F.pad(torch.tensor(image)[None, None], (1, 1, 1, 1), mode="reflect")
    return F.conv2d(x, torch.tensor(np.asarray(kernel, dtype=np.float64))[None, None])[0, 0].numpy()


@pytest.fixture(scope="module")
def small_photo():
    return photograph(factor=8)  # 75 x 64


def test_photograph_is_real_and_offline():
    full = photograph(factor=1)
    assert full.shape == (600, 512) and 0.0 <= full.min() < 0.1 and 0.9 < full.max() <= 1.0
    assert photograph().shape == (300, 256)
    assert photograph(gray=False).shape == (300, 256, 3)
    full[:] = 0  # a copy: later calls are unchanged
    assert photograph(factor=1).max() > 0.9


def test_downsample_averages_blocks():
    a = np.arange(16.0).reshape(4, 4)
    assert np.array_equal(shrink(a, 2), [[2.5, 4.5], [10.5, 12.5]])
    with pytest.raises(ValueError, match="factor"):
        shrink(a, 0)


@pytest.mark.parametrize("name", PRESETS)
def test_filter_image_matches_torch_for_every_preset(name, small_photo):
    r = filter_image(small_photo, kernel_preset(name))
    assert r.message == "" and r.output.shape == small_photo.shape
    assert rel_error(r.output, torch_filter(small_photo, kernel_preset(name))) < 1e-12
    lo, hi = r.clim
    assert lo < hi


def test_identity_preset_returns_the_image(small_photo):
    assert np.array_equal(filter_image(small_photo, kernel_preset("identity")).output, small_photo)


@pytest.mark.parametrize("bad", [np.ones((2, 3)), [[1, 2, 3]], [[np.nan, 0, 0], [0, 1, 0], [0, 0, 0]],
                                 [[np.inf] * 3] * 3, "sobel", None])
def test_filter_image_never_raises_on_a_bad_kernel(bad, small_photo):
    r = filter_image(small_photo, bad)
    assert r.output is None and r.message


def test_unknown_preset_is_a_clear_value_error():
    with pytest.raises(ValueError, match="name='sobel z'.*'sobel x'"):
        kernel_preset("sobel z")


def test_explorer_sweeps_every_preset_and_shows_torch_numbers(small_photo):
    ex = KernelFilterExplorer(small_photo, preset="identity")
    for name in PRESETS:
        ex.preset.value = name  # what a click on the dropdown does
        assert np.array_equal(ex.kernel(), kernel_preset(name))
        shown = np.asarray(ex.fig.axes[2].images[0].get_array())
        assert rel_error(shown, torch_filter(small_photo, kernel_preset(name))) < 1e-12
        assert name in ex.about.value
        assert [t.get_text() for t in ex.fig.axes[1].texts] == [f"{v:.3g}" for v in kernel_preset(name).ravel()]


def test_editing_a_box_switches_to_custom_and_back(small_photo):
    ex = KernelFilterExplorer(small_photo, preset="sobel x")
    ex.cells[4].value = 3.0  # the centre entry
    assert ex.preset.value == "custom"
    expected = kernel_preset("sobel x")
    expected[1, 1] = 3.0
    assert rel_error(np.asarray(ex.fig.axes[2].images[0].get_array()), torch_filter(small_photo, expected)) < 1e-12
    ex.cells[4].value = 0.0
    assert ex.preset.value == "sobel x"
    ex.set_kernel(kernel_preset("laplacian"))
    assert ex.preset.value == "laplacian"


def test_explorer_shows_a_message_instead_of_a_traceback(small_photo):
    ex = KernelFilterExplorer(small_photo)
    ex.cells[0].value = float("nan")
    assert ex.result.output is None
    assert ex.message and not ex.fig.axes[2].images[0].get_visible()
    ex.cells[0].value = -1.0  # back to valid: the output returns
    assert ex.fig.axes[2].images[0].get_visible() and ex.message == ""


def test_explorer_rejects_bad_construction():
    with pytest.raises(ValueError, match="preset"):
        KernelFilterExplorer(np.zeros((8, 8)), preset="nope")
    with pytest.raises(ValueError, match="grayscale"):
        KernelFilterExplorer(np.zeros((8, 8, 3)))
