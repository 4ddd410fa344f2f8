"""Checkers for the exercises of ``04_pooling.ipynb``."""

from __future__ import annotations

import numpy as np

from helpers.exercises.framework import Case, CheckReport, check, graded
from helpers.pool import avg_pool2d, max_pool2d, max_pool2d_backward, pool_output_size

__all__ = ["check_max_pool_backward", "check_avg_pool", "check_pool_output_size"]

FORBID_POOL = ("helpers.pool", "helpers.equivariance", "torch.nn", "torch.nn.functional", "torch.autograd", "torch.max_pool2d",
               "torch.avg_pool2d", "scipy.ndimage", "numpy.lib.stride_tricks.sliding_window_view")
FORBID_POOL_SIZE = ("helpers.pool", "helpers.conv.conv_output_size", "helpers.receptive", "torch.nn", "torch.nn.functional",
                    "torch.max_pool2d", "torch.avg_pool2d")


# ------------------------------------------------------------------ exercise 1: max-pool backward
def _reference_max_backward(dout, x, k):
    _, idx = max_pool2d(x, k, return_indices=True)
    return max_pool2d_backward(dout, idx, x.shape)


def _random_backward_case(rng: np.random.Generator) -> Case:
    k = int(rng.integers(2, 4))
    h, w = k * int(rng.integers(1, 5)), k * int(rng.integers(1, 5))
    x = rng.permutation(h * w).reshape(h, w).astype(float) - h * w / 2  # distinct values, some negative
    dout = rng.standard_normal((h // k, w // k))
    return Case((dout, x, k), label="random")


@graded
def check_max_pool_backward(max_pool_backward) -> CheckReport:
    """``max_pool_backward(dout, x, k)``: ``dL/dx`` of k x k max pooling with stride k on a 2-D ``x``."""
    tie = np.array([[1.0, 3.0], [3.0, 0.0]])
    negative = -np.arange(1.0, 17.0).reshape(4, 4)
    edge = [
        Case((np.array([[5.0]]), np.array([[1.0, 3.0], [2.0, 0.0]]), 2), label="one window, the max top right"),
        Case((np.array([[2.0, -1.0]]), np.array([[0.0, 1.0, 9.0, 8.0], [4.0, 2.0, 7.0, 6.0]]), 2),
             label="two windows, gradient scaled by dout"),
        Case((np.array([[1.0]]), tie, 2), label="a tie: the first maximum in row-major order wins"),
        Case((np.ones((2, 2)), negative, 2), label="all values negative"),
        Case((np.array([[1.0, 2.0], [3.0, 4.0]]), np.arange(36.0).reshape(6, 6)[::-1], 3),
             label="3x3 windows"),
    ]
    return check(
        max_pool_backward,
        _reference_max_backward,
        cases=edge,
        random_case=_random_backward_case,
        n_random=20,
        hint="each window passes its dout entry to the one input that won it (argmax); every other input gets 0.",
        name="max_pool_backward",
        forbid=FORBID_POOL
    )


# ------------------------------------------------------------------ exercise 2: average pooling and padding
def _reference_avg(x, kernel_size, stride, padding, count_include_pad):
    return avg_pool2d(x, kernel_size, stride, padding, count_include_pad=count_include_pad)


def _random_avg_case(rng: np.random.Generator) -> Case:
    k = int(rng.integers(1, 5))
    p = int(rng.integers(0, k // 2 + 1))
    s = int(rng.integers(1, 4))
    h, w = int(rng.integers(max(1, k - 2 * p), 9)), int(rng.integers(max(1, k - 2 * p), 9))
    return Case((rng.standard_normal((h, w)), k, s, p, bool(rng.integers(0, 2))), label="random")


@graded
def check_avg_pool(avg_pool) -> CheckReport:
    """``avg_pool(x, kernel_size, stride, padding, count_include_pad)`` on a 2-D ``x`` (floor mode)."""
    ones = np.ones((4, 4))
    edge = [
        Case((ones, 2, 2, 0, True), label="no padding: both ways agree"),
        Case((ones, 3, 1, 1, True), label="ones, padding counted: the border averages drop below 1"),
        Case((ones, 3, 1, 1, False), label="ones, padding not counted: every average is 1"),
        Case((np.arange(25.0).reshape(5, 5), 3, 2, 1, True), label="stride 2, padding 1, counted"),
        Case((np.arange(25.0).reshape(5, 5), 3, 2, 1, False), label="stride 2, padding 1, not counted"),
        Case((np.arange(12.0).reshape(3, 4), 2, 3, 1, False), label="non-square, stride larger than the window"),
    ]
    return check(
        avg_pool,
        _reference_avg,
        cases=edge,
        random_case=_random_avg_case,
        n_random=25,
        hint="pad with zeros; the sum is the same both ways, only the divisor changes: the whole window "
             "(count_include_pad=True) or the number of real inputs inside it (False). Round the output size down.",
        name="avg_pool",
        forbid=FORBID_POOL
    )


# ------------------------------------------------------------------ exercise 3: output size with ceil_mode
def _random_size_case(rng: np.random.Generator) -> Case:
    while True:
        n, k, s = int(rng.integers(1, 40)), int(rng.integers(1, 7)), int(rng.integers(1, 6))
        p = int(rng.integers(0, k // 2 + 1))
        if k <= n + 2 * p:
            return Case((n, k, s, p, bool(rng.integers(0, 2))), label="random")


@graded
def check_pool_output_size(pool_out) -> CheckReport:
    """``pool_out(n, kernel_size, stride, padding, ceil_mode)``: torch's pooling output length."""
    edge = [
        Case((28, 2, 2, 0, False), label="LeNet-style 2x2 pooling of 28"),
        Case((5, 2, 2, 0, False), label="odd input, floor: the last column is dropped"),
        Case((5, 2, 2, 0, True), label="odd input, ceil: a partial last window is kept"),
        Case((6, 2, 4, 1, True), label="ceil, but the last window would start in the padding"),
        Case((7, 3, 2, 1, True), label="ceil with padding that divides evenly"),
        Case((1, 1, 1, 0, True), label="one pixel"),
    ]
    return check(
        pool_out,
        lambda n, k, s, p, c: pool_output_size(n, k, s, p, ceil_mode=c),
        cases=edge,
        random_case=_random_size_case,
        n_random=40,
        hint="floor or ceil of (n + 2p - k) / s, plus 1; with ceil_mode, drop the last window if it would "
             "start at or after n + p (inside the right-hand padding).",
        name="pool_out",
        forbid=FORBID_POOL_SIZE
    )
