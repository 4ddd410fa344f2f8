"""helpers.conv against torch (the oracle), over randomized configurations."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers.checks import rel_error
from helpers.conv import (
    PADDING_MODES,
    conv2d,
    conv2d_naive,
    conv_output_size,
    convolve1d,
    convolve2d,
    correlate1d,
    correlate2d,
    pad2d,
)
from tests.torch_oracle import torch_conv2d

TORCH_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


@st.composite
def conv_configs(draw, max_hw=10):
    """A valid Conv2d configuration: groups, bias, strides, dilation, padding mode, non-square."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    H, W = draw(st.integers(1, max_hw)), draw(st.integers(1, max_hw))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    mode = draw(st.sampled_from(PADDING_MODES))
    if draw(st.booleans()):
        padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
        ph, pw = padding
    else:
        padding = draw(st.sampled_from(["valid", "same"]))
        if padding == "same":
            stride = (1, 1)
        ph = dilation[0] * (kh - 1) - dilation[0] * (kh - 1) // 2 if padding == "same" else 0
        pw = dilation[1] * (kw - 1) - dilation[1] * (kw - 1) // 2 if padding == "same" else 0
    # what torch accepts: reflect pad < size, circular pad <= size, the kernel fits
    assume(mode != "reflect" or (ph < H and pw < W))
    assume(mode != "circular" or (ph <= H and pw <= W))
    pad_total_h = 2 * ph if not isinstance(padding, str) else (dilation[0] * (kh - 1) if padding == "same" else 0)
    pad_total_w = 2 * pw if not isinstance(padding, str) else (dilation[1] * (kw - 1) if padding == "same" else 0)
    assume(dilation[0] * (kh - 1) + 1 <= H + pad_total_h and dilation[1] * (kw - 1) + 1 <= W + pad_total_w)
    n = draw(st.integers(1, 2))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in, H, W))
    w = rng.standard_normal((c_out, c_in // groups, kh, kw))
    b = rng.standard_normal(c_out) if bias else None
    return x, w, b, dict(stride=stride, padding=padding, dilation=dilation, groups=groups, padding_mode=mode)


@settings(max_examples=300)
@given(conv_configs())
def test_conv2d_matches_torch(cfg):
    x, w, b, kw = cfg
    ours = conv2d(x, w, b, **kw)
    ref = torch_conv2d(x, w, b, **kw)
    assert ours.shape == ref.shape
    assert rel_error(ours, ref) < 1e-10


@settings(max_examples=60)
@given(conv_configs(max_hw=7))
def test_conv2d_naive_matches_torch_and_vectorised(cfg):
    x, w, b, kw = cfg
    naive = conv2d_naive(x, w, b, **kw)
    assert rel_error(naive, torch_conv2d(x, w, b, **kw)) < 1e-10
    assert rel_error(naive, conv2d(x, w, b, **kw)) < 1e-10


def test_float32_stays_float32_and_matches_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 16, 32, 32)).astype(np.float32)
    w = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)
    ours = conv2d(x, w, padding=1)
    assert ours.dtype == np.float32
    ref = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    assert np.abs(ours - ref).max() / np.abs(ref).max() < 1e-5  # float32 rounding, relative to scale


