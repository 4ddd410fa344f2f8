"""Attention in CNNs: CBAM (Woo et al., ECCV 2018), the non-local block (Wang et al., CVPR 2018),
ViT's patch embedding (Dosovitskiy et al., ICLR 2021), and a small digit net with attention.

SE, the first channel attention, is in :mod:`helpers.models.senet`.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.args import as_int
from helpers.models.senet import SqueezeExcitation

__all__ = [
    "ChannelAttention",
    "SpatialAttention",
    "CBAM",
    "NonLocalBlock",
    "PatchEmbedding",
    "DigitAttentionNet",
]


class ChannelAttention(nn.Module):
    """CBAM's channel attention: a shared MLP on the average- and the max-pooled channels, summed, sigmoid.

    Shape: ``(N, C, H, W) -> (N, C, H, W)``; ``self.weights`` keeps the last ``(N, C)`` weights.
    """

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        hidden = max(1, as_int("channels", channels, 1) // as_int("reduction", reduction, 1))
        self.mlp = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(), nn.Linear(hidden, channels))
        self.weights: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = torch.sigmoid(self.mlp(x.mean(dim=(2, 3))) + self.mlp(x.amax(dim=(2, 3))))   # (N, C)
        self.weights = s.detach()
        return x * s[:, :, None, None]


class SpatialAttention(nn.Module):
    """CBAM's spatial attention: mean and max over the channels (2 maps), a 7x7 conv, sigmoid.

    Shape: ``(N, C, H, W) -> (N, C, H, W)``; ``self.weights`` keeps the last ``(N, H, W)`` map.
    """

    def __init__(self, kernel_size: int = 7):
        super().__init__()
        k = as_int("kernel_size", kernel_size, 1)
        self.conv = nn.Conv2d(2, 1, k, padding=k // 2, bias=False)
        self.weights: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)   # (N, 2, H, W)
        s = torch.sigmoid(self.conv(pooled))                                                    # (N, 1, H, W)
        self.weights = s[:, 0].detach()
        return x * s


class CBAM(nn.Sequential):
    """Channel attention, then spatial attention (the order the paper found best)."""

    def __init__(self, channels: int, reduction: int = 16, kernel_size: int = 7):
        super().__init__(ChannelAttention(channels, reduction), SpatialAttention(kernel_size))


class NonLocalBlock(nn.Module):
    """Self-attention over all positions (embedded Gaussian version), added back to the input.

    ``y_i = sum_j softmax_j(theta(x_i) . phi(x_j)) g(x_j)``, then ``z = x + W_z y``. ``theta``,
    ``phi``, ``g`` and ``W_z`` are 1x1 convolutions; the inner width is ``channels // 2``. Each
    output position sees every input position: the receptive field is the whole map.
    ``self.attention`` keeps the last ``(N, HW, HW)`` attention matrix (row ``i``: where ``i`` looks).

    Shape: ``(N, C, H, W) -> (N, C, H, W)``.
    """

    def __init__(self, channels: int, inner: int | None = None):
        super().__init__()
        as_int("channels", channels, 1)
        inner = as_int("inner", inner, 1) if inner is not None else max(1, channels // 2)
        self.theta = nn.Conv2d(channels, inner, 1)
        self.phi = nn.Conv2d(channels, inner, 1)
        self.g = nn.Conv2d(channels, inner, 1)
        self.out = nn.Conv2d(inner, channels, 1)
        self.attention: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        q = self.theta(x).flatten(2).transpose(1, 2)          # (N, HW, inner)
        k = self.phi(x).flatten(2)                            # (N, inner, HW)
        v = self.g(x).flatten(2).transpose(1, 2)              # (N, HW, inner)
        a = torch.softmax(q @ k, dim=-1)                      # (N, HW, HW): each row sums to 1
        self.attention = a.detach()
        y = (a @ v).transpose(1, 2).reshape(n, -1, h, w)      # (N, inner, H, W)
        return x + self.out(y)


class PatchEmbedding(nn.Module):
    """ViT's first layer: cut the image into ``p x p`` patches and map each one linearly to ``dim`` numbers.

    It is a ``p x p`` convolution with stride ``p``: the patches do not overlap, so each output
    position is one patch times the same matrix. Returns the sequence of patch tokens.

    Shape: ``(N, C, H, W) -> (N, (H / p)(W / p), dim)``.
    """

    def __init__(self, in_channels: int = 3, dim: int = 768, patch_size: int = 16):
        super().__init__()
        p = as_int("patch_size", patch_size, 1)
        self.patch_size = p
        self.proj = nn.Conv2d(as_int("in_channels", in_channels, 1), as_int("dim", dim, 1), p, stride=p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class DigitAttentionNet(nn.Module):
    """A small digit classifier with one attention module after three convolutions.

    ``attention`` is ``"se"`` (:class:`SqueezeExcitation`, r = 4), ``"cbam"``, ``"nonlocal"`` or
    ``"none"``. ``1@32x32 -> w@16x16 -> 2w@8x8 -> 2w@8x8 -> attention -> flatten -> 10``.
    """

    KINDS = ("none", "se", "cbam", "nonlocal")

    def __init__(self, attention: str = "se", width: int = 8, num_classes: int = 10):
        super().__init__()
        if attention not in self.KINDS:
            raise ValueError(f"attention={attention!r} is not allowed: expected one of {', '.join(self.KINDS)}")
        w = as_int("width", width, 1)
        self.features = nn.Sequential(
            nn.Conv2d(1, w, 5, stride=2, padding=2), nn.BatchNorm2d(w), nn.ReLU(),           # w@16x16
            nn.Conv2d(w, 2 * w, 3, stride=2, padding=1), nn.BatchNorm2d(2 * w), nn.ReLU(),   # 2w@8x8
            nn.Conv2d(2 * w, 2 * w, 3, padding=1), nn.BatchNorm2d(2 * w), nn.ReLU(),         # 2w@8x8
        )
        self.attention = {"none": lambda c: nn.Identity(), "se": lambda c: SqueezeExcitation(c, reduction=4),
                          "cbam": lambda c: CBAM(c, reduction=4), "nonlocal": NonLocalBlock}[attention](2 * w)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(2 * w * 8 * 8, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.attention(self.features(x)))
