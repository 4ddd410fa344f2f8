"""ResNet (He, Zhang, Ren & Sun, CVPR 2016): residual blocks, torchvision's layout (v1.5), and small digit nets."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from helpers.args import as_int

__all__ = [
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "resnet18",
    "resnet50",
    "SmallNet",
]


def _shortcut(c_in: int, c_out: int, stride: int) -> nn.Module:
    """Identity when the shape is kept; otherwise the projection shortcut (option B): 1x1 conv, stride, BN."""
    if stride == 1 and c_in == c_out:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))


class BasicBlock(nn.Module):
    """Two 3x3 convolutions plus the shortcut: ``relu(F(x) + shortcut(x))`` (the paper's Fig. 2).

    Shape: ``(N, c_in, H, W) -> (N, c_out, H / stride, W / stride)``.
    """

    expansion = 1

    def __init__(self, c_in: int, channels: int, stride: int = 1, attention: Callable[[int], nn.Module] | None = None):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, channels, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.attention = attention(channels) if attention else nn.Identity()
        self.shortcut = _shortcut(c_in, channels, stride)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.attention(self.bn2(self.conv2(out)))
        return self.relu(out + self.shortcut(x))


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 (stride here, as torchvision's v1.5) -> 1x1 (expand x4), plus the shortcut.

    Shape: ``(N, c_in, H, W) -> (N, 4 channels, H / stride, W / stride)``.
    """

    expansion = 4

    def __init__(self, c_in: int, channels: int, stride: int = 1, attention: Callable[[int], nn.Module] | None = None):
        super().__init__()
        c_out = channels * self.expansion
        self.conv1 = nn.Conv2d(c_in, channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv3 = nn.Conv2d(channels, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.attention = attention(c_out) if attention else nn.Identity()
        self.shortcut = _shortcut(c_in, c_out, stride)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.attention(self.bn3(self.conv3(out)))
        return self.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """Stem (7x7/2 conv, 3x3/2 max pool), four stages of blocks, global average pooling, one FC layer.

    ``attention`` (optional) builds a module from a channel count; every block applies it to its
    residual branch before the addition (SENet's SE-ResNet does this).
    """

    def __init__(self, block, layers, num_classes: int = 1000, attention=None):
        super().__init__()
        as_int("num_classes", num_classes, 1)
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),  # 64@112x112
            nn.MaxPool2d(3, stride=2, padding=1),                                                              # 64@56x56
        )
        c = 64
        stages = []
        for i, (n, width) in enumerate(zip(layers, (64, 128, 256, 512))):
            blocks = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1   # stages 2-4 halve the size in their first block
                blocks.append(block(c, width, stride, attention))
                c = width * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages   # 56x56, 28x28, 14x14, 7x7
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.head(x)


def resnet18(num_classes: int = 1000) -> ResNet:
    """ResNet-18: basic blocks (2, 2, 2, 2); 11,689,512 parameters."""
    return ResNet(BasicBlock, (2, 2, 2, 2), num_classes)


def resnet50(num_classes: int = 1000) -> ResNet:
    """ResNet-50: bottleneck blocks (3, 4, 6, 3); 25,557,032 parameters."""
    return ResNet(Bottleneck, (3, 4, 6, 3), num_classes)


class _PlainBlock(nn.Module):
    """Two 3x3 conv (+BN) layers with or without the shortcut; the shortcut is a strided 1x1 projection."""

    def __init__(self, c_in: int, c_out: int, stride: int, residual: bool, norm: bool):
        super().__init__()
        bn = nn.BatchNorm2d if norm else (lambda c: nn.Identity())
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride, 1, bias=not norm), bn(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, 1, 1, bias=not norm), bn(c_out),
        )
        self.shortcut = None
        if residual:
            same = stride == 1 and c_in == c_out
            self.shortcut = nn.Identity() if same else nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=not norm), bn(c_out))
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        if self.shortcut is not None:
            out = out + self.shortcut(x)
        return self.relu(out)


class SmallNet(nn.Module):
    """The paper's CIFAR nets (Section 4.2), sized for 1-channel digits: depth ``6n + 2``, plain or residual.

    A 3x3 convolution, three stages of ``n`` two-layer blocks with ``width``, ``2 width`` and
    ``4 width`` channels (the last two halve the size), global average pooling and a linear layer.
    ``residual=False`` is the plain net: the same layers without the shortcuts. Depth counts the
    layers with weights: ``1 + 6n + 1``.

    Shape: ``(N, 1, H, W) -> (N, num_classes)``.

    Example:
        >>> [SmallNet(d).depth for d in (8, 20, 32)]
        [8, 20, 32]
    """

    def __init__(self, depth: int = 20, residual: bool = True, width: int = 8, num_classes: int = 10,
                 norm: bool = True, in_channels: int = 1):
        super().__init__()
        as_int("depth", depth, 2)
        if (depth - 2) % 6:
            raise ValueError(f"depth={depth!r} is not allowed: expected 6n + 2 (2, 8, 14, 20, 26, 32, ...)")
        as_int("width", width, 1)
        n = (depth - 2) // 6
        self.depth, self.residual = depth, bool(residual)
        bn = nn.BatchNorm2d if norm else (lambda c: nn.Identity())
        self.stem = nn.Sequential(nn.Conv2d(in_channels, width, 3, padding=1, bias=not norm), bn(width), nn.ReLU())
        blocks, c = [], width
        for i, w in enumerate((width, 2 * width, 4 * width)):
            for j in range(n):
                blocks.append(_PlainBlock(c, w, 2 if (i > 0 and j == 0) else 1, residual, norm))
                c = w
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))
