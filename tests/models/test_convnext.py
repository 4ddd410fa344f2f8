"""ConvNeXt-T against torchvision (28,589,128 parameters, 4.46 GFLOPS) and its block by hand."""

import pytest
import torch
from torch.nn import functional as F

from helpers.models.convnext import ConvNeXtBlock, LayerNorm2d, convnext_tiny
from tests.models._imagenet import count_and_gmacs


def test_convnext_tiny_matches_torchvision():
    n, gmacs, shape = count_and_gmacs(convnext_tiny)
    assert n == 28_589_128 and shape == (1, 1000)
    assert gmacs == pytest.approx(4.46, rel=0.01)


def test_layernorm2d_normalises_each_pixel_over_channels():
    torch.manual_seed(0)
    ln = LayerNorm2d(6, eps=1e-6)
    x = torch.randn(2, 6, 3, 4, dtype=torch.float64)
    ln = ln.double()
    mean, var = x.mean(1, keepdim=True), x.var(1, unbiased=False, keepdim=True)
    assert torch.allclose(ln(x), (x - mean) / torch.sqrt(var + 1e-6))


def test_block_by_hand():
    torch.manual_seed(0)
    block = ConvNeXtBlock(8).double()
    with torch.no_grad():
        block.gamma.fill_(0.5)
    x = torch.randn(2, 8, 9, 9, dtype=torch.float64)
    y = F.conv2d(x, block.dwconv.weight, block.dwconv.bias, padding=3, groups=8)    # 7x7 depthwise
    mean, var = y.mean(1, keepdim=True), y.var(1, unbiased=False, keepdim=True)
    y = (y - mean) / torch.sqrt(var + 1e-6) * block.norm.weight[:, None, None] + block.norm.bias[:, None, None]
    y = torch.einsum("oc,nchw->nohw", block.pwconv1.weight, y) + block.pwconv1.bias[:, None, None]   # 1x1: 8 -> 32
    y = F.gelu(y)
    y = torch.einsum("oc,nchw->nohw", block.pwconv2.weight, y) + block.pwconv2.bias[:, None, None]   # 32 -> 8
    assert torch.allclose(block(x), x + 0.5 * y)


def test_stage_shapes_at_224():
    with torch.device("meta"):
        net = convnext_tiny()
    x = net.stem(torch.zeros(1, 3, 224, 224, device="meta"))
    shapes = []
    for stage in net.stages:
        x = stage(x)
        shapes.append(tuple(x.shape[1:]))
    assert shapes == [(96, 56, 56), (192, 28, 28), (384, 14, 14), (768, 7, 7)]
