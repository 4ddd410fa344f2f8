"""Every exercise checker accepts a right answer and rejects a stub and plausible wrong answers."""

import math

import numpy as np
import pytest

from helpers.exercises import course_map as ex00
from tests.exercises.support import rejected, shortcuts_allowed


def stub(*args, **kwargs):
    raise NotImplementedError()


# ------------------------------------------------------------------ 00_course_map: output size
def right_output_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


WRONG_OUTPUT_SIZES = {
    "stub": stub,
    "off by one (no +1)": lambda n, k, s, p: (n + 2 * p - k) // s,
    "ceil instead of floor": lambda n, k, s, p: math.ceil((n + 2 * p - k) / s) + 1,
    "true division": lambda n, k, s, p: (n + 2 * p - k) / s + 1,
    "padding counted once": lambda n, k, s, p: (n + p - k) // s + 1,
    "stride ignored": lambda n, k, s, p: n + 2 * p - k + 1,
}


def test_output_size_accepts_the_formula():
    assert ex00.check_output_size(right_output_size)


@pytest.mark.parametrize("name", WRONG_OUTPUT_SIZES)
def test_output_size_rejects(name):
    with shortcuts_allowed():
        rejected(ex00.check_output_size, WRONG_OUTPUT_SIZES[name])


# ------------------------------------------------------------------ 00_course_map: vertical edge kernel
@pytest.mark.parametrize(
    "kernel",
    [
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],  # Sobel x
        [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],  # Prewitt x
        [[0, 0, 0], [0, -1, 1], [0, 0, 0]],  # forward difference
    ],
)
def test_vertical_edge_kernel_accepts_edge_detectors(kernel):
    assert ex00.check_vertical_edge_kernel(np.array(kernel))


@pytest.mark.parametrize(
    "kernel, why",
    [
        (None, "not answered"),
        ([[1, 0, -1], [2, 0, -2], [1, 0, -1]], "flipped: a true-convolution kernel"),
        ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "Sobel y finds horizontal edges"),
        ([[0, 0, 0], [0, 1, 1], [0, 0, 0]], "does not sum to zero"),
        ([[-1, 0, 1], [-2, 0, 2]], "not 3x3"),
        ([[-1, 0, 1], [-2, 0, 2], [-1, 0, np.nan]], "not finite"),
        ([[-1, 0, 1], [-2, 1, 2], [-1, -1, 1]], "answers horizontal edges too"),
    ],
)
def test_vertical_edge_kernel_rejects(kernel, why):
    with shortcuts_allowed():
        rejected(ex00.check_vertical_edge_kernel, kernel)
