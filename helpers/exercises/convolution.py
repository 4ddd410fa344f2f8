"""Checkers for the exercises of ``02_convolution.ipynb``."""

from __future__ import annotations

import numpy as np

from helpers.conv import conv2d, convolve1d
from helpers.exercises.framework import Case, CheckReport, Forbid, check, graded

__all__ = ["check_convolve1d", "check_grouped_conv2d", "check_grouped_params",
           "FORBID_CONVOLVE", "FORBID_GROUPED", "FORBID_PARAMS"]


def _grouped(position: int):
    """True for a call whose ``groups`` (keyword, or positional argument ``position``) is not 1."""
    def when(*args, **kwargs):
        groups = kwargs.get("groups", args[position] if len(args) > position else 1)
        return groups != 1
    return when


#: Ready-made convolutions that exercise 1 asks you to write yourself.
FORBID_CONVOLVE = ("numpy.convolve", "numpy.correlate", "numpy.polymul", "numpy.polynomial", "numpy.fft",
                   "scipy.signal", "scipy.ndimage", "helpers.conv", "helpers.im2col", "helpers.filters", "torch.nn",
                   "torch.nn.functional", "torch.conv1d", "torch.conv2d", "torch.conv_transpose1d", "torch.fft")
#: Exercise 2 uses conv2d with groups=1 only: a grouped call is the library's answer.
FORBID_GROUPED = (Forbid("helpers.conv.conv2d", when=_grouped(6), label="helpers.conv.conv2d(groups=...)"),
                  Forbid("helpers.conv.conv2d_naive", when=_grouped(6), label="helpers.conv.conv2d_naive(groups=...)"),
                  Forbid("helpers.im2col.by_columns", when=_grouped(4), label="helpers.im2col.by_columns(groups=...)"),
                  Forbid("helpers.im2col.by_rows", when=_grouped(4), label="helpers.im2col.by_rows(groups=...)"),
                  Forbid("torch.nn.functional.conv2d", when=_grouped(6), label="torch.nn.functional.conv2d(groups=...)"),
                  Forbid("torch.nn.Conv2d", when=_grouped(6), label="torch.nn.Conv2d(groups=...)"),
                  "helpers.padding.partial_conv2d", "helpers.connectivity", "scipy.signal")
#: The parameter counters and torch's layers (counting a real layer is not deriving it).
FORBID_PARAMS = ("helpers.counting", "torch.nn", "torch.nn.functional")


@graded
def check_convolve1d(convolve) -> CheckReport:
    """``convolve(x, w)``: the full discrete convolution s(t) = Σ_a x(a) w(t − a), length n + k − 1."""
    edge = [
        Case((np.array([1.0, 2.0, 3.0]), np.array([1.0])), label="a kernel of one tap copies the signal"),
        Case((np.array([0.0, 1.0, 0.0, 0.0]), np.array([1.0, 2.0, 3.0])), label="an impulse returns the kernel"),
        Case((np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, -1.0])), label="an asymmetric kernel: the flip shows"),
        Case((np.array([2.0]), np.array([1.0, -1.0, 0.5])), label="a kernel longer than the signal"),
        Case((np.array([1.0, -1.0]), np.array([3.0, 1.0])), label="signal and kernel of the same length"),
    ]

    def random_case(rng):
        n, k = int(rng.integers(1, 12)), int(rng.integers(1, 6))
        return Case((rng.standard_normal(n), rng.standard_normal(k)), label="random")

    return check(convolve, lambda x, w: convolve1d(x, w, "full"), cases=edge, random_case=random_case,
                 hint="s has n + k − 1 entries; for each t sum x[a]·w[t − a] over the a where 0 ≤ t − a < k "
                      "(the kernel runs backwards: that is the flip).",
                 name="convolve1d", forbid=FORBID_CONVOLVE)


def _random_grouped_case(rng) -> Case:
    g = int(rng.integers(1, 4))
    c_in, c_out = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 4))
    k = int(rng.integers(1, 4))
    h, w = int(rng.integers(k, k + 5)), int(rng.integers(k, k + 5))
    x = rng.standard_normal((int(rng.integers(1, 3)), c_in, h, w))
    return Case((x, rng.standard_normal((c_out, c_in // g, k, k)), g), label="random")


@graded
def check_grouped_conv2d(grouped_conv2d) -> CheckReport:
    """``grouped_conv2d(x, weight, groups)``: a grouped convolution built by splitting the channels."""
    rng = np.random.default_rng(2)
    edge = [
        Case((rng.standard_normal((1, 4, 5, 5)), rng.standard_normal((4, 4, 3, 3)), 1), label="groups=1: standard"),
        Case((rng.standard_normal((1, 4, 5, 5)), rng.standard_normal((4, 1, 3, 3)), 4), label="groups=C: depthwise"),
        Case((rng.standard_normal((2, 4, 6, 5)), rng.standard_normal((6, 2, 3, 3)), 2),
             label="two groups, three outputs each"),
        Case((rng.standard_normal((1, 6, 4, 4)), rng.standard_normal((6, 2, 1, 1)), 3),
             label="three groups of 1x1 kernels"),
    ]
    return check(grouped_conv2d, lambda x, w, g: conv2d(x, w, groups=g), cases=edge,
                 random_case=_random_grouped_case, n_random=15, rtol=1e-7, atol=1e-9,
                 hint="group g takes input channels g·C_in/G … (g+1)·C_in/G − 1 and output channels "
                      "g·C_out/G … (g+1)·C_out/G − 1; convolve each group separately and concatenate the outputs.",
                 name="grouped_conv2d", forbid=FORBID_GROUPED)


@graded
def check_grouped_params(n_params) -> CheckReport:
    """``n_params(in_channels, out_channels, kernel_size, groups, bias)``: parameters of a grouped Conv2d."""
    from helpers.counting import conv_params  # imports torch: only when this check runs
    edge = [
        Case((3, 6, 5, 1, True), label="LeNet-5 C1-like, standard"),
        Case((64, 64, 3, 1, True), label="standard 3x3"),
        Case((64, 64, 3, 64, True), label="depthwise 3x3"),
        Case((64, 128, 3, 4, False), label="four groups, no bias"),
        Case((32, 32, 1, 8, True), label="grouped 1x1"),
    ]

    def random_case(rng):
        g = int(rng.choice([1, 2, 3, 4, 8]))
        return Case((g * int(rng.integers(1, 9)), g * int(rng.integers(1, 9)), int(rng.integers(1, 8)), g,
                     bool(rng.integers(0, 2))), label="random")

    return check(n_params, lambda ci, co, k, g, b: conv_params(ci, co, k, groups=g, bias=b), cases=edge,
                 random_case=random_case,
                 hint="each output channel has one kernel of C_in / groups channels of k x k weights, plus one bias.",
                 name="n_params", forbid=FORBID_PARAMS)
