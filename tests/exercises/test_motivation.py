"""Notebook 01's checkers accept right answers and reject stubs and plausible wrong answers."""

import pytest

from helpers.exercises import motivation as ex01
from tests.exercises.support import rejected, shortcuts_allowed


def stub(*args, **kwargs):
    raise NotImplementedError()


# ------------------------------------------------------------------ exercise 1: receptive field size
def right_rf(kernel_sizes, strides, dilations):
    r, j = 1, 1
    for k, s, d in zip(kernel_sizes, strides, dilations):
        r += d * (k - 1) * j
        j *= s
    return r


def rf_current_stride(ks, ss, ds):  # multiplies by the layer's own stride first
    r, j = 1, 1
    for k, s, d in zip(ks, ss, ds):
        j *= s
        r += d * (k - 1) * j
    return r


WRONG_RF = {
    "stub": stub,
    "strides ignored": lambda ks, ss, ds: 1 + sum(d * (k - 1) for k, d in zip(ks, ds)),
    "dilation ignored": lambda ks, ss, ds: right_rf(ks, ss, [1] * len(ds)),
    "uses the layer's own stride": rf_current_stride,
    "sum of kernel sizes": lambda ks, ss, ds: sum(ks),
    "float result": lambda ks, ss, ds: float(right_rf(ks, ss, ds)),
    "effective kernel d*k": lambda ks, ss, ds: right_rf([d * k for k, d in zip(ks, ds)], ss, [1] * len(ds)),
}


def test_receptive_field_accepts_the_recursion():
    assert ex01.check_receptive_field(right_rf)


@pytest.mark.parametrize("name", WRONG_RF)
def test_receptive_field_rejects(name):
    with shortcuts_allowed():
        rejected(ex01.check_receptive_field, WRONG_RF[name])


# ------------------------------------------------------------------ exercise 2: parameter counts
def right_counts(n, c_in, c_out, k):
    m = n - k + 1
    return (c_in * k * k + 1) * c_out, m * m * (c_in * k * k + 1) * c_out, (c_in * n * n + 1) * c_out * m * m


WRONG_COUNTS = {
    "stub": stub,
    "no biases": lambda n, ci, co, k: (ci * k * k * co, (n - k + 1) ** 2 * ci * k * k * co,
                                       ci * n * n * co * (n - k + 1) ** 2),
    "in_channels forgotten": lambda n, ci, co, k: right_counts(n, 1, co, k),
    "unshared uses the input size": lambda n, ci, co, k: (right_counts(n, ci, co, k)[0],
                                                          n * n * (ci * k * k + 1) * co, right_counts(n, ci, co, k)[2]),
    "dense maps to the input size": lambda n, ci, co, k: (*right_counts(n, ci, co, k)[:2], (ci * n * n + 1) * co * n * n),
    "one bias for the dense layer": lambda n, ci, co, k: (*right_counts(n, ci, co, k)[:2],
                                                          ci * n * n * co * (n - k + 1) ** 2 + 1),
    "only two numbers": lambda n, ci, co, k: right_counts(n, ci, co, k)[:2],
}


def test_parameter_counts_accepts_the_formulas():
    assert ex01.check_parameter_counts(right_counts)


@pytest.mark.parametrize("name", WRONG_COUNTS)
def test_parameter_counts_rejects(name):
    with shortcuts_allowed():
        rejected(ex01.check_parameter_counts, WRONG_COUNTS[name])


# ------------------------------------------------------------------ exercise 3: input window
def right_window(ks, ss, ps, index):
    r, j, start = 1, 1, 0
    for k, s, p in zip(ks, ss, ps):
        r += (k - 1) * j
        start -= p * j
        j *= s
    first = start + index * j
    return first, first + r - 1


def window_padding_ignored(ks, ss, ps, index):
    return right_window(ks, ss, [0] * len(ps), index)


def window_padding_unscaled(ks, ss, ps, index):  # subtracts p without the jump
    first, last = right_window(ks, ss, [0] * len(ps), index)
    return first - sum(ps), last - sum(ps)


WRONG_WINDOWS = {
    "stub": stub,
    "padding ignored": window_padding_ignored,
    "padding not scaled by the jump": window_padding_unscaled,
    "last one too far": lambda ks, ss, ps, i: (right_window(ks, ss, ps, i)[0], right_window(ks, ss, ps, i)[1] + 1),
    "clipped at zero": lambda ks, ss, ps, i: tuple(max(0, v) for v in right_window(ks, ss, ps, i)),
    "index times the first stride": lambda ks, ss, ps, i: (lambda f, l: (f - i * (np_prod(ss) - ss[0]),
                                                                          l - i * (np_prod(ss) - ss[0])))(
        *right_window(ks, ss, ps, i)),
}


def np_prod(values):
    out = 1
    for v in values:
        out *= v
    return out


def test_input_window_accepts_the_recursion():
    assert ex01.check_input_window(right_window)


@pytest.mark.parametrize("name", WRONG_WINDOWS)
def test_input_window_rejects(name):
    with shortcuts_allowed():
        rejected(ex01.check_input_window, WRONG_WINDOWS[name])
