"""ConvNeXt (Liu et al., CVPR 2022): a ResNet modernised step by step; torchvision's ConvNeXt-T."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from helpers.args import as_int

__all__ = [
    "LayerNorm2d",
    "ConvNeXtBlock",
    "ConvNeXt",
    "convnext_tiny",
]


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of an ``(N, C, H, W)`` map (each pixel normalised on its own)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)                                  # N, H, W, C
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class ConvNeXtBlock(nn.Module):
    """7x7 depthwise conv, LayerNorm, 1x1 to 4C, GELU, 1x1 back to C, layer scale, plus the identity.

    (Stochastic depth, used in training, is left out: it does not change the function at test time.)

    Shape: ``(N, C, H, W) -> (N, C, H, W)``.
    """

    def __init__(self, dim: int, layer_scale: float = 1e-6):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)   # depthwise: one 7x7 filter per channel
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)                          # inverted bottleneck: C -> 4C
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(4 * dim, dim)                          # 4C -> C
        self.gamma = nn.Parameter(torch.full((dim, 1, 1), layer_scale))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.dwconv(x).permute(0, 2, 3, 1)                          # N, H, W, C: Linear acts per pixel
        y = self.pwconv2(self.act(self.pwconv1(self.norm(y))))
        return x + self.gamma * y.permute(0, 3, 1, 2)


class ConvNeXt(nn.Module):
    """Patchify stem (4x4 stride-4 conv), four stages of blocks with 2x2 stride-2 downsampling between them."""

    def __init__(self, depths=(3, 3, 9, 3), dims=(96, 192, 384, 768), num_classes: int = 1000):
        super().__init__()
        as_int("num_classes", num_classes, 1)
        self.stem = nn.Sequential(nn.Conv2d(3, dims[0], 4, stride=4), LayerNorm2d(dims[0], eps=1e-6))  # 96@56x56
        stages = []
        for i, (n, d) in enumerate(zip(depths, dims)):
            down = [] if i == 0 else [LayerNorm2d(dims[i - 1], eps=1e-6), nn.Conv2d(dims[i - 1], d, 2, stride=2)]
            stages.append(nn.Sequential(*down, *[ConvNeXtBlock(d) for _ in range(n)]))
        self.stages = nn.Sequential(*stages)   # 96@56, 192@28, 384@14, 768@7
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), LayerNorm2d(dims[-1], eps=1e-6), nn.Flatten(),
                                  nn.Linear(dims[-1], num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x)))


def convnext_tiny(num_classes: int = 1000) -> ConvNeXt:
    """ConvNeXt-T: depths (3, 3, 9, 3), widths (96, 192, 384, 768); 28,589,128 parameters."""
    return ConvNeXt((3, 3, 9, 3), (96, 192, 384, 768), num_classes)
