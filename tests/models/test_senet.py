"""Squeeze-and-excitation against a manual squeeze/excite, and SE-ResNet-50 against the paper's 28.1 M."""

import pytest
import torch

from helpers.models.resnet import resnet50
from helpers.models.senet import SqueezeExcitation, se_resnet50
from tests.models._imagenet import count_and_gmacs


def test_se_block_by_hand():
    torch.manual_seed(0)
    se = SqueezeExcitation(32, reduction=16).double()
    x = torch.randn(3, 32, 5, 6, dtype=torch.float64)
    z = x.sum(dim=(2, 3)) / 30                                  # squeeze: average of each map
    h = torch.clamp(z @ se.fc1.weight.T + se.fc1.bias, min=0)   # 32 -> 2
    s = 1 / (1 + torch.exp(-(h @ se.fc2.weight.T + se.fc2.bias)))
    assert se.fc1.out_features == 2
    assert torch.allclose(se(x), x * s[:, :, None, None])
    assert torch.allclose(se.weights, s) and bool(((s > 0) & (s < 1)).all())


def test_se_resnet50_against_the_paper():
    n, gmacs, shape = count_and_gmacs(se_resnet50)
    n_plain, gmacs_plain, _ = count_and_gmacs(resnet50)
    assert shape == (1, 1000) and n == 28_088_024
    assert n == pytest.approx(28.1e6, rel=0.002)   # the paper's Table 1 (rounded)
    # each SE adds 2 C^2 / r + C / r + C parameters, C = 4 x (64, 128, 256, 512) over (3, 4, 6, 3) blocks
    added = sum(k * (2 * c * c // 16 + c // 16 + c) for k, c in zip((3, 4, 6, 3), (256, 512, 1024, 2048)))
    assert n - n_plain == added
    assert gmacs - gmacs_plain < 0.01    # "a slight increase in computational cost" (paper: 3.87 vs 3.86 GFLOPs)


def test_bad_reduction_is_a_value_error():
    with pytest.raises(ValueError, match="reduction=0 is not allowed"):
        SqueezeExcitation(16, reduction=0)
