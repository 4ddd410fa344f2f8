"""Shift equivariance of convolution, where it breaks, and how pooling buys invariance: measured against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from helpers.data import photograph
from helpers.equivariance import (
    POOLINGS,
    conv_same,
    interior_mask,
    invariance_curve,
    invariance_curves,
    pooled_features,
    recover_shift,
    rotation_equivariance_error,
    shift_equivariance,
)
from helpers.filters import PRESETS, kernel_preset
from tests.torch_oracle import torch_conv_same, torch_shift


@pytest.fixture(scope="module")
def photo():
    return photograph(factor=8)[:72, :64]


@given(name=st.sampled_from(sorted(PRESETS)), dy=st.integers(-6, 6), dx=st.integers(-6, 6),
       mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
def test_error_is_zero_inside_and_matches_torch(photo, name, dy, dx, mode):
    k = kernel_preset(name)
    r = shift_equivariance(photo, k, dy, dx, padding_mode=mode)
    expected = np.abs(torch_conv_same(torch_shift(photo, dy, dx), k, mode=mode)
                      - torch_shift(torch_conv_same(photo, k, mode=mode), dy, dx))
    assert np.allclose(r.error, expected, atol=1e-12)
    assert r.interior_norm < 1e-12
    assert np.isclose(r.norm, np.linalg.norm(expected))
    if (dy, dx) != (0, 0) and name != "identity" and mode == "zeros":
        assert r.border_norm > 1e-3  # the photograph is not black at its border: the border breaks it


def test_circular_padding_with_a_roll_is_exactly_equivariant(photo):
    for name in PRESETS:
        r = shift_equivariance(photo, kernel_preset(name), 5, -3, padding_mode="circular", circular_shift=True)
        assert r.norm < 1e-12


@pytest.mark.parametrize("stride", [2, 3])
def test_stride_keeps_equivariance_only_for_multiples_of_the_stride(photo, stride):
    k = kernel_preset("sobel x")
    # rolled input, circular padding: no border anywhere, only the stride matters (72 and 64 divide by 2; use 2)
    x = photo[:72, :63] if stride == 3 else photo
    ok = shift_equivariance(x, k, stride, 2 * stride, stride=stride, padding_mode="circular", circular_shift=True)
    assert ok.exact_shift and ok.norm < 1e-12
    for dy in range(1, stride):
        bad = shift_equivariance(x, k, dy, 0, stride=stride, padding_mode="circular", circular_shift=True)
        assert not bad.exact_shift and bad.relative > 0.1
        # no output shift at all would do: compare with every candidate
        a = torch_conv_same(np.roll(x, dy, 0), k, stride, "circular")
        b = torch_conv_same(x, k, stride, "circular")
        assert min(np.linalg.norm(a - np.roll(b, t, 0)) for t in range(b.shape[0])) > 0.1 * np.linalg.norm(b)


def test_rotation_breaks_equivariance_unless_the_kernel_is_symmetric(photo):
    sobel, gauss = kernel_preset("sobel x"), kernel_preset("gaussian")
    assert rotation_equivariance_error(photo, sobel, 90) > 0.5  # sobel x turns into sobel y
    assert rotation_equivariance_error(photo, gauss, 90) < 1e-9  # symmetric under 90 degrees
    assert rotation_equivariance_error(photo, sobel, 180) == pytest.approx(2.0)  # an antisymmetric kernel flips sign
    assert rotation_equivariance_error(photo, sobel, 0) == 0.0
    # exact grid rotation by 90 degrees as the oracle
    a = torch_conv_same(np.rot90(photo).copy(), sobel)
    b = np.rot90(torch_conv_same(photo, sobel)).copy()
    assert np.linalg.norm(a - b) > 0.5 * np.linalg.norm(b)


def test_interior_mask():
    m = interior_mask((6, 5), 2)
    assert m.sum() == 2 and m[2:4, 2].all()
    assert not interior_mask((4, 4), 2).any()
    with pytest.raises(ValueError, match="margin=-1"):
        interior_mask((4, 4), -1)


@pytest.fixture(scope="module")
def digits():
    from helpers.data import offline_digits

    images, _ = offline_digits()
    return np.pad(images[:40], ((0, 0), (2, 2), (2, 2)))  # 32x32: the digits never leave the image


@pytest.fixture(scope="module")
def kernels():
    return np.random.default_rng(0).standard_normal((4, 5, 5))


def test_pooled_features_match_torch_modules(digits, kernels):
    x = torch.tensor(digits[:3], dtype=torch.float64)[:, None]
    h = torch.relu(torch.nn.functional.conv2d(x, torch.tensor(kernels)[:, None], padding=2))
    assert torch.allclose(pooled_features(digits[:3], kernels, "max 2x2"), F.max_pool2d(h, 2).flatten(1))
    assert torch.allclose(pooled_features(digits[:3], kernels, "global average"),
                          F.adaptive_avg_pool2d(h, 1).flatten(1))
    assert torch.allclose(pooled_features(digits[:3], kernels, "global max"), F.adaptive_max_pool2d(h, 1).flatten(1))
    assert torch.allclose(pooled_features(digits[:3], kernels, "none"), h.flatten(1))


def test_pooling_buys_invariance(digits, kernels):
    shifts = [0, 1, 2, 3]
    curves = invariance_curves(digits, kernels, shifts)
    assert set(curves) == set(POOLINGS)
    assert np.array_equal(invariance_curve(digits, kernels, "max 2x2", shifts), curves["max 2x2"])
    assert all(c[0] == 0 for c in curves.values())
    # global pooling: exactly invariant while the digit stays inside the image
    assert curves["global average"].max() < 1e-12 and curves["global max"].max() < 1e-12
    # local max pooling: smaller change than no pooling, and larger windows change less
    for s in range(1, 4):
        assert curves["max 4x4"][s] < curves["max 2x2"][s] < curves["none"][s]
    assert curves["none"][1] > 0.3  # a one-pixel shift changes the raw feature map a lot


def test_the_shift_can_be_read_off_an_equivariant_map_only(digits, kernels):
    x = digits[:1]
    maps = pooled_features(x, kernels, "none").reshape(1, len(kernels), 32, 32).numpy()
    for dy, dx in [(0, 0), (2, -3), (-1, 4)]:
        moved = np.roll(x, (dy, dx), axis=(1, 2))  # the digit stays inside: a roll moves only zeros round
        moved_maps = pooled_features(moved, kernels, "none").reshape(maps.shape).numpy()
        assert recover_shift(maps, moved_maps, 4) == (dy, dx)
        g0 = pooled_features(x, kernels, "global max").numpy()
        assert np.allclose(pooled_features(moved, kernels, "global max").numpy(), g0)  # nothing left to read


@pytest.mark.parametrize("call, match", [
    (lambda: recover_shift(np.zeros((4, 4)), np.zeros((4, 5)), 1), "equal"),
    (lambda: recover_shift(np.zeros((4, 4)), np.zeros((4, 4)), -1), "max_shift=-1"),
    (lambda: conv_same(np.zeros((5, 5)), np.ones((2, 2))), r"kernel has shape \(2, 2\)"),
    (lambda: conv_same(np.zeros((5, 5, 3)), np.ones((3, 3))), "grayscale"),
    (lambda: shift_equivariance(np.zeros((8, 8)), np.ones((3, 3)), 1.5, 0), "dy=1.5"),
    (lambda: shift_equivariance(np.zeros((8, 8)), np.ones((3, 3)), 1, 0, stride=0), "stride=0"),
    (lambda: shift_equivariance(np.zeros((8, 8)), np.ones((3, 3)), 1, 0, padding_mode="mirror"), "padding_mode='mirror'"),
    (lambda: pooled_features(np.zeros((1, 8, 8)), np.ones((1, 3, 3)), "avg"), "pooling='avg'"),
    (lambda: invariance_curves(np.zeros((1, 8, 8)), np.ones((1, 3, 3)), [1], ["max"]), "pooling='max'"),
    (lambda: pooled_features(np.zeros((8, 8)), np.ones((1, 3, 3)), "none"), "images has shape"),
    (lambda: pooled_features(np.zeros((1, 8, 8)), np.ones((1, 2, 2)), "none"), "kernels has shape"),
])
def test_bad_arguments_are_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
