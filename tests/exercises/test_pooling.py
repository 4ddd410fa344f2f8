"""The pooling checkers accept right answers and reject a stub and plausible wrong answers."""

import math

import numpy as np
import pytest

from helpers.exercises import pooling as ex
from tests.exercises.support import rejected, shortcuts_allowed, stub


# ------------------------------------------------------------------ max-pool backward
def right_max_backward(dout, x, k):
    dx = np.zeros_like(x, dtype=float)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            window = x[i * k:(i + 1) * k, j * k:(j + 1) * k]
            u, v = np.unravel_index(np.argmax(window), window.shape)
            dx[i * k + u, j * k + v] += dout[i, j]
    return dx


def every_max(dout, x, k):  # ties: all maxima get the gradient
    dx = np.zeros_like(x, dtype=float)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            window = x[i * k:(i + 1) * k, j * k:(j + 1) * k]
            dx[i * k:(i + 1) * k, j * k:(j + 1) * k] += (window == window.max()) * dout[i, j]
    return dx


def spread_evenly(dout, x, k):  # average pooling's gradient
    return np.kron(dout, np.ones((k, k))) / k**2


def ignores_dout(dout, x, k):
    return right_max_backward(np.ones_like(dout), x, k)


def last_max(dout, x, k):  # ties: the last maximum instead of the first
    dx = np.zeros_like(x, dtype=float)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            window = x[i * k:(i + 1) * k, j * k:(j + 1) * k]
            flat = window.ravel()[::-1]
            u, v = np.unravel_index(flat.size - 1 - np.argmax(flat), window.shape)
            dx[i * k + u, j * k + v] += dout[i, j]
    return dx


def max_of_abs(dout, x, k):  # picks the largest magnitude
    return right_max_backward(dout, np.abs(x), k)


def test_max_pool_backward_accepts_the_loop():
    assert ex.check_max_pool_backward(right_max_backward)


@pytest.mark.parametrize("wrong", [stub, every_max, spread_evenly, ignores_dout, last_max, max_of_abs])
def test_max_pool_backward_rejects(wrong):
    with shortcuts_allowed():
        rejected(ex.check_max_pool_backward, wrong)


# ------------------------------------------------------------------ average pooling with padding
def _avg(x, k, s, p, count_include_pad, divisor):
    xp = np.pad(x, p)
    H, W = x.shape
    ho, wo = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
    out = np.zeros((ho, wo))
    for i in range(ho):
        for j in range(wo):
            total = xp[i * s:i * s + k, j * s:j * s + k].sum()
            r0, c0 = i * s - p, j * s - p
            inside = (min(r0 + k, H) - max(r0, 0)) * (min(c0 + k, W) - max(c0, 0))
            out[i, j] = total / divisor(k, inside, count_include_pad)
    return out


def right_avg(x, k, s, p, count_include_pad):
    return _avg(x, k, s, p, count_include_pad, lambda k, inside, c: k * k if c else inside)


def always_counted(x, k, s, p, count_include_pad):
    return right_avg(x, k, s, p, True)


def never_counted(x, k, s, p, count_include_pad):
    return right_avg(x, k, s, p, False)


def flag_reversed(x, k, s, p, count_include_pad):
    return right_avg(x, k, s, p, not count_include_pad)


def divides_by_k(x, k, s, p, count_include_pad):
    return _avg(x, k, s, p, count_include_pad, lambda k, inside, c: k)


def test_avg_pool_accepts_the_loop():
    assert ex.check_avg_pool(right_avg)


@pytest.mark.parametrize("wrong", [stub, always_counted, never_counted, flag_reversed, divides_by_k])
def test_avg_pool_rejects(wrong):
    with shortcuts_allowed():
        rejected(ex.check_avg_pool, wrong)


# ------------------------------------------------------------------ output size with ceil_mode
def right_pool_out(n, k, s, p, ceil_mode):
    if not ceil_mode:
        return (n + 2 * p - k) // s + 1
    out = -(-(n + 2 * p - k) // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return out


WRONG_SIZES = {
    "stub": stub,
    "always floor": lambda n, k, s, p, c: (n + 2 * p - k) // s + 1,
    "ceil without torch's rule": lambda n, k, s, p, c: (math.ceil((n + 2 * p - k) / s) if c else (n + 2 * p - k) // s) + 1,
    "float result": lambda n, k, s, p, c: float(right_pool_out(n, k, s, p, c)),
    "padding once": lambda n, k, s, p, c: right_pool_out(n, k, s, 0, c) if p == 0 else right_pool_out(n - p, k, s, p, c),
}


def test_pool_output_size_accepts_the_formula():
    assert ex.check_pool_output_size(right_pool_out)


@pytest.mark.parametrize("name", WRONG_SIZES)
def test_pool_output_size_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_pool_output_size, WRONG_SIZES[name])
