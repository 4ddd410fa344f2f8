"""SENet (Hu, Shen & Sun, CVPR 2018): squeeze-and-excitation, and SE-ResNet-50."""

from __future__ import annotations

import functools

import torch
from torch import nn

from helpers.args import as_int
from helpers.models.resnet import Bottleneck, ResNet

__all__ = [
    "SqueezeExcitation",
    "se_resnet50",
]


class SqueezeExcitation(nn.Module):
    """Reweight the channels: ``x * sigmoid(W2 relu(W1 mean_hw(x)))`` (the paper's Fig. 1, eq. 2-4).

    Squeeze: global average pooling gives one number per channel. Excitation: two fully connected
    layers, ``C -> C / r -> C``, and a sigmoid give one weight in (0, 1) per channel. The weights of
    the last call are kept in ``self.weights`` (shape ``(N, C)``) so that they can be looked at.

    Shape: ``(N, C, H, W) -> (N, C, H, W)``.
    """

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        as_int("channels", channels, 1)
        as_int("reduction", reduction, 1)
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, hidden)     # C -> C/r
        self.fc2 = nn.Linear(hidden, channels)     # C/r -> C
        self.weights: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x.mean(dim=(2, 3))                                   # squeeze: (N, C)
        s = torch.sigmoid(self.fc2(torch.relu(self.fc1(z))))     # excitation: (N, C) in (0, 1)
        self.weights = s.detach()
        return x * s[:, :, None, None]                           # scale each channel


def se_resnet50(num_classes: int = 1000, reduction: int = 16) -> ResNet:
    """ResNet-50 with an SE module on the residual branch of every bottleneck (the paper's Fig. 3).

    The paper reports about 28.1 M parameters (Table 1); this one has 28,088,024.
    """
    return ResNet(Bottleneck, (3, 4, 6, 3), num_classes,
                  attention=functools.partial(SqueezeExcitation, reduction=reduction))
