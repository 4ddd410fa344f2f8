"""GoogLeNet / Inception v1 (Szegedy et al., CVPR 2015), torchvision's layout without auxiliary heads."""

from __future__ import annotations

import torch
from torch import nn

from helpers.args import as_int

__all__ = [
    "ConvBNReLU",
    "Inception",
    "GoogLeNet",
    "googlenet",
    "INCEPTION_3A",
]

#: Inception 3a in the paper's Table 1: in, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
INCEPTION_3A = (192, 64, 96, 128, 16, 32, 32)


class ConvBNReLU(nn.Sequential):
    """Convolution without bias, batch norm (eps 0.001), ReLU: torchvision's ``BasicConv2d``."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int = 1, padding: int = 0):
        super().__init__(nn.Conv2d(c_in, c_out, kernel_size, stride, padding, bias=False),
                         nn.BatchNorm2d(c_out, eps=0.001), nn.ReLU(inplace=True))


class Inception(nn.Module):
    """The four-branch module: 1x1 | 1x1 -> 3x3 | 1x1 -> 5x5 | 3x3 max pool -> 1x1, outputs concatenated.

    The 1x1 convolutions before the 3x3 and 5x5 ("reduce") shrink the channels first, which is what
    keeps the module cheap. ``reduce=False`` drops them (the naive module of the paper's Fig. 2a,
    with the pooling branch kept as it is). torchvision's GoogLeNet uses a 3x3 kernel in the "5x5"
    branch (a known slip it keeps for its published weights); ``big_kernel=3`` reproduces it.

    Shape:
        ``(N, c_in, H, W) -> (N, c1 + c3 + c5 + pool_proj, H, W)``
    """

    def __init__(self, c_in: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int, c5: int, pool_proj: int,
                 reduce: bool = True, big_kernel: int = 5):
        super().__init__()
        if as_int("big_kernel", big_kernel, 1) % 2 == 0:
            raise ValueError(f"big_kernel={big_kernel!r} is not allowed: expected an odd int")
        self.branch1 = ConvBNReLU(c_in, c1, 1)
        if reduce:
            self.branch2 = nn.Sequential(ConvBNReLU(c_in, c3_reduce, 1), ConvBNReLU(c3_reduce, c3, 3, padding=1))
            self.branch3 = nn.Sequential(ConvBNReLU(c_in, c5_reduce, 1),
                                         ConvBNReLU(c5_reduce, c5, big_kernel, padding=big_kernel // 2))
        else:
            self.branch2 = ConvBNReLU(c_in, c3, 3, padding=1)
            self.branch3 = ConvBNReLU(c_in, c5, big_kernel, padding=big_kernel // 2)
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, padding=1, ceil_mode=True), ConvBNReLU(c_in, pool_proj, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], dim=1)


class GoogLeNet(nn.Module):
    """22 layers with parameters; nine Inception modules; global average pooling instead of big FC layers."""

    def __init__(self, num_classes: int = 1000, big_kernel: int = 3):
        super().__init__()
        as_int("num_classes", num_classes, 1)
        k = big_kernel
        self.stem = nn.Sequential(
            ConvBNReLU(3, 64, 7, stride=2, padding=3),         # 64@112x112
            nn.MaxPool2d(3, 2, ceil_mode=True),                  # 64@56x56
            ConvBNReLU(64, 64, 1),
            ConvBNReLU(64, 192, 3, padding=1),                   # 192@56x56
            nn.MaxPool2d(3, 2, ceil_mode=True),                  # 192@28x28
        )
        self.inception3 = nn.Sequential(
            Inception(*INCEPTION_3A, big_kernel=k),                         # 256@28x28
            Inception(256, 128, 128, 192, 32, 96, 64, big_kernel=k),        # 480@28x28
            nn.MaxPool2d(3, 2, ceil_mode=True),                             # 480@14x14
        )
        self.inception4 = nn.Sequential(
            Inception(480, 192, 96, 208, 16, 48, 64, big_kernel=k),         # 512@14x14
            Inception(512, 160, 112, 224, 24, 64, 64, big_kernel=k),
            Inception(512, 128, 128, 256, 24, 64, 64, big_kernel=k),
            Inception(512, 112, 144, 288, 32, 64, 64, big_kernel=k),        # 528@14x14
            Inception(528, 256, 160, 320, 32, 128, 128, big_kernel=k),      # 832@14x14
            nn.MaxPool2d(2, 2, ceil_mode=True),                             # 832@7x7
        )
        self.inception5 = nn.Sequential(
            Inception(832, 256, 160, 320, 32, 128, 128, big_kernel=k),
            Inception(832, 384, 192, 384, 48, 128, 128, big_kernel=k),      # 1024@7x7
        )
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2),
                                  nn.Linear(1024, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.inception5(self.inception4(self.inception3(self.stem(x)))))


def googlenet(num_classes: int = 1000, big_kernel: int = 3) -> GoogLeNet:
    """GoogLeNet as torchvision builds it, without the two auxiliary classifiers: 6,624,904 parameters.

    ``big_kernel=5`` gives the paper's 5x5 branch instead of torchvision's 3x3.
    """
    return GoogLeNet(num_classes, big_kernel)
