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

__all__ = ["check_input_sizes", "check_vertical_edge_kernel", "FORBID_OUTPUT_SIZE"]

#: The library's own output sizes: searching with them is not inverting the formula.
FORBID_OUTPUT_SIZE = ("helpers.conv.conv_output_size", "helpers.pool.pool_output_size",
                      "helpers.receptive.output_sizes", "torch.nn", "torch.nn.functional")


def _input_sizes_by_search(n_out, k, s, p) -> tuple[int, int]:
    """Every input length n tried in turn with the forward formula (tested against torch): the first and last
    that give ``n_out`` outputs."""
    fits = []
    for n in range(1, n_out * s + k + 1):
        if k <= n + 2 * p and conv_output_size(n, k, s, p) == n_out:
            fits.append(n)
    return fits[0], fits[-1]


def _random_inverse_case(rng: np.random.Generator) -> Case:
    while True:
        n_out, k = int(rng.integers(1, 40)), int(rng.integers(1, 12))
        s, p = int(rng.integers(1, 5)), int(rng.integers(0, 4))
        if (n_out - 1) * s + k - 2 * p >= 1:  # the smallest input is a real one
            return Case((n_out, k, s, p), label="random")


@graded
def check_input_sizes(input_sizes) -> CheckReport:
    """``input_sizes(n_out, kernel_size, stride, padding)`` -> (smallest, largest) input length with ``n_out`` outputs."""
    edge = [
        Case((28, 5, 1, 0), label="LeNet-5 C1 gives 28 outputs"),
        Case((3, 3, 2, 0), label="stride 2: two input lengths give 3 outputs"),
        Case((2, 3, 2, 1), label="stride 2 and padding 1"),
        Case((4, 3, 1, 1), label="stride 1, 'same' padding"),
        Case((5, 1, 3, 0), label="1x1 kernel, stride 3"),
        Case((1, 5, 1, 0), label="one output: the input is as long as the kernel"),
        Case((14, 2, 2, 0), label="a 2x2 window with stride 2, as in pooling"),
    ]
    return check(
        input_sizes,
        _input_sizes_by_search,
        cases=edge,
        random_case=_random_inverse_case,
        hint="walk the windows on the padded input: n_out windows take (n_out - 1) strides, and the last one "
             "must still fit. Then ask how many extra pixels you can add before one more window fits.",
        name="input_sizes",
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
