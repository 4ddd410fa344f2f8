"""The normalization checkers accept right answers and reject a stub and plausible wrong answers."""

import numpy as np
import pytest

from helpers.exercises import normalization as ex
from tests.exercises.support import rejected, shortcuts_allowed, stub
from helpers.exercises.normalization import local_mean


# ------------------------------------------------------------------ local contrast normalization
def right_lcn(image):
    v = image - local_mean(image)
    sigma = np.sqrt(local_mean(v**2))
    return v / np.maximum(sigma.mean(), sigma)


def no_floor(image):  # divides by sigma alone: flat regions are blown up
    v = image - local_mean(image)
    return v / (np.sqrt(local_mean(v**2)) + 1e-6)


def global_std(image):
    v = image - local_mean(image)
    return v / v.std()


def subtractive_only(image):
    return image - local_mean(image)


def no_square_root(image):
    v = image - local_mean(image)
    var = local_mean(v**2)
    return v / np.maximum(var.mean(), var)


def std_of_x_not_v(image):
    v = image - local_mean(image)
    sigma = np.sqrt(np.maximum(local_mean(image**2) - local_mean(image) ** 2, 0))
    return v / np.maximum(sigma.mean(), sigma)


def test_lcn_accepts_the_two_steps():
    assert ex.check_lcn(right_lcn)


@pytest.mark.parametrize("wrong", [stub, no_floor, global_std, subtractive_only, no_square_root, std_of_x_not_v])
def test_lcn_rejects(wrong):
    with shortcuts_allowed():
        rejected(ex.check_lcn, wrong)


# ------------------------------------------------------------------ running statistics
def _running(batches, momentum, update, unbiased=True, axes=(0, 2, 3)):
    c = batches[0].shape[1]
    mean, var = np.zeros(c), np.ones(c)
    for x in batches:
        n = x.size // c
        bv = x.var(axis=axes) * (n / (n - 1) if unbiased else 1.0)
        mean, var = update(mean, x.mean(axis=axes), momentum), update(var, bv, momentum)
    return mean, var


def torch_update(old, new, m):
    return (1 - m) * old + m * new


def right_running_stats(batches, momentum):
    return _running(batches, momentum, torch_update)


def reversed_momentum(batches, momentum):  # d2l's first convention with torch's number
    return _running(batches, momentum, lambda old, new, m: m * old + (1 - m) * new)


def biased_variance(batches, momentum):
    return _running(batches, momentum, torch_update, unbiased=False)


def batch_only(batches, momentum):  # forgets the running average
    return _running(batches, momentum, lambda old, new, m: new)


def starts_at_zero_var(batches, momentum):
    mean, var = right_running_stats(batches, momentum)
    return mean, var - (1 - momentum) ** len(batches)


def test_running_stats_accepts_torch_convention():
    assert ex.check_running_stats(right_running_stats)


@pytest.mark.parametrize("wrong", [stub, reversed_momentum, biased_variance, batch_only, starts_at_zero_var])
def test_running_stats_rejects(wrong):
    with shortcuts_allowed():
        rejected(ex.check_running_stats, wrong)


# ------------------------------------------------------------------ group normalization
def right_group_norm(x, g):
    n, c, h, w = x.shape
    r = x.reshape(n, g, -1)
    r = (r - r.mean(axis=2, keepdims=True)) / np.sqrt(r.var(axis=2, keepdims=True) + 1e-5)
    return r.reshape(x.shape)


def per_channel(x, g):  # instance norm whatever g is
    return right_group_norm(x, x.shape[1])


def over_the_batch(x, g):  # batch-norm statistics
    return (x - x.mean(axis=(0, 2, 3), keepdims=True)) / np.sqrt(x.var(axis=(0, 2, 3), keepdims=True) + 1e-5)


def interleaved_groups(x, g):  # channel c in group c % g
    n, c, h, w = x.shape
    perm = np.argsort(np.arange(c) % g, kind="stable")
    out = right_group_norm(x[:, perm], g)
    back = np.empty_like(out)
    back[:, perm] = out
    return back


def unbiased(x, g):
    n, c, h, w = x.shape
    r = x.reshape(n, g, -1)
    r = (r - r.mean(axis=2, keepdims=True)) / np.sqrt(r.var(axis=2, ddof=1, keepdims=True) + 1e-5)
    return r.reshape(x.shape)


def test_group_norm_accepts_the_reshape():
    assert ex.check_group_norm(right_group_norm)


@pytest.mark.parametrize("wrong", [stub, per_channel, over_the_batch, interleaved_groups, unbiased])
def test_group_norm_rejects(wrong):
    with shortcuts_allowed():
        rejected(ex.check_group_norm, wrong)
