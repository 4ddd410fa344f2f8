"""helpers.pool against torch (the oracle) and the numerical gradient, over randomized configurations."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers.checks import gradient_check, rel_error
from helpers.conv import conv_output_size
from helpers.pool import (
    avg_pool2d,
    avg_pool2d_backward,
    avg_pool2d_naive,
    global_avg_pool2d,
    global_max_pool2d,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_naive,
    pool2d,
    pool_output_size,
    sum_pool2d,
    sum_pool2d_backward,
    sum_pool2d_naive,
)
from tests.torch_oracle import nchw_tensor as t
from tests.torch_oracle import torch_pool_input_grad


def same_shape(ref, x):
    """torch's result (a tensor or a tuple of them) as numpy, with the axes of ``x``."""
    if isinstance(ref, tuple):
        return tuple(same_shape(r, x) for r in ref)
    ref = ref.detach().numpy()
    return ref[0, 0] if np.ndim(x) == 2 else ref


def _every_window_sees_an_input(n, k, s, p, d, n_out):
    """torch leaves a window made only of padding at -inf with an out-of-range index; we exclude those."""
    return all(any(0 <= i * s - p + u * d < n for u in range(k)) for i in range(n_out))


@st.composite
def pool_configs(draw, max_hw=9, dilation=True):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    dh, dw = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilation else (1, 1)
    H, W = draw(st.integers(1, max_hw)), draw(st.integers(1, max_hw))
    ceil_mode = draw(st.booleans())
    assume(dh * (kh - 1) + 1 <= H + 2 * ph and dw * (kw - 1) + 1 <= W + 2 * pw)
    Ho = pool_output_size(H, kh, sh, ph, dh, ceil_mode)
    Wo = pool_output_size(W, kw, sw, pw, dw, ceil_mode)
    assume(_every_window_sees_an_input(H, kh, sh, ph, dh, Ho) and _every_window_sees_an_input(W, kw, sw, pw, dw, Wo))
    shape = draw(st.sampled_from([(draw(st.integers(1, 2)), draw(st.integers(1, 3)), H, W), (2, H, W), (H, W)]))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal(shape)
    kwargs = dict(kernel_size=(kh, kw), stride=(sh, sw), padding=(ph, pw), ceil_mode=ceil_mode)
    if dilation:
        kwargs["dilation"] = (dh, dw)
    return x, kwargs


# ------------------------------------------------------------------ forward against torch
@settings(max_examples=300)
@given(pool_configs())
def test_max_pool2d_and_indices_match_torch(cfg):
    x, kw = cfg
    out, idx = max_pool2d(x, **kw, return_indices=True)
    ref, ref_idx = same_shape(F.max_pool2d(t(x), **kw, return_indices=True), x)
    assert out.shape == ref.shape
    assert np.array_equal(out, ref)
    assert np.array_equal(idx, ref_idx)
    assert np.array_equal(max_pool2d(x, **kw), out)


@settings(max_examples=60)
@given(pool_configs(max_hw=6))
def test_max_pool2d_naive_matches_torch_and_vectorised(cfg):
    x, kw = cfg
    out, idx = max_pool2d_naive(x, **kw, return_indices=True)
    ref, ref_idx = same_shape(F.max_pool2d(t(x), **kw, return_indices=True), x)
    assert np.array_equal(out, ref) and np.array_equal(idx, ref_idx)


@settings(max_examples=300)
@given(pool_configs(dilation=False), st.booleans(), st.sampled_from([None, 1, 3, -2]))
def test_avg_pool2d_matches_torch(cfg, count_include_pad, divisor_override):
    x, kw = cfg
    ours = avg_pool2d(x, **kw, count_include_pad=count_include_pad, divisor_override=divisor_override)
    ref = same_shape(F.avg_pool2d(t(x), **kw, count_include_pad=count_include_pad,
                                  divisor_override=divisor_override), x)
    assert ours.shape == ref.shape
    assert rel_error(ours, ref) < 1e-12


@settings(max_examples=60)
@given(pool_configs(max_hw=6, dilation=False), st.booleans())
def test_avg_pool2d_naive_matches_torch(cfg, count_include_pad):
    x, kw = cfg
    ref = same_shape(F.avg_pool2d(t(x), **kw, count_include_pad=count_include_pad), x)
    assert rel_error(avg_pool2d_naive(x, **kw, count_include_pad=count_include_pad), ref) < 1e-12


