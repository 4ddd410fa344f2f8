"""Notebook 02's figures and the 1-D sliding-convolution widget, tested without a browser."""

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.checks import rel_error, time_implementations
from helpers.conv import multichannel_parts
from helpers.figures.convolution import (
    DISCRETE_W,
    DISCRETE_X,
    SlidingConvolution,
    exact_s,
    kernel_w,
    plot_convolution_vs_correlation,
    plot_multichannel,
    signal_x,
    slide_continuous,
    slide_discrete,
)
from tests.torch_oracle import torch_conv2d


def torch_convolve1d(x, w):
    """True convolution via torch: cross-correlation with the flipped kernel, fully padded."""
    xt = torch.tensor(np.asarray(x, dtype=np.float64))[None, None]
    wt = torch.tensor(np.asarray(w, dtype=np.float64)[::-1].copy())[None, None]
    return F.conv1d(xt, wt, padding=len(w) - 1)[0, 0].numpy()


# ------------------------------------------------------------------ 1-D: continuous and discrete
def test_continuous_slide_approaches_the_closed_form():
    for t in np.linspace(-1, 7, 33):
        sl = slide_continuous(t)
        assert sl.s_t == pytest.approx(float(exact_s(t)), abs=0.011)  # the trapezoid rule at jumps, step 0.01
        np.testing.assert_array_equal(sl.w_flipped, kernel_w(t - sl.a))  # the kernel flipped and shifted
        np.testing.assert_array_equal(sl.product, signal_x(sl.a) * kernel_w(t - sl.a))
    sl = slide_continuous(0.0)
    assert np.abs(sl.s - exact_s(sl.ts)).max() < 0.011


def test_discrete_slide_sums_to_torch_at_every_t():
    s = torch_convolve1d(DISCRETE_X, DISCRETE_W)
    for t in range(len(s)):
        sl = slide_discrete(t)
        assert sl.s_t == pytest.approx(s[t], abs=1e-12)
        np.testing.assert_allclose(sl.s, s, atol=1e-12)
        # w(t - a) really is the kernel reversed, its first tap at a = t
        nonzero = sl.a[sl.w_flipped != 0]
        assert sl.w_flipped[sl.a == t][0] == DISCRETE_W[0]
        assert nonzero.max() == t or t >= len(DISCRETE_X) + len(DISCRETE_W) - 1


@pytest.mark.parametrize("bad", [-1, 10, 2.5, True])
def test_discrete_slide_rejects_t_outside_the_output(bad):
    with pytest.raises(ValueError, match="t="):
        slide_discrete(bad)
    with pytest.raises(ValueError, match="t="):
        slide_continuous(float("nan"))


@pytest.mark.parametrize("mode", SlidingConvolution.MODES)
def test_sliding_widget_sweeps_every_t_and_shows_torch_numbers(mode):
    w = SlidingConvolution(mode)
    if mode == "discrete":
        values, s = range(w.t.min, w.t.max + 1), torch_convolve1d(DISCRETE_X, DISCRETE_W)
    else:
        values = np.round(np.arange(w.t.min, w.t.max + 1e-9, w.t.step), 2)
    for v in values:
        w.t.value = v
        x_dot, y_dot = w._dot.get_data()
        if mode == "discrete":
            assert y_dot[0] == pytest.approx(s[v], abs=1e-12)
            assert w.readout.value.endswith(f"= {s[v]:g}")
        else:
            assert y_dot[0] == pytest.approx(float(exact_s(v)), abs=0.011)
            assert f"= {slide_continuous(v).s_t:.3f}" in w.readout.value
        assert x_dot[0] == pytest.approx(v)
        trace_x, _ = w._trace.get_data()
        assert len(trace_x) and max(trace_x) <= v + 1e-9
    with pytest.raises(ValueError, match="mode"):
        SlidingConvolution("analog")


# ------------------------------------------------------------------ 2-D multi-channel
def test_multichannel_parts_add_up_to_torch():
    rng = np.random.default_rng(0)
    x, w, b = rng.random((3, 9, 8)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    full = torch_conv2d(x[None], w, b, padding=1)[0]
    for i in range(4):
        parts = multichannel_parts(x, w, b, i, padding=1)
        for j in range(3):
            np.testing.assert_allclose(parts.per_channel[j], torch_conv2d(x[None, j:j + 1], w[i:i + 1, j:j + 1],
                                                                          padding=1)[0, 0], atol=1e-12)
        assert rel_error(parts.output, full[i]) < 1e-12
        assert rel_error(parts.total + parts.bias, full[i]) < 1e-12 and parts.bias == b[i]
    with pytest.raises(ValueError, match="out_channel=4"):
        multichannel_parts(x, w, b, 4)
    with pytest.raises(ValueError, match="do not fit"):
        multichannel_parts(x[:2], w, b, 0)
    fig = plot_multichannel(x, w, b, 1, padding=1)
    assert "feature map F_2" in fig.axes[7].get_title()
    matplotlib.pyplot.close(fig)


def test_convolution_is_correlation_with_the_flipped_kernel():
    rng = np.random.default_rng(1)
    image, k = rng.random((10, 11)), rng.standard_normal((3, 3))
    fig = plot_convolution_vs_correlation(image, k)
    corr, conv = (np.asarray(ax.get_images()[0].get_array()) for ax in fig.axes[2:])
    assert rel_error(corr, torch_conv2d(image[None, None], k[None, None])[0, 0]) < 1e-12
    assert rel_error(conv, torch_conv2d(image[None, None], k[None, None, ::-1, ::-1].copy())[0, 0]) < 1e-12
    assert rel_error(corr, conv) > 0.1  # an asymmetric kernel: the flip matters
    matplotlib.pyplot.close(fig)


def test_time_implementations_agree_with_torch():
    rng = np.random.default_rng(2)
    x, w, b = rng.random((1, 2, 7, 6)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    timings = time_implementations(x, w, b, repeat=2, stride=2, padding=1)
    assert [t.name.split()[0] for t in timings] == ["loops", "numpy", "torch"]
    expected = torch_conv2d(x, w, b, stride=2, padding=1)
    for t in timings:
        assert t.seconds > 0 and rel_error(t.output, expected) < 1e-12


@pytest.mark.parametrize("c_in", [1, 3, 5])
def test_multichannel_volume_draws_one_slab_and_one_kernel_per_input_channel(c_in):
    from helpers.figures.convolution import plot_multichannel_volume

    ax = plot_multichannel_volume(c_in, out_channel=2)
    texts = [t.get_text() for t in ax.texts]
    assert sorted(t for t in texts if t.startswith("$x_")) == [f"$x_{j}$" for j in range(1, c_in + 1)]
    assert sorted(t for t in texts if t.startswith("$w_")) == [f"$w_{{{j},2}}$" for j in range(1, c_in + 1)]
    # 3 faces per box: c_in input slabs + c_in kernels + 1 output map
    assert sum(type(p).__name__ == "Polygon" for p in ax.patches) == 3 * (2 * c_in + 1)
    matplotlib.pyplot.close(ax.figure)


@pytest.mark.parametrize("bad", [0, 7, 1.5])
def test_multichannel_volume_rejects_bad_channel_counts(bad):
    from helpers.figures.convolution import plot_multichannel_volume

    with pytest.raises(ValueError, match="in_channels=.* is not allowed"):
        plot_multichannel_volume(bad)
