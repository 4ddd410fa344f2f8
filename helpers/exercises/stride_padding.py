"""Checkers for the exercises of ``03_stride_padding.ipynb``."""

from __future__ import annotations

import numpy as np

from helpers.conv import conv_output_size, pad2d
from helpers.exercises.framework import Case, CheckReport, check, graded
from helpers.padding import partial_ratio

__all__ = ["check_mirror_pad", "check_dilated_output_size", "check_partial_ratio"]

FORBID_PAD = ("numpy.pad", "helpers.conv.pad2d", "helpers.padding", "torch.nn", "torch.nn.functional", "scipy.ndimage")
FORBID_SIZE = ("helpers.conv.conv_output_size", "helpers.pool.pool_output_size", "helpers.receptive", "torch.nn", "torch.nn.functional")
FORBID_RATIO = ("helpers.padding",)  # a convolution of a mask is allowed: the hint suggests it


@graded
def check_mirror_pad(mirror_pad) -> CheckReport:
    """``mirror_pad(x, p)``: mirror padding (镜像填充) of a 2-D array by p on every side, the edge not repeated."""
    edge = [
        Case((np.arange(9.0).reshape(3, 3), 0), label="p = 0 changes nothing"),
        Case((np.arange(9.0).reshape(3, 3), 1), label="3x3, p = 1"),
        Case((np.arange(12.0).reshape(3, 4), 2), label="not square, p = 2"),
        Case((np.arange(16.0).reshape(4, 4) ** 2, 3), label="p = n − 1, the largest allowed"),
        Case((np.array([[1.0, 2.0]]).T @ np.array([[1.0, -1.0, 3.0]]), 1), label="a 2x3 array"),
    ]

    def random_case(rng):
        h, w = int(rng.integers(2, 8)), int(rng.integers(2, 8))
        return Case((rng.standard_normal((h, w)), int(rng.integers(0, min(h, w)))), label="random")

    return check(mirror_pad, lambda x, p: pad2d(x, p, "reflect"), cases=edge, random_case=random_case,
                 hint="mirror about the edge pixel without repeating it: [a b c] -> c b [a b c] b a "
                      "for p = 2; pad the rows, then the columns.",
                 name="mirror_pad", forbid=FORBID_PAD)


@graded
def check_dilated_output_size(output_size) -> CheckReport:
    """``output_size(n, k, s, p, d)``: output length with stride, zero padding and dilation."""
    edge = [
        Case((5, 3, 1, 0, 1), label="no dilation"),
        Case((7, 3, 1, 0, 2), label="d = 2: the kernel spans 5"),
        Case((7, 3, 1, 0, 3), label="d = 3: the kernel spans 7, one output"),
        Case((28, 3, 1, 2, 2), label="padding that keeps the size with d = 2"),
        Case((32, 5, 2, 1, 2), label="stride, padding and dilation together"),
        Case((10, 2, 3, 0, 4), label="an even kernel"),
    ]

    def random_case(rng):
        while True:
            n, k, s = int(rng.integers(1, 64)), int(rng.integers(1, 8)), int(rng.integers(1, 5))
            p, d = int(rng.integers(0, 4)), int(rng.integers(1, 5))
            if d * (k - 1) + 1 <= n + 2 * p:
                return Case((n, k, s, p, d), label="random")

    return check(output_size, lambda n, k, s, p, d: conv_output_size(n, k, s, p, d), cases=edge,
                 random_case=random_case,
                 hint="a dilated kernel spans k + (k − 1)(d − 1) inputs; count its positions on the padded input.",
                 name="output_size", forbid=FORBID_SIZE)


@graded
def check_partial_ratio(ratio) -> CheckReport:
    """``ratio(h, w, k, p)``: the partial-convolution scaling k² / (image pixels in the window), stride 1."""
    edge = [
        Case((4, 4, 3, 0), label="no padding: every window is inside"),
        Case((4, 4, 3, 1), label="3x3 kernel, p = 1"),
        Case((5, 3, 3, 1), label="not square"),
        Case((6, 6, 5, 2), label="5x5 kernel, p = 2"),
        Case((3, 3, 3, 2), label="p = 2 with a 3x3 kernel: corners see one pixel"),
    ]

    def random_case(rng):
        k = int(rng.choice([1, 3, 5]))
        return Case((int(rng.integers(k, 9)), int(rng.integers(k, 9)), k, int(rng.integers(0, k))), label="random")

    return check(ratio, lambda h, w, k, p: partial_ratio(h, w, k, padding=p), cases=edge, random_case=random_case,
                 hint="count the window's pixels that lie inside the h x w image (the rest is padding); "
                      "the ratio is k·k divided by that count, an (h + 2p − k + 1) x (w + 2p − k + 1) array.",
                 name="partial_ratio", forbid=FORBID_RATIO)
