"""Notebook 02's checkers accept right answers and reject the stub and plausible wrong answers."""

import numpy as np
import pytest

from helpers.exercises import convolution as ex
from tests.exercises.support import refused_as_shortcut, rejected, shortcuts_allowed


def stub(*args, **kwargs):
    raise NotImplementedError()


# ------------------------------------------------------------------ 1-D convolution with the flip
def right_convolve(x, w):
    n, k = len(x), len(w)
    s = np.zeros(n + k - 1)
    for t in range(n + k - 1):
        for a in range(n):
            if 0 <= t - a < k:
                s[t] += x[a] * w[t - a]
    return s


WRONG_CONVOLVE = {
    "stub": stub,
    "no flip (cross-correlation)": lambda x, w: np.correlate(x, w, mode="full"),
    "valid part only": lambda x, w: np.convolve(x, w, mode="valid"),
    "same length as x": lambda x, w: np.convolve(x, w, mode="same"),
    "flip the signal, not the kernel, and shift": lambda x, w: np.convolve(x[::-1], w)[::-1][1:].tolist() + [0.0],
    "forgot to return": lambda x, w: None,
}


def test_convolve1d_accepts_right_answers():
    assert ex.check_convolve1d(right_convolve)
    with shortcuts_allowed():  # numpy's own convolution is a right answer, were it allowed
        assert ex.check_convolve1d(lambda x, w: np.convolve(x, w))
    refused_as_shortcut(ex.check_convolve1d, lambda x, w: np.convolve(x, w))


@pytest.mark.parametrize("name", WRONG_CONVOLVE)
def test_convolve1d_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_convolve1d, WRONG_CONVOLVE[name])


# ------------------------------------------------------------------ grouped convolution by splitting
def _valid_corr(x, w):
    import torch
    import torch.nn.functional as F

    return F.conv2d(torch.tensor(x), torch.tensor(w)).numpy()


def right_grouped(x, weight, groups):
    xs = np.split(x, groups, axis=1)
    ws = np.split(weight, groups, axis=0)
    return np.concatenate([_valid_corr(a, b) for a, b in zip(xs, ws)], axis=1)


def wrong_pairing(x, weight, groups):
    """Output channel o taken from group o % groups instead of o // (C_out / groups)."""
    c_out = weight.shape[0]
    out = []
    xs = np.split(x, groups, axis=1)
    for o in range(c_out):
        out.append(_valid_corr(xs[o % groups], weight[o:o + 1]))
    return np.concatenate(out, axis=1)


def ignore_groups(x, weight, groups):
    return _valid_corr(x, np.tile(weight, (1, groups, 1, 1)) / groups)


WRONG_GROUPED = {
    "stub": stub,
    "output channels paired with the wrong group": wrong_pairing,
    "every output sees every input": ignore_groups,
    "groups concatenated in reverse": lambda x, w, g: right_grouped(x, w, g)[:, ::-1],
    "kernel flipped (true convolution)": lambda x, w, g: right_grouped(x, w[..., ::-1, ::-1].copy(), g),
}


def test_grouped_conv2d_accepts_splitting():
    assert ex.check_grouped_conv2d(right_grouped)


@pytest.mark.parametrize("name", WRONG_GROUPED)
def test_grouped_conv2d_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_grouped_conv2d, WRONG_GROUPED[name])


# ------------------------------------------------------------------ parameter count
WRONG_PARAMS = {
    "stub": stub,
    "groups ignored": lambda ci, co, k, g, b: co * ci * k * k + (co if b else 0),
    "divided by groups twice": lambda ci, co, k, g, b: co * ci * k * k // (g * g) + (co if b else 0),
    "bias forgotten": lambda ci, co, k, g, b: co * ci // g * k * k,
    "bias always": lambda ci, co, k, g, b: co * ci // g * k * k + co,
    "one bias per group": lambda ci, co, k, g, b: co * ci // g * k * k + (g if b else 0),
    "float result": lambda ci, co, k, g, b: co * ci / g * k * k + (co if b else 0),
}


def test_grouped_params_accepts_the_formula():
    assert ex.check_grouped_params(lambda ci, co, k, g, b: co * (ci // g) * k * k + (co if b else 0))


@pytest.mark.parametrize("name", WRONG_PARAMS)
def test_grouped_params_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_grouped_params, WRONG_PARAMS[name])
