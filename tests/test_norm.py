"""helpers.norm against torch (LRN, batch / layer / group norm) and against scipy + the paper's formula (LCN)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import ndimage

from helpers.checks import rel_error
from helpers.norm import (
    BatchNorm2d,
    batch_norm2d,
    gaussian_window,
    group_norm,
    layer_norm,
    local_contrast_norm,
    local_response_norm,
)
from tests.torch_oracle import tensor as t


# ------------------------------------------------------------------ local contrast normalization
def lcn_reference(x, size, sigma, across, eps=1e-6):
    """Jarrett et al.'s formulas pixel by pixel, with scipy's correlate for the weighted sums.

    Border: the weighted sums only cover pixels inside the image, renormalized by the weight inside.
    """
    r = np.arange(size) - size // 2
    g = np.exp(-r**2 / (2 * sigma**2))
    w = np.outer(g, g)
    w /= w.sum()
    N, C, H, W = x.shape
    inside = ndimage.correlate(np.ones((H, W)), w, mode="constant")

    def wsum(a):  # (C, H, W) -> weighted local mean per channel
        return np.stack([ndimage.correlate(a[c], w, mode="constant") / inside for c in range(a.shape[0])])

    out = np.empty_like(x)
    for n in range(N):
        m = wsum(x[n])
        m = np.broadcast_to(m.mean(axis=0), m.shape) if across else m
        v = x[n] - m
        s2 = wsum(v**2)
        s2 = np.broadcast_to(s2.mean(axis=0), s2.shape) if across else s2
        sigma_map = np.sqrt(s2)
        if across:
            c = sigma_map[0].mean()
        else:
            c = sigma_map.mean(axis=(1, 2), keepdims=True)
        out[n] = v / np.maximum(np.maximum(c, sigma_map), eps)
    return out


@settings(max_examples=40)
@given(st.integers(1, 2), st.integers(1, 4), st.integers(3, 12), st.integers(3, 12),
       st.sampled_from([1, 3, 5, 9]), st.floats(0.5, 3.0), st.booleans(), st.integers(0, 2**16))
def test_lcn_matches_the_paper_formula(n, c, h, w, size, sigma, across, seed):
    x = np.random.default_rng(seed).standard_normal((n, c, h, w))
    ours = local_contrast_norm(x, size=size, sigma=sigma, across_channels=across)
    assert rel_error(ours, lcn_reference(x, size, sigma, across)) < 1e-10


@settings(max_examples=30)
@given(st.floats(0.05, 20.0), st.floats(-5.0, 5.0), st.booleans(), st.integers(0, 2**16))
def test_lcn_is_insensitive_to_illumination(gain, offset, across, seed):
    """Scaling by a > 0 and adding b changes nothing: the slide's 光照不敏感."""
    assume(abs(gain - 1) > 0.1 or abs(offset) > 0.1)  # a real change of light
    x = np.random.default_rng(seed).random((1, 3, 16, 16))
    ref = local_contrast_norm(x, across_channels=across)
    assert rel_error(local_contrast_norm(gain * x + offset, across_channels=across), ref) < 1e-9
    # raw images differ by much more
    assert rel_error(gain * x + offset, x) > 0.04


def test_lcn_across_channels_couples_the_channels_and_within_does_not():
    x = np.random.default_rng(0).random((1, 2, 12, 12))
    louder = x.copy()
    louder[:, 1] *= 10  # make channel 1 much stronger
    within, within_loud = local_contrast_norm(x, across_channels=False), local_contrast_norm(louder, across_channels=False)
    across, across_loud = local_contrast_norm(x), local_contrast_norm(louder)
    assert rel_error(within_loud[:, 0], within[:, 0]) < 1e-12  # channel 0 does not see channel 1
    assert rel_error(across_loud[:, 0], across[:, 0]) > 0.1  # channel 0 is suppressed by its loud neighbour
    assert np.abs(across_loud[:, 0]).mean() < np.abs(across[:, 0]).mean()


