"""Notebook 02's checkers accept right answers and reject the stub and plausible wrong answers."""

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F

import helpers.conv
import helpers.im2col
import helpers.counting
from helpers.exercises import convolution as ex
from tests.exercises.support import refused_as_shortcut, rejected, shortcuts_allowed, stub, tuned_to_visible


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


# ------------------------------------------------------------------ multi-channel convolution
def correlate(image, kernel):  # the notebook gives this one-channel valid cross-correlation
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for u in range(kh):
        for v in range(kw):
            out += kernel[u, v] * image[u:u + out.shape[0], v:v + out.shape[1]]
    return out


def right_multichannel(x, weight, bias):
    maps = []
    for i in range(weight.shape[0]):
        f = sum(correlate(x[j], weight[i, j]) for j in range(x.shape[0]))
        maps.append(f if bias is None else f + bias[i])
    return np.stack(maps)


def by_einsum(x, weight, bias):  # windows and einsum: a right answer that calls no convolution
    kh, kw = weight.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    out = np.einsum("jhwuv,ijuv->ihw", windows, weight)
    return out if bias is None else out + np.asarray(bias)[:, None, None]


def _with_helpers_conv(x, weight, bias):
    maps = []
    for i in range(weight.shape[0]):
        f = sum(helpers.conv.conv2d(x[j], weight[i, j]) for j in range(x.shape[0]))
        maps.append(f if bias is None else f + bias[i])
    return np.stack(maps)


def no_bias(x, w, b):
    return right_multichannel(x, w, None)


def bias_per_input(x, w, b):
    return right_multichannel(x, w, None if b is None else b * x.shape[0])


def weights_transposed(x, w, b):  # w_{j,i} read as weight[j, i]
    return right_multichannel(x, np.swapaxes(w, 0, 1), b)


def mean_over_inputs(x, w, b):
    return right_multichannel(x, w / x.shape[0], b)


def first_input_only(x, w, b):
    return right_multichannel(x[:1], w[:, :1], b)


def kernel_flipped(x, w, b):
    return right_multichannel(x, w[..., ::-1, ::-1], b)


WRONG_MULTICHANNEL = {
    "stub": stub,
    "bias forgotten": no_bias,
    "bias added once per input channel": bias_per_input,
    "w_{j,i} read as weight[j, i]": weights_transposed,
    "mean over the input channels": mean_over_inputs,
    "first input channel only": first_input_only,
    "kernel flipped (true convolution)": kernel_flipped,
    "output channels in reverse": lambda x, w, b: right_multichannel(x, w, b)[::-1],
    "channels last": lambda x, w, b: np.moveaxis(right_multichannel(x, w, b), 0, -1),
}


def test_multichannel_accepts_right_answers():
    assert ex.check_multichannel_conv2d(right_multichannel)
    assert ex.check_multichannel_conv2d(right_multichannel, hidden_seed=5)
    assert ex.check_multichannel_conv2d(by_einsum)
    assert ex.check_multichannel_conv2d(_with_helpers_conv)  # conv2d on one channel at a time is allowed


@pytest.mark.parametrize("name", WRONG_MULTICHANNEL)
def test_multichannel_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_multichannel_conv2d, WRONG_MULTICHANNEL[name])


def _torch_layer(x, w, b):
    layer = torch.nn.Conv2d(w.shape[1], w.shape[0], w.shape[2:], bias=b is not None, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(w))
        if b is not None:
            layer.bias.copy_(torch.tensor(b))
        return layer(torch.tensor(x)[None])[0].numpy()


def _optional(b):
    return None if b is None else torch.tensor(b)


def _scipy(x, w, b):
    out = np.stack([scipy.signal.correlate(x, w[i], mode="valid")[0] for i in range(w.shape[0])])
    return out if b is None else out + np.asarray(b)[:, None, None]


#: Each one a right answer, were it allowed -> the label of the refusal (torch.nn covers its submodules).
MULTICHANNEL_SHORTCUTS = {
    "torch.nn.Conv2d": (_torch_layer, "torch.nn"),
    "F.conv2d": (lambda x, w, b: F.conv2d(torch.tensor(x)[None], torch.tensor(w), _optional(b))[0].numpy(),
                 "torch.nn.functional"),
    "torch.conv2d": (lambda x, w, b: torch.conv2d(torch.tensor(x)[None], torch.tensor(w), _optional(b))[0].numpy(),
                     "torch.conv2d"),
    "scipy.signal": (_scipy, "scipy.signal"),
    "conv2d on all channels": (lambda x, w, b: helpers.conv.conv2d(x[None], w, b)[0],
                               "helpers.conv.conv2d on several channels"),
    "conv2d_naive on all channels": (lambda x, w, b: helpers.conv.conv2d_naive(x[None], w, b)[0],
                                     "helpers.conv.conv2d_naive on several channels"),
    "multichannel_parts": (lambda x, w, b: np.stack([
        helpers.conv.multichannel_parts(x, w, np.zeros(len(w)) if b is None else b, i).output for i in range(len(w))]),
        "helpers.conv.multichannel_parts"),
    "im2col columns": (lambda x, w, b: helpers.im2col.by_columns(x[None], w)[0] + (0 if b is None else
                                                                                np.asarray(b)[:, None, None]),
                       "helpers.im2col"),
}


