"""helpers.im2col: both column layouts against torch (the oracle), over random shapes, strides,
dilations, groups and zero paddings; the small-buffer chunking; bad arguments."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import im2col
from helpers.checks import rel_error
from helpers.im2col import by_columns, by_rows


@st.composite
def products(draw, vertical_dilation=True):
    """Input, weight and (stride, dilation, groups, zero padding (left, right, top, bottom)) that torch accepts."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    H, W = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)) if vertical_dilation else 1, draw(st.integers(1, 3)))
    pad = tuple(draw(st.integers(0, 4)) for _ in range(4))  # left, right, top, bottom: padding may exceed the kernel
    assume(dilation[0] * (kh - 1) < H + pad[2] + pad[3] and dilation[1] * (kw - 1) < W + pad[0] + pad[1])
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((draw(st.integers(1, 3)), c_in, H, W))
    w = rng.standard_normal((c_out, c_in // groups, kh, kw))
    return x, w, stride, dilation, groups, pad


def torch_valid(x, w, stride, dilation, groups, pad=(0, 0, 0, 0)):
    """torch's cross-correlation of x zero-padded by pad = (left, right, top, bottom), float64."""
    xt = F.pad(torch.from_numpy(x), pad)
    return F.conv2d(xt, torch.from_numpy(w), stride=stride, dilation=dilation, groups=groups).numpy()


@settings(max_examples=200)
@given(products())
def test_by_columns_matches_torch(case):
    x, w, stride, dilation, groups, pad = case
    xp = F.pad(torch.from_numpy(x), pad).numpy()  # by_columns takes a padded input
    ref = torch_valid(x, w, stride, dilation, groups, pad)
    ours = by_columns(xp, w, stride, dilation, groups)
    assert ours.shape == ref.shape and ours.flags.c_contiguous
    assert rel_error(ours, ref) < 1e-10


@settings(max_examples=200)
@given(products(vertical_dilation=False))
def test_by_rows_pads_with_zeros_and_matches_torch(case):
    x, w, stride, dilation, groups, pad = case
    ref = torch_valid(x, w, stride, dilation, groups, pad)
    ours = by_rows(x, w, stride, dilation, groups, padding=pad)
    assert ours.shape == ref.shape and ours.flags.c_contiguous
    assert rel_error(ours, ref) < 1e-10


@settings(max_examples=40)
@given(products(vertical_dilation=False), st.integers(1, 3))
def test_small_buffers_give_the_same_numbers(case, columns):
    """With tiny buffers both layouts work an image (or a part of the batch) at a time: same result."""
    x, w, stride, dilation, groups, pad = case
    ref = torch_valid(x, w, stride, dilation, groups, pad)
    saved = im2col.CHUNK_BYTES, im2col.PRODUCT_COLUMNS
    try:
        im2col.CHUNK_BYTES, im2col.PRODUCT_COLUMNS = 1, columns
        xp = F.pad(torch.from_numpy(x), pad).numpy()
        assert rel_error(by_rows(x, w, stride, dilation, groups, padding=pad), ref) < 1e-10
        assert rel_error(by_columns(xp, w, stride, dilation, groups), ref) < 1e-10
    finally:
        im2col.CHUNK_BYTES, im2col.PRODUCT_COLUMNS = saved


def test_float32_and_views_of_other_arrays():
    rng = np.random.default_rng(1)
    big = rng.standard_normal((4, 6, 20, 20)).astype(np.float32)
    x = big[::2, :, 2:16, 1:15]  # not contiguous
    w = rng.standard_normal((16, 6, 5, 5)).astype(np.float32)
    ref = F.conv2d(torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(w)).numpy()
    for ours in (by_rows(x, w), by_columns(x, w)):
        assert ours.dtype == np.float32
        assert np.abs(ours - ref).max() / np.abs(ref).max() < 1e-5


@pytest.mark.parametrize("call, name", [
    (lambda: by_rows(np.ones((1, 1, 5, 5)), np.ones((1, 1, 2, 2)), dilation=2), "dilation"),
    (lambda: by_rows(np.ones((1, 1, 5, 5)), np.ones((1, 1, 2, 2)), padding=-1), "padding"),
    (lambda: by_columns(np.ones((1, 2, 5, 5)), np.ones((1, 2, 2, 2)), groups=2), "groups"),
    (lambda: by_columns(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))), "weight"),
    (lambda: by_columns(np.ones((1, 5, 5)), np.ones((1, 1, 3, 3))), "x="),
    (lambda: by_rows(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3), dtype=np.float32)), "x="),
])
def test_bad_arguments_are_value_errors(call, name):
    with pytest.raises(ValueError, match=name):
        call()