@pytest.mark.parametrize("N, C, H, W, C_out, k, kwargs", [
    (2, 16, 12, 12, 8, 3, dict(padding=1)),  # a typical layer
    (2, 16, 12, 12, 8, 3, dict(stride=2, dilation=2, padding=2)),
    (2, 8, 9, 9, 8, 3, dict(padding=1, groups=8)),  # depthwise
    (4, 1, 32, 32, 6, 5, {}),  # LeNet-5's C1
    (4, 6, 14, 14, 16, 5, {}),  # C3, full
    (1, 1, 30, 25, 1, 3, dict(padding=1, padding_mode="reflect")),
])
def test_float32_equals_torch_on_the_benchmark_s_kinds_of_layer(N, C, H, W, C_out, k, kwargs):
    """Both column layouts (helpers.im2col) are reached: float32 results within float32 rounding of torch's."""
    rng = np.random.default_rng(N * C + k)
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = rng.standard_normal((C_out, C // kwargs.get("groups", 1), k, k)).astype(np.float32)
    ref = torch_conv2d(x, w, **kwargs)  # float64
    ours = conv2d(x, w, **kwargs)
    assert ours.dtype == np.float32 and ours.shape == ref.shape
    assert np.abs(ours - ref).max() / np.abs(ref).max() < 1e-5


def test_2d_input_gives_2d_output_as_on_the_slides():
    img = np.arange(16.0).reshape(4, 4)  # the slides' 4x4 input a_11..a_44
    k = np.arange(9.0).reshape(3, 3)
    out = conv2d(img, k)
    assert out.shape == (2, 2)
    # top-left entry: a11 k11 + a12 k12 + ... + a33 k33
    assert out[0, 0] == pytest.approx(np.sum(img[:3, :3] * k))
    assert out[0, 1] == pytest.approx(np.sum(img[:3, 1:4] * k))
    # stride 2 on a 5x5 input: the second output starts at a13
    img5 = np.arange(25.0).reshape(5, 5)
    out5 = conv2d(img5, k, stride=2)
    assert out5.shape == (2, 2)
    assert out5[0, 1] == pytest.approx(np.sum(img5[:3, 2:5] * k))


@settings(max_examples=150)
@given(
    st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 4), st.integers(1, 3),
)
def test_conv_output_size_matches_torch_shapes(n, k, s, p, d):
    assume(d * (k - 1) + 1 <= n + 2 * p)
    x = torch.zeros(1, 1, n, 3)
    w = torch.zeros(1, 1, k, 1)
    assert conv_output_size(n, k, s, p, d) == F.conv2d(x, w, stride=(s, 1), padding=(p, 0), dilation=(d, 1)).shape[2]


def test_conv_output_size_worked_examples():
    assert conv_output_size(32, 5) == 28  # LeNet-5 C1
    assert conv_output_size(14, 5) == 10  # LeNet-5 C3
    assert conv_output_size(4, 3) == 2  # the slides' stride-1 example
    assert conv_output_size(5, 3, stride=2) == 2  # the slides' stride-2 example
    assert conv_output_size(6, 3, stride=2) == 2  # floor, not ceil
    assert conv_output_size(7, 3, dilation=2) == 3


@settings(max_examples=150)
@given(
    st.integers(1, 9), st.integers(1, 9), st.sampled_from(PADDING_MODES),
    st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4), st.integers(0, 4)),
    st.integers(2, 4),
)
def test_pad2d_matches_torch(H, W, mode, pad, ndim):
    left, right, top, bottom = pad
    assume(mode != "reflect" or (max(left, right) < W and max(top, bottom) < H))
    assume(mode != "circular" or (max(left, right) <= W and max(top, bottom) <= H))
    x = np.random.default_rng(H * 10 + W).standard_normal((2, 3, H, W)[4 - ndim:])
    t = torch.from_numpy(x)
    # torch pads 2-D data as (N, C, H, W) or (C, H, W) in the non-constant modes
    t4 = t.reshape((1,) * (4 - ndim) + tuple(t.shape))
    ref = F.pad(t4, pad, mode=TORCH_PAD_MODE[mode]).reshape(
        x.shape[:-2] + (H + top + bottom, W + left + right)).numpy()
    assert np.array_equal(pad2d(x, pad, mode), ref)


def test_pad2d_int_pads_every_side():
    assert pad2d(np.ones((2, 3)), 1).shape == (4, 5)
    assert np.array_equal(pad2d(np.arange(3.0)[None], (2, 2, 0, 0), "reflect"), [[2, 1, 0, 1, 2, 1, 0]])


# ------------------------------------------------------------------ convolution vs cross-correlation
@settings(max_examples=100)
@given(st.integers(1, 12), st.integers(1, 6), st.sampled_from(["full", "valid", "same"]), st.integers(0, 999))
def test_convolve1d_matches_numpy(n, k, mode, seed):
    assume(mode == "full" or k <= n)  # numpy swaps the arrays or grows 'same' when k > n
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    assert rel_error(convolve1d(x, w, mode), np.convolve(x, w, mode)) < 1e-12
    if mode != "same":  # numpy centres an even-length 'same' correlation the other way
        assert rel_error(correlate1d(x, w, mode), np.correlate(x, w, mode)) < 1e-12


def test_convolution_flips_the_kernel_and_correlation_does_not():
    x = np.array([0.0, 0, 1, 0, 0])  # an impulse
    w = np.array([1.0, 2, 3])
    assert np.array_equal(convolve1d(x, w, "same"), [0, 1, 2, 3, 0])  # impulse response = w
    assert np.array_equal(correlate1d(x, w, "same"), [0, 3, 2, 1, 0])  # the kernel, flipped