@pytest.mark.parametrize("name", MULTICHANNEL_SHORTCUTS)
def test_multichannel_refuses_the_library_s_channel_sum(name):
    answer, label = MULTICHANNEL_SHORTCUTS[name]
    with shortcuts_allowed():
        assert ex.check_multichannel_conv2d(answer)
    assert f"({label})" in refused_as_shortcut(ex.check_multichannel_conv2d, answer)


def test_multichannel_hidden_cases_catch_an_answer_tuned_to_the_visible_ones():
    tuned = tuned_to_visible(ex.check_multichannel_conv2d, right_multichannel, no_bias)
    assert ex.check_multichannel_conv2d(tuned)
    assert "hidden" in rejected(ex.check_multichannel_conv2d, tuned, hidden_seed=3)


# ------------------------------------------------------------------ grouped convolution by splitting
def _valid_corr(x, w):
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


# ------------------------------------------------------------------ groups for a parameter budget
def right_fewest_groups(c_in, c_out, k, budget):
    for g in range(1, min(c_in, c_out) + 1):
        if c_in % g == 0 and c_out % g == 0 and c_out * (c_in // g) * k * k + c_out <= budget:
            return g


def first_divisor_of_inputs(c_in, c_out, k, budget):  # forgets that groups must divide out_channels too
    return next(g for g in range(1, c_in + 1) if c_in % g == 0 and c_out * c_in / g * k * k + c_out <= budget)


def by_counting_torch_layers(c_in, c_out, k, budget):
    for g in range(1, min(c_in, c_out) + 1):
        if c_in % g == 0 and c_out % g == 0:
            layer = torch.nn.Conv2d(c_in, c_out, k, groups=g, device="meta")
            if sum(p.numel() for p in layer.parameters()) <= budget:
                return g


def by_conv_params(c_in, c_out, k, budget):
    for g in range(1, min(c_in, c_out) + 1):
        if c_in % g == 0 and c_out % g == 0 and helpers.counting.conv_params(c_in, c_out, k, groups=g) <= budget:
            return g


def _search(count):
    def fewest(c_in, c_out, k, budget):
        for g in range(1, min(c_in, c_out) + 1):
            if c_in % g == 0 and c_out % g == 0 and count(c_in, c_out, k, g) <= budget:
                return g
    return fewest


WRONG_FEWEST = {
    "stub": stub,
    "groups need only divide in_channels": first_divisor_of_inputs,
    "bias forgotten": _search(lambda ci, co, k, g: co * (ci // g) * k * k),
    "one bias per group": _search(lambda ci, co, k, g: co * (ci // g) * k * k + g),
    "groups ignored in the count": _search(lambda ci, co, k, g: co * ci * k * k // g ** 2 + co),
    "strictly under the budget": _search(lambda ci, co, k, g: co * (ci // g) * k * k + co + 1),
    "the most groups, not the fewest": lambda ci, co, k, b: max(
        g for g in range(1, min(ci, co) + 1) if ci % g == 0 and co % g == 0),
    "the parameter count, not the groups": lambda ci, co, k, b: co * (ci // right_fewest_groups(ci, co, k, b)) * k * k
    + co,
}


def test_fewest_groups_accepts_a_search():
    assert ex.check_fewest_groups(right_fewest_groups)
    assert ex.check_fewest_groups(right_fewest_groups, hidden_seed=9)


@pytest.mark.parametrize("name", WRONG_FEWEST)
def test_fewest_groups_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_fewest_groups, WRONG_FEWEST[name])


@pytest.mark.parametrize("answer, label", [(by_counting_torch_layers, "torch.nn"), (by_conv_params, "helpers.counting")])
def test_fewest_groups_refuses_counting_real_layers(answer, label):
    with shortcuts_allowed():
        assert ex.check_fewest_groups(answer)
    assert f"({label})" in refused_as_shortcut(ex.check_fewest_groups, answer)


def test_fewest_groups_hidden_cases_catch_an_answer_tuned_to_the_visible_ones():
    tuned = tuned_to_visible(ex.check_fewest_groups, right_fewest_groups, lambda *args: 1)
    assert ex.check_fewest_groups(tuned)
    assert "hidden" in rejected(ex.check_fewest_groups, tuned, hidden_seed=4)
