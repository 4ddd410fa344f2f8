"""DenseNet-121 against torchvision (7,978,856 parameters, 2.83 GFLOPS) and the paper's channel counts."""

import pytest
import torch

from helpers.models.densenet import DenseBlock, DenseLayer, Transition, dense_block_channels, densenet121
from tests.models._imagenet import count_and_gmacs


def test_densenet121_matches_torchvision():
    n, gmacs, shape = count_and_gmacs(densenet121)
    assert n == 7_978_856 and shape == (1, 1000)
    assert gmacs == pytest.approx(2.83, rel=0.01)


def test_dense_block_channels_grow_by_k_per_layer():
    block = DenseBlock(6, 64, growth_rate=32)
    x = torch.zeros(1, 64, 8, 8)
    seen = [x.shape[1]]
    for layer in block:
        x = layer(x)
        seen.append(x.shape[1])
    assert seen == dense_block_channels(64, 6, 32) == [64 + 32 * i for i in range(7)]


def test_stage_channels_of_densenet121():
    # paper, Table 1: 64 -> 256 -> (transition) 128 -> 512 -> 256 -> 1024 -> 512 -> 1024
    with torch.device("meta"):
        net = densenet121()
    x = net.stem(torch.zeros(1, 3, 224, 224, device="meta"))
    out = []
    for stage in net.stages:
        x = stage(x)
        out.append(tuple(x.shape[1:]))
    assert out == [(128, 28, 28), (256, 14, 14), (512, 7, 7), (1024, 7, 7)]


def test_dense_layer_keeps_its_input():
    torch.manual_seed(0)
    layer = DenseLayer(5, growth_rate=3, bn_size=2).eval()
    x = torch.randn(2, 5, 4, 4)
    y = layer(x)
    assert torch.equal(y[:, :5], x) and y.shape[1] == 8


def test_transition_halves_channels_and_size():
    assert tuple(Transition(10, 5)(torch.zeros(1, 10, 8, 8)).shape) == (1, 5, 4, 4)


def test_bad_counts_are_value_errors():
    with pytest.raises(ValueError, match="growth_rate=0 is not allowed"):
        dense_block_channels(64, 6, 0)
