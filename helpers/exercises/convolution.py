"""Checkers for the exercises of ``02_convolution.ipynb``."""

from __future__ import annotations

import numpy as np

from helpers.conv import conv2d, convolve1d
from helpers.exercises.framework import Case, CheckReport, Forbid, check, graded

__all__ = ["check_convolve1d", "check_multichannel_conv2d", "check_grouped_conv2d", "check_fewest_groups",
           "FORBID_CONVOLVE", "FORBID_MULTICHANNEL", "FORBID_GROUPED", "FORBID_PARAMS"]


def _grouped(position: int):
    """True for a call whose ``groups`` (keyword, or positional argument ``position``) is not 1."""
    def when(*args, **kwargs):
        groups = kwargs.get("groups", args[position] if len(args) > position else 1)
        return groups != 1
    return when


def _multichannel(*args, **kwargs) -> bool:
    """True for a conv2d call whose input ``x`` has more than one channel: it does the channel sum itself."""
    x = kwargs.get("x", args[0] if args else None)
    return np.ndim(x) >= 3 and np.shape(x)[-3] > 1


#: Ready-made convolutions that exercise 1 asks you to write yourself.
FORBID_CONVOLVE = ("numpy.convolve", "numpy.correlate", "numpy.polymul", "numpy.polynomial", "numpy.fft",
                   "scipy.signal", "scipy.ndimage", "helpers.conv", "helpers.im2col", "helpers.filters", "torch.nn",
                   "torch.nn.functional", "torch.conv1d", "torch.conv2d", "torch.conv_transpose1d", "torch.fft")
#: Exercise 2 builds the channel sum from one-channel correlations: a call that sums channels is the answer.
FORBID_MULTICHANNEL = (
    Forbid("helpers.conv.conv2d", when=_multichannel, label="helpers.conv.conv2d on several channels"),
    Forbid("helpers.conv.conv2d_naive", when=_multichannel, label="helpers.conv.conv2d_naive on several channels"),
    Forbid("helpers.padding.partial_conv2d", when=_multichannel, label="helpers.padding.partial_conv2d on several channels"),
    "helpers.conv.multichannel_parts", "helpers.im2col", "torch.nn", "torch.nn.functional", "torch.conv2d",
    "torch.convolution", "scipy.signal", "scipy.ndimage")
#: Exercise 3 uses conv2d with groups=1 only: a grouped call is the library's answer.
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


def _torch_conv2d(x, weight, bias):
    """The reference: torch's own layer on one image (float64)."""
    import torch  # only when this check runs
    import torch.nn.functional as F

    b = None if bias is None else torch.tensor(bias)
    return F.conv2d(torch.tensor(x)[None], torch.tensor(weight), b)[0].numpy()


def _random_multichannel_case(rng) -> Case:
    c_in, c_out = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    x = rng.standard_normal((c_in, int(rng.integers(kh, kh + 6)), int(rng.integers(kw, kw + 6))))
    bias = rng.standard_normal(c_out) if rng.random() < 0.7 else None
    return Case((x, rng.standard_normal((c_out, c_in, kh, kw)), bias), label="random")


@graded
def check_multichannel_conv2d(multichannel_conv2d) -> CheckReport:
    """``multichannel_conv2d(x, weight, bias)``: F_i = Σ_j w_{j,i} * x_j + b_i from one-channel correlations."""
    rng = np.random.default_rng(3)
    edge = [
        Case((rng.standard_normal((2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), np.array([0.5, -1.0, 2.0])),
             label="two inputs, three outputs"),
        Case((rng.standard_normal((3, 6, 4)), rng.standard_normal((2, 3, 3, 3)), None),
             label="three inputs (as RGB), no bias"),
        Case((rng.standard_normal((4, 3, 3)), rng.standard_normal((2, 4, 1, 1)), np.array([1.0, -1.0])),
             label="1x1 kernels: a weighted sum of the channels"),
        Case((rng.standard_normal((3, 5, 7)), rng.standard_normal((4, 3, 2, 3)), rng.standard_normal(4)),
             label="a 2x3 kernel on a 5x7 input"),
        Case((rng.standard_normal((2, 4, 4)), rng.standard_normal((2, 2, 3, 3)), np.zeros(2)),
             label="as many outputs as inputs"),
    ]
    return check(multichannel_conv2d, _torch_conv2d, cases=edge, random_case=_random_multichannel_case,
                 n_random=15, rtol=1e-7, atol=1e-9,
                 hint="output channel i adds one correlation per input channel j: correlate(x[j], weight[i, j]); "
                      "then it adds bias[i] once. Stack the C_out maps along a new first axis.",
                 name="multichannel_conv2d", forbid=FORBID_MULTICHANNEL)


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


def _fewest_groups_by_torch(c_in, c_out, k, budget) -> int:
    """Build each allowed grouped layer (on the meta device: no memory) and count its parameters."""
    from torch import nn  # only when this check runs

    for groups in range(1, min(c_in, c_out) + 1):
        if c_in % groups == 0 and c_out % groups == 0:
            layer = nn.Conv2d(c_in, c_out, k, groups=groups, device="meta")
            if sum(p.numel() for p in layer.parameters()) <= budget:
                return groups
    raise ValueError(f"budget={budget} is not allowed: no groups fits it")  # the cases never ask this


def _random_budget_case(rng) -> Case:
    g = int(rng.choice([1, 2, 3, 4, 6, 8]))
    c_in, c_out, k = g * int(rng.integers(1, 7)), g * int(rng.integers(1, 7)), int(rng.integers(1, 6))
    allowed = [d for d in range(1, min(c_in, c_out) + 1) if c_in % d == 0 and c_out % d == 0]
    counts = [c_out * (c_in // d) * k * k + c_out for d in allowed]
    pick = int(rng.integers(0, len(allowed)))
    slack = counts[pick - 1] - counts[pick] - 1 if pick else int(rng.integers(0, 100))
    budget = counts[pick] + (int(rng.integers(0, slack + 1)) if rng.random() < 0.7 else 0)
    return Case((c_in, c_out, k, budget), label="random")


@graded
def check_fewest_groups(fewest_groups) -> CheckReport:
    """``fewest_groups(in_channels, out_channels, kernel_size, budget)``: the smallest groups within the budget."""
    edge = [
        Case((96, 256, 5, 400_000), label="AlexNet's conv2 under 400,000 parameters"),
        Case((16, 32, 3, 10 ** 6), label="a budget that a standard layer meets"),
        Case((64, 64, 3, 9_280), label="a budget equal to a layer's count"),
        Case((12, 8, 3, 300), label="12 inputs, 8 outputs"),
        Case((32, 32, 1, 530), label="1x1 kernels: the biases matter"),
        Case((64, 64, 3, 700), label="only a depthwise layer fits"),
    ]
    return check(fewest_groups, _fewest_groups_by_torch, cases=edge, random_case=_random_budget_case,
                 hint="groups must divide both in_channels and out_channels; each output channel has "
                      "in_channels / groups kernels of k x k weights and one bias. Try groups = 1, 2, 3, ... in turn.",
                 name="fewest_groups", forbid=FORBID_PARAMS)