def test_lcn_shapes_constant_input_and_errors():
    img = np.random.default_rng(1).random((10, 12))
    assert local_contrast_norm(img).shape == (10, 12)
    flat = local_contrast_norm(np.full((1, 1, 6, 6), 3.0))
    assert np.all(np.isfinite(flat)) and np.abs(flat).max() < 1e-8  # 0 up to rounding, no NaN
    assert rel_error(local_contrast_norm(img), local_contrast_norm(img[None, None])[0, 0]) == 0
    assert np.isclose(gaussian_window(9, 2.0).sum(), 1.0)
    with pytest.raises(ValueError, match="size=4.*odd"):
        local_contrast_norm(img, size=4)
    with pytest.raises(ValueError, match="sigma=0"):
        local_contrast_norm(img, sigma=0)
    with pytest.raises(ValueError, match="across_channels"):
        local_contrast_norm(img, across_channels="yes")
    with pytest.raises(ValueError, match="shape"):
        local_contrast_norm(np.zeros(5))


# ------------------------------------------------------------------ local response normalization
@settings(max_examples=100)
@given(st.integers(1, 3), st.integers(1, 8), st.integers(1, 5), st.integers(1, 9),
       st.floats(0.0, 1.0), st.floats(0.1, 1.5), st.floats(0.5, 3.0), st.integers(0, 2**16))
def test_lrn_matches_torch(n, c, hw, size, alpha, beta, k, seed):
    x = np.random.default_rng(seed).standard_normal((n, c, hw, hw + 1))
    ref = F.local_response_norm(t(x), size, alpha=alpha, beta=beta, k=k)
    assert rel_error(local_response_norm(x, size, alpha, beta, k), ref) < 1e-12


def test_lrn_alexnet_setting_and_errors():
    x = np.random.default_rng(2).standard_normal((2, 16, 6, 6)) * 10
    ref = torch.nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(t(x))  # AlexNet: n=5, k=2
    assert rel_error(local_response_norm(x, 5, 1e-4, 0.75, 2.0), ref) < 1e-12
    x3 = x[:, :, 0]  # (N, C, L)
    assert rel_error(local_response_norm(x3, 3), F.local_response_norm(t(x3), 3)) < 1e-12
    with pytest.raises(ValueError, match="size=0"):
        local_response_norm(x, 0)
    with pytest.raises(ValueError, match="k=0"):
        local_response_norm(x, 3, k=0)
    with pytest.raises(ValueError, match="shape"):
        local_response_norm(np.zeros((3, 3)), 3)


# ------------------------------------------------------------------ batch normalization
@settings(max_examples=60)
@given(st.integers(2, 5), st.integers(1, 4), st.integers(1, 4), st.sampled_from([0.1, 0.5, 0.0, 1.0, None]),
       st.booleans(), st.integers(1, 4), st.integers(0, 2**16))
def test_batchnorm2d_matches_torch_in_training_and_evaluation(n, c, hw, momentum, affine, steps, seed):
    rng = np.random.default_rng(seed)
    ours = BatchNorm2d(c, momentum=momentum, affine=affine)
    ref = torch.nn.BatchNorm2d(c, momentum=momentum, affine=affine, dtype=torch.float64)
    if affine:
        w, b = rng.standard_normal(c), rng.standard_normal(c)
        ours.weight[:], ours.bias[:] = w, b
        with torch.no_grad():
            ref.weight.copy_(t(w))
            ref.bias.copy_(t(b))
    for _ in range(steps):  # training: batch statistics, running statistics updated
        x = rng.normal(3.0, 2.0, (n, c, hw, hw))
        assert rel_error(ours(x), ref(t(x)).detach()) < 1e-10
    assert rel_error(ours.running_mean, ref.running_mean) < 1e-12
    assert rel_error(ours.running_var, ref.running_var) < 1e-12
    assert ours.num_batches_tracked == int(ref.num_batches_tracked) == steps
    ours.eval()
    ref.eval()
    x = rng.normal(3.0, 2.0, (1, c, hw, hw))  # evaluation works for a single image
    assert rel_error(ours(x), ref(t(x)).detach()) < 1e-10
    assert rel_error(ours.running_mean, ref.running_mean) < 1e-12  # unchanged in evaluation


