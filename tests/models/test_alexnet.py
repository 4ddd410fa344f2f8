"""AlexNet against torchvision's published numbers (61,100,840 parameters, 0.71 GFLOPS)."""

import pytest
import torch

from helpers.models.alexnet import alexnet
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
