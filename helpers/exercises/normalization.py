"""Checkers for the exercises of ``05_normalization.ipynb``."""

from __future__ import annotations

import numpy as np

from helpers.exercises.framework import Case, CheckReport, check, graded
from helpers.norm import (
    BatchNorm2d,
    gaussian_window,
    group_norm,
    local_contrast_norm,
    weighted_local_mean,
)

__all__ = ["local_mean", "check_lcn", "check_running_stats", "check_group_norm"]

FORBID_NORM = ("helpers.norm", "torch.nn", "torch.nn.functional", "torch.group_norm", "torch.batch_norm", "torch.layer_norm",
               "torch.instance_norm")


# ------------------------------------------------------------------ exercise 1: local contrast normalization
def local_mean(a, size: int = 9, sigma: float = 2.0) -> np.ndarray:
    """The Gaussian-weighted local mean of a 2-D array (zero padding, the border renormalized).

    Given to the students for the LCN exercise, so that they write only the two steps.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"a has shape {a.shape}; expected a 2-D image")
    return weighted_local_mean(a[None, None], gaussian_window(size, sigma))[0, 0]


def _random_image_case(rng: np.random.Generator) -> Case:
    h, w = int(rng.integers(6, 20)), int(rng.integers(6, 20))
    image = rng.random((h, w)) * rng.uniform(0.1, 5) + rng.uniform(-2, 2)
    if rng.random() < 0.5:  # a bright, busy half beside a flat, dim half: the max(c, sigma) matters
        image[:, : w // 2] = 0.3 + 0.01 * rng.random((h, w // 2))
    return Case((image,), label="random")


@graded
def check_lcn(lcn) -> CheckReport:
    """``lcn(image)``: subtractive then divisive normalization of a 2-D image with :func:`local_mean`."""
    steps = np.zeros((12, 12))
    steps[:, 6:] = 1.0
    quiet = np.full((12, 12), 0.5)
    quiet[4:8, 4:8] += np.array([[0, 1, 0, 1], [1, 0, 1, 0]] * 2)  # a textured patch on a flat field
    edge = [
        Case((steps,), label="a vertical step edge"),
        Case((quiet,), label="a textured patch in a flat field: flat parts must not be blown up"),
        Case((np.random.default_rng(0).random((9, 11)) * 100 + 50,), label="bright, high-contrast noise"),
    ]
    return check(
        lcn,
        lambda image: local_contrast_norm(image, size=9, sigma=2.0),
        cases=edge,
        random_case=_random_image_case,
        n_random=15,
        rtol=1e-6,
        atol=1e-6,
        hint="v = x - local_mean(x); sigma = sqrt(local_mean(v**2)); c = mean of sigma over the image; "
             "divide v by max(c, sigma), element by element.",
        name="lcn",
        forbid=FORBID_NORM
    )


# ------------------------------------------------------------------ exercise 2: batch-norm running statistics
def _reference_running_stats(batches, momentum):
    bn = BatchNorm2d(batches[0].shape[1], momentum=momentum)
    for x in batches:
        bn(x)
    return bn.running_mean.copy(), bn.running_var.copy()


def _random_batches_case(rng: np.random.Generator) -> Case:
    c, n, hw = int(rng.integers(1, 5)), int(rng.integers(2, 6)), int(rng.integers(1, 4))
    batches = [rng.normal(rng.uniform(-3, 3), rng.uniform(0.5, 3), (n, c, hw, hw)) for _ in range(int(rng.integers(1, 5)))]
    return Case((batches, float(rng.choice([0.1, 0.3, 0.5]))), label="random")


@graded
def check_running_stats(running_stats) -> CheckReport:
    """``running_stats(batches, momentum)``: ``(running_mean, running_var)`` after training on the batches."""
    one = np.zeros((2, 1, 2, 2))
    one[1] = 4.0
    edge = [
        Case(([one], 0.1), label="one batch of 0s and 4s, momentum 0.1"),
        Case(([one, one + 10], 0.5), label="two batches, momentum 0.5"),
        Case(([np.random.default_rng(1).normal(2, 3, (4, 3, 2, 2))] * 3, 0.1), label="three channels"),
    ]
    return check(
        running_stats,
        _reference_running_stats,
        cases=edge,
        random_case=_random_batches_case,
        n_random=15,
        hint="start at mean 0 and variance 1; torch: new = (1 - momentum) * old + momentum * batch statistic; "
             "the statistics are per channel over (N, H, W), and the variance that is stored is the unbiased one.",
        name="running_stats",
        forbid=FORBID_NORM
    )


# ------------------------------------------------------------------ exercise 3: group normalization
def _random_group_case(rng: np.random.Generator) -> Case:
    g = int(rng.integers(1, 4))
    c = g * int(rng.integers(1, 4))
    x = rng.normal(rng.uniform(-2, 2), rng.uniform(0.5, 3), (int(rng.integers(1, 4)), c, 3, 3))
    x += np.arange(c)[None, :, None, None]  # channels on different levels: grouping matters
    return Case((x, g), label="random")


@graded
def check_group_norm(my_group_norm) -> CheckReport:
    """``my_group_norm(x, num_groups)``: group normalization of ``(N, C, H, W)`` without γ and β (eps 1e-5)."""
    x = np.arange(2 * 4 * 2 * 2, dtype=float).reshape(2, 4, 2, 2) ** 1.5
    edge = [
        Case((x, 1), label="one group: layer normalization"),
        Case((x, 2), label="two groups of two channels"),
        Case((x, 4), label="one channel per group: instance normalization"),
        Case((x[:1], 2), label="a batch of one image"),
    ]
    return check(
        my_group_norm,
        lambda a, g: group_norm(a, g),
        cases=edge,
        random_case=_random_group_case,
        n_random=15,
        hint="reshape to (N, G, C // G * H * W): consecutive channels form a group; normalize each row with its "
             "mean and its biased variance (+ 1e-5 under the square root).",
        name="group_norm",
        forbid=FORBID_NORM
    )
