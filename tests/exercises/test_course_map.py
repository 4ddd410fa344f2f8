"""Every exercise checker accepts a right answer and rejects a stub and plausible wrong answers."""

import numpy as np
import pytest

import helpers.conv
from helpers.exercises import course_map as ex00
from tests.exercises.support import refused_as_shortcut, rejected, shortcuts_allowed, stub, tuned_to_visible


# ------------------------------------------------------------------ 00_course_map: input sizes (the formula inverted)
def right_input_sizes(n_out, k, s, p):
    smallest = (n_out - 1) * s + k - 2 * p
    return smallest, smallest + s - 1


def by_search(n_out, k, s, p):  # a search with the library's forward formula: right, but a shortcut
    fits = [n for n in range(1, 500) if k <= n + 2 * p and helpers.conv.conv_output_size(n, k, s, p) == n_out]
    return fits[0], fits[-1]


WRONG_INPUT_SIZES = {
    "stub": stub,
    "one size only (the floor forgotten)": lambda m, k, s, p: (right_input_sizes(m, k, s, p)[0],) * 2,
    "one too many at the top": lambda m, k, s, p: (right_input_sizes(m, k, s, p)[0], right_input_sizes(m, k, s, p)[1] + 1),
    "off by one (n_out strides)": lambda m, k, s, p: (m * s + k - 2 * p, (m + 1) * s + k - 2 * p - 1),
    "padding ignored": lambda m, k, s, p: right_input_sizes(m, k, s, 0),
    "padding counted once": lambda m, k, s, p: tuple(v + p for v in right_input_sizes(m, k, s, p)),
    "the forward formula": lambda m, k, s, p: ((m + 2 * p - k) // s + 1,) * 2,
    "largest, smallest": lambda m, k, s, p: right_input_sizes(m, k, s, p)[::-1],
    "floats": lambda m, k, s, p: tuple(float(v) for v in right_input_sizes(m, k, s, p)),
    "a list of every size": lambda m, k, s, p: list(range(right_input_sizes(m, k, s, p)[0],
                                                         right_input_sizes(m, k, s, p)[1] + 1)),
}


def test_input_sizes_accepts_the_inverse_formula():
    assert ex00.check_input_sizes(right_input_sizes)
    assert ex00.check_input_sizes(right_input_sizes, hidden_seed=7)
    with shortcuts_allowed():
        assert ex00.check_input_sizes(by_search)


@pytest.mark.parametrize("name", WRONG_INPUT_SIZES)
def test_input_sizes_rejects(name):
    with shortcuts_allowed():
        rejected(ex00.check_input_sizes, WRONG_INPUT_SIZES[name])


def test_input_sizes_refuses_a_search_with_the_library_s_formula():
    assert "helpers.conv.conv_output_size" in refused_as_shortcut(ex00.check_input_sizes, by_search)


def test_input_sizes_hidden_cases_catch_an_answer_tuned_to_the_visible_ones():
    tuned = tuned_to_visible(ex00.check_input_sizes, right_input_sizes, lambda *args: (1, 1))
    assert ex00.check_input_sizes(tuned)
    assert "hidden" in rejected(ex00.check_input_sizes, tuned, hidden_seed=11)


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
