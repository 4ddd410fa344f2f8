"""ResNet against torchvision's published numbers, and its blocks against explicit computations."""

import pytest
import torch
from torch.nn import functional as F

from helpers.models.resnet import BasicBlock, Bottleneck, SmallNet, resnet18, resnet50
from tests.models._imagenet import count_and_gmacs


@pytest.mark.parametrize("constructor, params, gmacs", [(resnet18, 11_689_512, 1.81), (resnet50, 25_557_032, 4.09)])
def test_resnet_matches_torchvision(constructor, params, gmacs):
    n, g, shape = count_and_gmacs(constructor)
    assert n == params and shape == (1, 1000)
    assert g == pytest.approx(gmacs, rel=0.01)


def _bn(x, bn):
    """Batch norm in evaluation mode, written out."""
    return ((x - bn.running_mean[:, None, None]) / torch.sqrt(bn.running_var[:, None, None] + bn.eps)
            * bn.weight[:, None, None] + bn.bias[:, None, None])


def _randomise(module):
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape, generator=g, dtype=t.dtype) + (0.5 if "running_var" in name else -0.5))
    return module.eval()


def test_basic_block_with_projection_shortcut_by_hand():
    block = _randomise(BasicBlock(4, 8, stride=2).double())
    x = torch.randn(2, 4, 9, 9, dtype=torch.float64)
    f = F.relu(_bn(F.conv2d(x, block.conv1.weight, stride=2, padding=1), block.bn1))
    f = _bn(F.conv2d(f, block.conv2.weight, padding=1), block.bn2)
    shortcut = _bn(F.conv2d(x, block.shortcut[0].weight, stride=2), block.shortcut[1])    # 1x1, stride 2
    expected = F.relu(f + shortcut)
    assert tuple(expected.shape) == (2, 8, 5, 5)
    assert torch.allclose(block(x), expected)


def test_basic_block_identity_shortcut_by_hand():
    block = _randomise(BasicBlock(6, 6).double())
    x = torch.randn(1, 6, 5, 5, dtype=torch.float64)
    f = F.relu(_bn(F.conv2d(x, block.conv1.weight, padding=1), block.bn1))
    f = _bn(F.conv2d(f, block.conv2.weight, padding=1), block.bn2)
    assert torch.allclose(block(x), F.relu(f + x))


def test_bottleneck_by_hand():
    block = _randomise(Bottleneck(8, 4, stride=2).double())
    x = torch.randn(1, 8, 7, 7, dtype=torch.float64)
    f = F.relu(_bn(F.conv2d(x, block.conv1.weight), block.bn1))                       # 1x1 reduce
    f = F.relu(_bn(F.conv2d(f, block.conv2.weight, stride=2, padding=1), block.bn2))  # 3x3, stride here (v1.5)
    f = _bn(F.conv2d(f, block.conv3.weight), block.bn3)                               # 1x1 expand to 16
    shortcut = _bn(F.conv2d(x, block.shortcut[0].weight, stride=2), block.shortcut[1])
    assert torch.allclose(block(x), F.relu(f + shortcut))


@pytest.mark.parametrize("depth", [2, 8, 20])
def test_small_net_depth_counts_weighted_layers(depth):
    for residual in (False, True):
        net = SmallNet(depth, residual=residual)
        body = [m for m in net.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))
                and "shortcut" not in _name(net, m)]
        assert len(body) == depth
        assert tuple(net(torch.zeros(3, 1, 16, 16)).shape) == (3, 10)


def _name(net, module):
    return next(n for n, m in net.named_modules() if m is module)


@pytest.mark.parametrize("bad", [7, 9, 1, 8.0, True])
def test_small_net_rejects_depths_not_6n_plus_2(bad):
    with pytest.raises(ValueError, match="depth="):
        SmallNet(bad)