@settings(max_examples=100)
@given(pool_configs(max_hw=6, dilation=False))
def test_sum_pool2d_is_torch_lp_pool_with_p_1(cfg):
    x, kw = cfg
    assume(kw["padding"] == (0, 0))  # lp_pool2d has no padding
    x = np.abs(x)  # lp_pool with p=1 sums |x| (it is a norm)
    ref = same_shape(F.lp_pool2d(t(x), 1, kw["kernel_size"], kw["stride"], ceil_mode=kw["ceil_mode"]), x)
    if not kw["ceil_mode"]:  # lp_pool multiplies the average by the full window size, also for partial windows
        assert rel_error(sum_pool2d(x, **kw), ref) < 1e-12
    assert rel_error(sum_pool2d_naive(x, **kw), sum_pool2d(x, **kw)) < 1e-12
    assert rel_error(sum_pool2d(x, **kw), same_shape(F.avg_pool2d(t(x), **kw, divisor_override=1), x)) < 1e-12


def test_float32_stays_float32():
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    for out in (max_pool2d(x, 2), avg_pool2d(x, 3, 1, 1), sum_pool2d(x, 2), global_avg_pool2d(x)):
        assert out.dtype == np.float32
    assert rel_error(avg_pool2d(x, 3, 1, 1), F.avg_pool2d(torch.from_numpy(x), 3, 1, 1)) < 1e-6


def test_global_pooling_matches_torch_adaptive_pooling():
    x = np.random.default_rng(1).standard_normal((2, 4, 5, 7))
    assert rel_error(global_avg_pool2d(x), F.adaptive_avg_pool2d(t(x), 1)) < 1e-12
    assert np.array_equal(global_max_pool2d(x), F.adaptive_max_pool2d(t(x), 1).numpy())
    with pytest.raises(ValueError, match="shape"):
        global_avg_pool2d(np.zeros(5))


def test_pool2d_dispatches_by_kind():
    x = np.random.default_rng(2).standard_normal((1, 2, 6, 6))
    assert np.array_equal(pool2d(x, "max", 2), max_pool2d(x, 2))
    assert np.array_equal(pool2d(x, "avg", 3, 1, 1), avg_pool2d(x, 3, 1, 1))
    assert np.array_equal(pool2d(x, "sum", 2), sum_pool2d(x, 2))
    with pytest.raises(ValueError, match="kind='min'.*'max'"):
        pool2d(x, "min", 2)


def test_slide_example_max_average_sum():
    """A 4x4 grid, 2x2 windows with stride 2, worked by hand."""
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)
    assert np.array_equal(max_pool2d(x, 2), [[6, 8], [3, 4]])
    assert np.array_equal(avg_pool2d(x, 2), [[3.25, 5.25], [2, 2]])
    assert np.array_equal(sum_pool2d(x, 2), [[13, 21], [8, 8]])


# ------------------------------------------------------------------ output size
@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 5), st.integers(0, 3), st.integers(1, 3), st.booleans())
def test_pool_output_size_is_torch_shape(n, k, s, p, d, ceil_mode):
    assume(p <= k // 2 and d * (k - 1) + 1 <= n + 2 * p)
    ours = pool_output_size(n, k, s, p, d, ceil_mode)
    ref = F.max_pool1d(torch.zeros(1, 1, n), k, s, p, d, ceil_mode=ceil_mode).shape[-1]
    assert ours == ref
    if not ceil_mode:
        assert ours == conv_output_size(n, k, s, p, d)


def test_ceil_mode_keeps_a_partial_window_but_never_one_in_the_padding():
    assert pool_output_size(5, 2) == 2 and pool_output_size(5, 2, ceil_mode=True) == 3
    # 6 + 2*1 - 2 = 6 -> ceil(6/4) + 1 = 3 windows, but the third would start at 8 - 1 = 7 >= 6 + 1: dropped
    assert pool_output_size(6, 2, 4, 1, ceil_mode=True) == 2
    assert F.max_pool1d(torch.zeros(1, 1, 6), 2, 4, 1, ceil_mode=True).shape[-1] == 2


# ------------------------------------------------------------------ bad arguments
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(kernel_size=3, padding=2), r"padding=2 .*kernel_size=3.*<= 1"),
        (dict(kernel_size=2, padding=2), r"padding=2 .*<= 1"),
        (dict(kernel_size=0), r"kernel_size=\(0, 0\).*>= 1"),
        (dict(kernel_size=2, stride=0), r"stride=\(0, 0\).*>= 1"),
        (dict(kernel_size=2, padding=-1), r"padding=\(-1, -1\).*>= 0"),
        (dict(kernel_size=9), r"kernel_size=9 .*larger than the padded input"),
        (dict(kernel_size=2.5), r"kernel_size=2.5"),
        (dict(kernel_size=(2, 2, 2)), r"kernel_size"),
        (dict(kernel_size=2, ceil_mode="yes"), r"ceil_mode='yes'"),
    ],
)
def test_bad_arguments_raise_value_errors_like_torch(kwargs, match):
    x = np.zeros((1, 1, 8, 8))
    with pytest.raises(ValueError, match=match):
        max_pool2d(x, **kwargs)
    with pytest.raises(ValueError, match=match):
        max_pool2d_naive(x, **kwargs)
    # torch refuses the same arguments (it raises RuntimeError or TypeError)
    tkw = {k: v for k, v in kwargs.items() if k != "ceil_mode"}
    if "ceil_mode" not in kwargs:
        with pytest.raises((RuntimeError, TypeError, ValueError)):
            F.max_pool2d(torch.zeros(1, 1, 8, 8), **tkw)


