"""DenseNet (Huang, Liu, van der Maaten & Weinberger, CVPR 2017): concatenation, torchvision's DenseNet-121."""

from __future__ import annotations

import torch
from torch import nn

from helpers.args import as_int

__all__ = [
    "DenseLayer",
    "DenseBlock",
    "Transition",
    "DenseNet",
    "densenet121",
    "dense_block_channels",
]


def _bn_relu_conv(c_in: int, c_out: int, kernel_size: int) -> list[nn.Module]:
    return [nn.BatchNorm2d(c_in), nn.ReLU(inplace=True), nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2,
                                                                  bias=False)]


class DenseLayer(nn.Module):
    """BN-ReLU-1x1 conv (to ``bn_size * k`` channels), BN-ReLU-3x3 conv (to ``k``): the "DenseNet-B" layer.

    Shape: ``(N, C, H, W) -> (N, C + k, H, W)``: the new ``k`` maps are concatenated to the input.
    """

    def __init__(self, c_in: int, growth_rate: int = 32, bn_size: int = 4):
        super().__init__()
        self.body = nn.Sequential(*_bn_relu_conv(c_in, bn_size * growth_rate, 1),
                                  *_bn_relu_conv(bn_size * growth_rate, growth_rate, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.body(x)], dim=1)


class DenseBlock(nn.Sequential):
    """``n`` dense layers: layer ``l`` sees ``c_in + l k`` channels (every earlier map)."""

    def __init__(self, n: int, c_in: int, growth_rate: int = 32, bn_size: int = 4):
        super().__init__(*[DenseLayer(c_in + i * growth_rate, growth_rate, bn_size) for i in range(n)])


class Transition(nn.Sequential):
    """BN-ReLU-1x1 conv halving the channels, then 2x2 average pooling halving the size."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__(*_bn_relu_conv(c_in, c_out, 1), nn.AvgPool2d(2, 2))


def dense_block_channels(c_in: int, n_layers: int, growth_rate: int) -> list[int]:
    """Channels after each layer of a dense block: ``[c_in, c_in + k, ..., c_in + n k]``.

    Example:
        >>> dense_block_channels(64, 6, 32)
        [64, 96, 128, 160, 192, 224, 256]
    """
    as_int("c_in", c_in, 1)
    as_int("n_layers", n_layers, 0)
    as_int("growth_rate", growth_rate, 1)
    return [c_in + i * growth_rate for i in range(n_layers + 1)]


class DenseNet(nn.Module):
    """Stem (7x7/2 conv, 3x3/2 max pool), dense blocks joined by transitions, BN-ReLU, pooling, FC."""

    def __init__(self, block_config=(6, 12, 24, 16), growth_rate: int = 32, num_init_features: int = 64,
                 bn_size: int = 4, num_classes: int = 1000):
        super().__init__()
        as_int("num_classes", num_classes, 1)
        self.stem = nn.Sequential(
            nn.Conv2d(3, num_init_features, 7, stride=2, padding=3, bias=False),   # 64@112x112
            nn.BatchNorm2d(num_init_features), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),                                  # 64@56x56
        )
        stages, c = [], num_init_features
        for i, n in enumerate(block_config):
            stage = [DenseBlock(n, c, growth_rate, bn_size)]      # c -> c + n k channels
            c += n * growth_rate
            if i < len(block_config) - 1:
                stage.append(Transition(c, c // 2))               # halve channels and size
                c //= 2
            stages.append(nn.Sequential(*stage))
        self.stages = nn.Sequential(*stages)                      # 121: 256@28, 512@14, 1024@7, 1024@7
        self.head = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(c, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x)))


def densenet121(num_classes: int = 1000) -> DenseNet:
    """DenseNet-121: blocks of 6, 12, 24, 16 layers, growth rate 32; 7,978,856 parameters."""
    return DenseNet((6, 12, 24, 16), 32, 64, 4, num_classes)