@settings(max_examples=60)
@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 4), st.integers(1, 4), st.integers(0, 999))
def test_convolve2d_is_torch_conv_with_flipped_kernel(H, W, kh, kw, seed):
    rng = np.random.default_rng(seed)
    img, k = rng.standard_normal((H, W)), rng.standard_normal((kh, kw))
    full = convolve2d(img, k, "full")
    ref = F.conv2d(torch.from_numpy(img)[None, None], torch.from_numpy(k[::-1, ::-1].copy())[None, None],
                   padding=(kh - 1, kw - 1))[0, 0].numpy()
    assert rel_error(full, ref) < 1e-10
    # convolution commutes (full mode), cross-correlation does not in general
    assert rel_error(convolve2d(k, img, "full"), full) < 1e-10
    if kh <= H and kw <= W:
        ref_valid = F.conv2d(torch.from_numpy(img)[None, None], torch.from_numpy(k)[None, None])[0, 0].numpy()
        assert rel_error(correlate2d(img, k, "valid"), ref_valid) < 1e-10


# ------------------------------------------------------------------ bad arguments
X = np.zeros((1, 2, 5, 5))
Wt = np.zeros((4, 2, 3, 3))

BAD_CONV = [
    (dict(stride=0), "stride"),
    (dict(stride=(1, -1)), "stride"),
    (dict(stride=1.5), "stride"),
    (dict(padding=-1), "padding"),
    (dict(padding="half"), "padding"),
    (dict(dilation=0), "dilation"),
    (dict(groups=0), "groups"),
    (dict(groups=3), "groups"),  # C_in = 2 not divisible by 3
    (dict(padding_mode="mirror"), "padding_mode"),
    (dict(padding=5, padding_mode="reflect"), "reflect"),  # reflect padding >= input size
    (dict(padding=6, padding_mode="circular"), "circular"),
    (dict(padding="same", stride=2), "padding='same'"),
    (dict(dilation=3), "kernel_size"),  # spans 7 > 5: kernel larger than the padded input
]


@pytest.mark.parametrize("fn", [conv2d, conv2d_naive])
@pytest.mark.parametrize("kwargs, name", BAD_CONV)
def test_bad_arguments_raise_a_clear_value_error(fn, kwargs, name):
    with pytest.raises(ValueError, match=name.replace("(", r"\(").replace("[", r"\[")) as info:
        fn(X, Wt, **kwargs)
    assert "allowed" in str(info.value) or "expected" in str(info.value) or "needs" in str(info.value)


@pytest.mark.parametrize(
    "x, w, b, name",
    [
        (np.zeros((2, 5, 5)), Wt, None, "x has 3 dimensions"),
        (X, np.zeros((4, 2, 3)), None, "weight has 3 dimensions"),
        (X, np.zeros((4, 3, 3, 3)), None, "C_in"),  # channels don't match the weight
        (np.zeros((1, 4, 5, 5)), np.zeros((3, 2, 3, 3)), None, "C_out"),  # groups=2 below
        (X, Wt, np.zeros(3), "bias"),
        (X, np.zeros((4, 2, 7, 7)), None, "kernel_size"),
        (np.array([["a"]]), np.ones((1, 1)), None, "dtype"),
    ],
)
def test_bad_shapes_raise_a_clear_value_error(x, w, b, name):
    groups = 2 if name == "C_out" else 1
    with pytest.raises(ValueError, match=name):
        conv2d(x, w, b, groups=groups)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: conv_output_size(0, 3), "n=0"),
        (lambda: conv_output_size(5, 0), "kernel_size=0"),
        (lambda: conv_output_size(5, 3, stride=0), "stride=0"),
        (lambda: conv_output_size(5, 3, padding=-1), "padding"),
        (lambda: conv_output_size(5, 3, dilation=0), "dilation=0"),
        (lambda: conv_output_size(3, 5), "kernel_size=5"),
        (lambda: pad2d(np.zeros((3, 3)), 3, "reflect"), "reflect"),
        (lambda: pad2d(np.zeros((3, 3)), -1), "pad"),
        (lambda: pad2d(np.zeros((3, 3)), (1, 2)), "pad"),
        (lambda: pad2d(np.zeros(3), 1), "x has 1 dimensions"),
        (lambda: pad2d(np.zeros((3, 3)), 1, "wrap"), "mode='wrap'"),
        (lambda: convolve1d(np.zeros((2, 2)), [1.0]), "x has shape"),
        (lambda: convolve1d([1.0], [1.0, 2.0], "valid"), "valid"),
        (lambda: convolve1d([1.0], [1.0], "circular"), "mode="),
        (lambda: convolve2d(np.zeros(3), np.zeros((1, 1))), "image has shape"),
    ],
)
def test_other_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name.replace("(", r"\(")):
        call()