def test_more_bad_arguments():
    with pytest.raises(ValueError, match=r"dilation=\(0, 0\)"):
        max_pool2d(np.zeros((4, 4)), 2, dilation=0)
    with pytest.raises(ValueError, match="count_include_pad"):
        avg_pool2d(np.zeros((4, 4)), 2, count_include_pad=None)
    with pytest.raises(ValueError, match="divisor_override=0"):
        avg_pool2d(np.zeros((4, 4)), 2, divisor_override=0)
    with pytest.raises(ValueError, match="dimensions"):
        avg_pool2d(np.zeros(4), 2)
    with pytest.raises(ValueError, match="dtype"):
        max_pool2d(np.array([["a", "b"], ["c", "d"]]), 1)


# ------------------------------------------------------------------ backward
@settings(max_examples=100)
@given(pool_configs(max_hw=7))
def test_max_pool2d_backward_matches_torch_autograd(cfg):
    x, kw = cfg
    out, idx = max_pool2d(x, **kw, return_indices=True)
    dout = np.random.default_rng(3).standard_normal(out.shape)
    dx = max_pool2d_backward(dout, idx, x.shape)
    assert rel_error(dx, torch_pool_input_grad(x, dout, "max", kw)) < 1e-12


@settings(max_examples=100)
@given(pool_configs(max_hw=7, dilation=False), st.booleans())
def test_avg_and_sum_pool2d_backward_match_torch_autograd(cfg, count_include_pad):
    x, kw = cfg
    out = avg_pool2d(x, **kw, count_include_pad=count_include_pad)
    dout = np.random.default_rng(4).standard_normal(out.shape)
    dx = avg_pool2d_backward(dout, x.shape, **kw, count_include_pad=count_include_pad)
    xt = t(x).requires_grad_(True)
    F.avg_pool2d(xt, **kw, count_include_pad=count_include_pad).backward(t(dout))
    assert rel_error(dx, same_shape(xt.grad, x)) < 1e-12
    assert rel_error(sum_pool2d_backward(dout, x.shape, **kw), torch_pool_input_grad(x, dout, "sum", kw)) < 1e-12


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)])
def test_backward_passes_pass_the_numerical_gradient_check(kw):
    rng = np.random.default_rng(5)
    x = rng.permutation(2 * 5 * 5).reshape(1, 2, 5, 5) / 7.0  # distinct values: the max is not on a kink
    out, idx = max_pool2d(x, **kw, return_indices=True)
    dout = rng.standard_normal(out.shape)
    assert gradient_check(lambda z: max_pool2d(z, **kw), x, max_pool2d_backward(dout, idx, x.shape), df=dout) < 1e-8
    out = avg_pool2d(x, **kw)
    dout = rng.standard_normal(out.shape)
    assert gradient_check(lambda z: avg_pool2d(z, **kw), x, avg_pool2d_backward(dout, x.shape, **kw), df=dout) < 1e-8


def test_max_pool_gradient_goes_only_to_the_argmax():
    x = np.array([[1.0, 3.0], [2.0, 0.0]])
    out, idx = max_pool2d(x, 2, return_indices=True)
    assert idx.item() == 1
    assert np.array_equal(max_pool2d_backward(np.array([[5.0]]), idx, x.shape), [[0, 5], [0, 0]])
    assert np.array_equal(avg_pool2d_backward(np.array([[4.0]]), x.shape, 2), np.ones((2, 2)))


def test_backward_argument_errors():
    with pytest.raises(ValueError, match="indices has shape"):
        max_pool2d_backward(np.zeros((2, 2)), np.zeros((3, 3), dtype=int), (4, 4))
    with pytest.raises(ValueError, match="indices must lie"):
        max_pool2d_backward(np.zeros((1, 1)), np.array([[16]]), (4, 4))
    with pytest.raises(ValueError, match="grad_output has shape"):
        avg_pool2d_backward(np.zeros((3, 3)), (4, 4), 2)
