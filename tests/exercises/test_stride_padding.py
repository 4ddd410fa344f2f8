"""Notebook 03's checkers accept right answers and reject the stub and plausible wrong answers."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.exercises import stride_padding as ex
from tests.exercises.support import rejected, shortcuts_allowed


def stub(*args, **kwargs):
    raise NotImplementedError()


# ------------------------------------------------------------------ mirror padding
def right_mirror(x, p):
    rows = np.concatenate([x[p:0:-1], x, x[-2:-p - 2:-1]], axis=0) if p else x
    return np.concatenate([rows[:, p:0:-1], rows, rows[:, -2:-p - 2:-1]], axis=1) if p else rows


WRONG_MIRROR = {
    "stub": stub,
    "edge repeated (numpy 'symmetric')": lambda x, p: np.pad(x, p, mode="symmetric"),
    "replicate": lambda x, p: np.pad(x, p, mode="edge"),
    "zeros": lambda x, p: np.pad(x, p),
    "circular": lambda x, p: np.pad(x, p, mode="wrap"),
    "rows only": lambda x, p: np.pad(x, ((p, p), (0, 0)), mode="reflect"),
}


def test_mirror_pad_accepts_right_answers():
    assert ex.check_mirror_pad(right_mirror)
    with shortcuts_allowed():
        assert ex.check_mirror_pad(lambda x, p: F.pad(torch.tensor(x)[None, None], (p,) * 4, mode="reflect")[0, 0].numpy()
                               if p else x)


@pytest.mark.parametrize("name", WRONG_MIRROR)
def test_mirror_pad_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_mirror_pad, WRONG_MIRROR[name])


# ------------------------------------------------------------------ output size with dilation
WRONG_SIZES = {
    "stub": stub,
    "dilation ignored": lambda n, k, s, p, d: (n + 2 * p - k) // s + 1,
    "span k*d": lambda n, k, s, p, d: (n + 2 * p - k * d) // s + 1,
    "ceil": lambda n, k, s, p, d: math.ceil((n + 2 * p - d * (k - 1) - 1) / s) + 1,
    "true division": lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) / s + 1,
    "padding once": lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1,
}


def test_dilated_output_size_accepts_the_formula():
    assert ex.check_dilated_output_size(lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s + 1)


@pytest.mark.parametrize("name", WRONG_SIZES)
def test_dilated_output_size_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_dilated_output_size, WRONG_SIZES[name])


# ------------------------------------------------------------------ partial-convolution ratio
def right_ratio(h, w, k, p):
    mask = F.pad(torch.ones(1, 1, h, w, dtype=torch.float64), (p,) * 4)
    count = F.conv2d(mask, torch.ones(1, 1, k, k, dtype=torch.float64))[0, 0].numpy()
    return k * k / count


WRONG_RATIO = {
    "stub": stub,
    "all ones (plain zero padding)": lambda h, w, k, p: np.ones((h + 2 * p - k + 1, w + 2 * p - k + 1)),
    "inverted": lambda h, w, k, p: 1 / right_ratio(h, w, k, p),
    "counts, not a ratio": lambda h, w, k, p: k * k / right_ratio(h, w, k, p),
    "h and w swapped": lambda h, w, k, p: right_ratio(w, h, k, p),
    "same size as the input": lambda h, w, k, p: right_ratio(h, w, k, p)[:h, :w],
}


def test_partial_ratio_accepts_a_right_answer():
    assert ex.check_partial_ratio(right_ratio)


@pytest.mark.parametrize("name", WRONG_RATIO)
def test_partial_ratio_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_partial_ratio, WRONG_RATIO[name])
