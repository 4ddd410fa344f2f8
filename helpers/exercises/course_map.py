"""Checkers for the exercises of ``00_course_map.ipynb``."""

from __future__ import annotations

import numpy as np

from helpers.conv import conv2d, conv_output_size
from helpers.exercises.framework import (
    Case,
    CheckReport,
    check,
    check_properties,
    graded,
)

__all__ = ["check_output_size", "check_vertical_edge_kernel", "FORBID_OUTPUT_SIZE"]

#: The library's own answers to exercise 1.
FORBID_OUTPUT_SIZE = ("helpers.conv.conv_output_size", "helpers.pool.pool_output_size",
                      "helpers.receptive.output_sizes", "torch.nn", "torch.nn.functional")


def _random_size_case(rng: np.random.Generator) -> Case:
    while True:
        n, k = int(rng.integers(1, 65)), int(rng.integers(1, 12))
        s, p = int(rng.integers(1, 5)), int(rng.integers(0, 4))
        if k <= n + 2 * p:
            return Case((n, k, s, p), label="random")


@graded
def check_output_size(output_size) -> CheckReport:
    """``output_size(n, kernel_size, stride, padding)``: output length of a convolution."""
    edge = [
        Case((32, 5, 1, 0), label="LeNet-5 C1: 32x32 input, 5x5 kernel"),
        Case((4, 3, 1, 0), label="the slides' stride-1 example"),
        Case((5, 3, 2, 0), label="the slides' stride-2 example"),
        Case((6, 3, 2, 0), label="stride that does not divide evenly"),
        Case((28, 5, 1, 2), label="padding that keeps the size"),
        Case((5, 5, 1, 0), label="kernel as large as the input"),
        Case((1, 3, 1, 1), label="one pixel, padded"),
    ]
    return check(
        output_size,
        lambda n, k, s, p: conv_output_size(n, k, s, p),
        cases=edge,
        random_case=_random_size_case,
        hint="count the positions the kernel can take on the padded input; a stride skips positions, so round down.",
        name="output_size",
        forbid=FORBID_OUTPUT_SIZE
    )


def _steps():
    """An 8x8 image that steps from dark to bright left-to-right, and its transpose."""
    left_right = np.zeros((8, 8))
    left_right[:, 4:] = 1.0
    return left_right, left_right.T.copy()


def _as_kernel(k) -> np.ndarray:
    return np.asarray(k, dtype=np.float64)


@graded
def check_vertical_edge_kernel(make_kernel) -> CheckReport:
    """A 3x3 kernel that finds vertical edges (dark on the left, bright on the right).

    ``make_kernel`` is the student's function that returns the kernel (or the kernel itself).
    """
    left_right, top_bottom = _steps()
    flat = np.full((8, 8), 0.7)

    def response(image, k):
        return conv2d(image, _as_kernel(k))  # cross-correlation, as torch computes it

    properties = [
        ("it is a 3x3 array of finite numbers",
         lambda k: _as_kernel(k).shape == (3, 3) and np.all(np.isfinite(_as_kernel(k)))),
        ("a flat image gives zero response everywhere",
         lambda k: np.allclose(response(flat, k), 0.0, atol=1e-9)),
        ("a dark-to-bright step from left to right gives a positive response at the edge",
         lambda k: response(left_right, k).max() > 1e-6 and response(left_right, k).min() >= -1e-9),
        ("a dark-to-bright step from top to bottom gives zero response",
         lambda k: np.allclose(response(top_bottom, k), 0.0, atol=1e-9)),
    ]
    moved = np.zeros((10, 9))
    moved[:, 2:] = 3.5  # another place, another contrast
    hidden = [("a step at another column and of another height gives a positive response at the edge",
               lambda k: response(moved, k).max() > 1e-6 and response(moved, k).min() >= -1e-9),
              ("a bright-to-dark step gives a negative response",
               lambda k: response(moved[:, ::-1].copy(), k).min() < -1e-6)]
    return check_properties(
        make_kernel,
        properties,
        hidden_properties=hidden,
        hint="libraries do not flip the kernel; make each row sum to zero, negative on the left.",
        name="vertical_edge_kernel",
    )
