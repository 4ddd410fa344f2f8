"""AlexNet against torchvision's published numbers (61,100,840 parameters, 0.71 GFLOPS)."""

import pytest
import torch

from helpers.models.alexnet import alexnet, digit_alexnet
from tests.models._imagenet import count_and_gmacs


def test_alexnet_matches_torchvision():
    n, gmacs, shape = count_and_gmacs(alexnet)
    assert n == 61_100_840 and shape == (1, 1000)
    assert gmacs == pytest.approx(0.71, rel=0.02)


def test_alexnet_feature_maps_at_224():
    net = alexnet(num_classes=7)
    x = torch.zeros(2, 3, 224, 224)
    sizes = []
    for layer in net:
        x = layer(x)
        if isinstance(layer, torch.nn.MaxPool2d):
            sizes.append(tuple(x.shape[1:]))
    assert sizes == [(64, 27, 27), (192, 13, 13), (256, 6, 6)] and tuple(x.shape) == (2, 7)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_digit_alexnet(activation):
    net = digit_alexnet(activation, width=4)
    acts = [m for m in net if isinstance(m, (torch.nn.ReLU, torch.nn.Tanh))]
    assert len(acts) == 4 and all(type(a).__name__.lower() == activation for a in acts)
    pools = [m for m in net if isinstance(m, torch.nn.MaxPool2d)]
    assert all(p.kernel_size == 3 and p.stride == 2 for p in pools)   # overlapping pooling
    assert tuple(net(torch.zeros(2, 1, 32, 32)).shape) == (2, 10)


def test_digit_alexnet_rejects_an_unknown_activation():
    with pytest.raises(ValueError, match="activation='sigmoid' is not allowed"):
        digit_alexnet("sigmoid")