def test_batchnorm_running_stats_follow_torch_momentum_not_the_reverse():
    """m is the weight of the new batch: after one step from 0, running_mean = m * batch mean."""
    bn = BatchNorm2d(1, momentum=0.1)
    x = np.full((2, 1, 2, 2), 10.0)
    x[0] = 0.0  # batch mean 5, unbiased variance 25 * 8/7
    bn(x)
    assert np.isclose(bn.running_mean[0], 0.5)  # not 0.9 * 5 (d2l's first convention)
    assert np.isclose(bn.running_var[0], 0.9 * 1 + 0.1 * 25 * 8 / 7)


def test_batchnorm_without_running_stats_uses_the_batch_in_eval_too():
    rng = np.random.default_rng(3)
    ours, ref = BatchNorm2d(2, track_running_stats=False), torch.nn.BatchNorm2d(2, track_running_stats=False).double()
    ours.eval()
    ref.eval()
    x = rng.standard_normal((3, 2, 4, 4))
    assert rel_error(ours(x), ref(t(x)).detach()) < 1e-10


def test_batchnorm_errors():
    bn = BatchNorm2d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(np.zeros((1, 3, 1, 1)))
    with pytest.raises(ValueError, match="expects 3"):
        bn(np.zeros((2, 4, 2, 2)))
    with pytest.raises(ValueError, match="num_features=0"):
        BatchNorm2d(0)
    with pytest.raises(ValueError, match="momentum=2"):
        batch_norm2d(np.zeros((2, 1, 2, 2)), np.zeros(1), np.ones(1), momentum=2)
    with pytest.raises(ValueError, match="running_mean has shape"):
        batch_norm2d(np.zeros((2, 1, 2, 2)), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="training=False"):
        batch_norm2d(np.zeros((2, 1, 2, 2)), training=False)


# ------------------------------------------------------------------ layer and group normalization
@settings(max_examples=60)
@given(st.integers(1, 3), st.sampled_from([(1, 1), (2, 1), (4, 2), (6, 3), (6, 6), (8, 1)]), st.integers(2, 5),
       st.booleans(), st.integers(0, 2**16))
def test_group_and_layer_norm_match_torch(n, cg, hw, affine, seed):
    c, groups = cg
    rng = np.random.default_rng(seed)
    x = rng.normal(1.0, 3.0, (n, c, hw, hw))
    w, b = (rng.standard_normal(c), rng.standard_normal(c)) if affine else (None, None)
    ref = F.group_norm(t(x), groups, None if w is None else t(w), None if b is None else t(b))
    assert rel_error(group_norm(x, groups, w, b), ref) < 1e-10
    shape = (c, hw, hw)
    lw, lb = (rng.standard_normal(shape), rng.standard_normal(shape)) if affine else (None, None)
    ref = F.layer_norm(t(x), shape, None if lw is None else t(lw), None if lb is None else t(lb))
    assert rel_error(layer_norm(x, shape, lw, lb), ref) < 1e-10
    assert rel_error(layer_norm(x, hw), F.layer_norm(t(x), (hw,))) < 1e-10


def test_group_norm_special_cases_and_errors():
    x = np.random.default_rng(4).standard_normal((2, 4, 3, 3))
    assert rel_error(group_norm(x, 4), F.instance_norm(t(x))) < 1e-10  # one channel per group
    assert rel_error(group_norm(x, 1), layer_norm(x, (4, 3, 3))) < 1e-12
    with pytest.raises(ValueError, match="num_groups=3.*C=4"):
        group_norm(x, 3)
    with pytest.raises(ValueError, match="normalized_shape"):
        layer_norm(x, (3, 3, 3))
