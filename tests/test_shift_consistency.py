"""Shift consistency and feature change: the building blocks against torch, the measures against a loop."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.checks import rel_error
from helpers.data import offline_digits
from helpers.deform import shift
from helpers.equivariance import (
    DOWNSAMPLERS,
    blur_downsample,
    blur_kernel,
    downsample,
    edge_bank,
    edge_features,
    feature_change,
    shift_consistency,
)
from helpers.pool import max_pool2d


@pytest.fixture(scope="module")
def digits():
    images, _ = offline_digits()
    return np.pad(images[::100], ((0, 0), (2, 2), (2, 2))).astype(np.float64)  # 50 digits, 32x32


def test_edge_features_match_torch(digits):
    ref = F.relu(F.conv2d(torch.tensor(digits[:, None]), torch.tensor(edge_bank()), padding=1))
    assert rel_error(edge_features(digits), ref) < 1e-12
    ref2 = F.relu(F.conv2d(torch.tensor(digits[:, None]), torch.tensor(edge_bank()), padding=1, stride=2))
    assert rel_error(edge_features(digits, stride=2), ref2) < 1e-12


def test_edge_bank_is_eight_zero_sum_detectors():
    bank = edge_bank()
    assert bank.shape == (8, 1, 3, 3)
    assert np.allclose(bank.sum(axis=(1, 2, 3)), 0)
    assert np.allclose(bank[0::2], -bank[1::2])  # both signs


@pytest.mark.parametrize("size, stride", [(1, 2), (2, 2), (3, 2), (4, 2), (5, 3), (3, 1)])
def test_blur_downsample_matches_torch_depthwise_conv(size, stride):
    x = np.random.default_rng(size).standard_normal((2, 3, 9, 10))
    k = torch.tensor(blur_kernel(size))[None, None].repeat(3, 1, 1, 1)
    lo, hi = (size - 1) // 2, size // 2
    xt = F.pad(torch.tensor(x), (lo, hi, lo, hi), mode="reflect") if size > 1 else torch.tensor(x)
    ref = F.conv2d(xt, k, stride=stride, groups=3)
    assert rel_error(blur_downsample(x, stride, size), ref) < 1e-12


def test_blur_kernel_is_binomial():
    assert np.allclose(blur_kernel(3), np.outer([1, 2, 1], [1, 2, 1]) / 16)
    assert np.isclose(blur_kernel(5).sum(), 1.0)
    with pytest.raises(ValueError, match="size=8"):
        blur_kernel(8)


def test_strided_conv_is_subsampled_conv(digits):
    assert rel_error(downsample(digits, "strided conv"), edge_features(digits)[..., ::2, ::2]) < 1e-12
    for method in DOWNSAMPLERS:
        assert downsample(digits, method).shape == (len(digits), 8, 16, 16), method
    with pytest.raises(ValueError, match="method='pool'"):
        downsample(digits, "pool")


def loop_consistency(down, images, d, stride=2):
    """The definition, one image and one direction at a time."""
    scores = []
    for x in images:
        base = down(x[None])[0]
        for dy, dx in ((d, 0), (0, d)):
            moved = down(shift(x, dy, dx)[None])[0].ravel()
            best = -np.inf
            for m in {d // stride, -(-d // stride)}:
                aligned = shift(base, m if dy else 0, m if dx else 0).ravel()
                best = max(best, moved @ aligned / (np.linalg.norm(moved) * np.linalg.norm(aligned)))
            scores.append(best)
    return np.mean(scores)


def test_shift_consistency_matches_its_definition(digits):
    down = lambda z: downsample(z, "max pool")  # noqa: E731
    ours = shift_consistency(down, digits[:10], shifts=(1, 3))
    assert np.allclose(ours, [loop_consistency(down, digits[:10], 1), loop_consistency(down, digits[:10], 3)])


def test_whole_output_steps_are_consistent_and_blur_helps_in_between(digits):
    scores = {m: shift_consistency(lambda z, m=m: downsample(z, m), digits) for m in DOWNSAMPLERS}
    for m, s in scores.items():
        assert np.allclose(s[[1, 3]], 1.0, atol=1e-3), m  # shifts of 2 and 4 pixels: one and two output pixels
        # (not exactly 1 at 4 pixels: a few strokes reach the border)
        assert (s[[0, 2]] < 0.99).all(), m  # odd shifts: no whole output step matches
    # Zhang (2019): blurring before subsampling makes the output follow the input better
    assert scores["blur pool"][0] > scores["strided conv"][0] + 0.05
    assert scores["max-blur pool"][0] > scores["max pool"][0]


def test_feature_change_shows_pooling_insensitivity(digits):
    move = lambda z, a: shift(z, 0, a)  # noqa: E731
    none = feature_change(edge_features, digits, move, [0, 1, 2])
    pooled = feature_change(lambda z: max_pool2d(edge_features(z), 4), digits, move, [0, 1, 2])
    assert none[0] == 0 and pooled[0] == 0
    assert none[1] > 0.5 and pooled[1] < 0.7 * none[1]
    assert (np.diff(none) > 0).all()
    with pytest.raises(ValueError, match="shape"):
        feature_change(edge_features, np.zeros(5), move, [0])


def test_argument_errors(digits):
    with pytest.raises(ValueError, match="shifts"):
        shift_consistency(edge_features, digits, shifts=[-1])
    with pytest.raises(ValueError, match="stride=0"):
        shift_consistency(edge_features, digits, stride=0)
    with pytest.raises(ValueError, match="images has shape"):
        edge_features(np.zeros((2, 3, 8, 8)))
