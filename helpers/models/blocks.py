"""Layers that show what convolution saves: sparse interactions (稀疏交互) and parameter sharing (参数共享).

``LocallyConnected2d``  a convolution *without* parameter sharing: every output
                        position has its own kernel and bias (torch has no such layer)
``connectivity_1d``     which inputs touch which outputs, for a 1-D convolution or a dense layer
``count_parameters``    trainable parameters of a torch module
``alexnet``             AlexNet's layer layout (five conv, three fully connected), untrained

Shapes follow torch: ``x`` is ``(N, C_in, H, W)``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers.args import as_int
from helpers.conv import conv_output_size

__all__ = [
    "LocallyConnected2d",
]


class LocallyConnected2d(nn.Module):
    r"""A locally-connected layer: a convolution whose weights are not shared across positions.

    Each output position ``(i, j)`` has its own ``C_out x C_in x k x k`` kernel
    and its own ``C_out`` biases. Same sparse connectivity as ``nn.Conv2d``, no sharing.

    Args:
        in_channels, out_channels: ``C_in``, ``C_out``.
        input_size: ``H = W`` of the (square) input; the weights depend on it.
        kernel_size, stride, padding: as in ``nn.Conv2d`` (square, zero padding).
        bias: learn one bias per output channel *and* position.

    Shape:
        input ``(N, C_in, H, H)`` -> output ``(N, C_out, H_out, H_out)``, with
        ``H_out = floor((H + 2p - k) / s) + 1``. ``weight`` is
        ``(H_out, H_out, C_out, C_in, k, k)``, ``bias`` is ``(C_out, H_out, H_out)``.

    Example (LeNet-5's C1 without sharing, the slide's 28·28·(5·5+1)·6):
        >>> from helpers.counting import count_parameters
        >>> count_parameters(LocallyConnected2d(1, 6, input_size=32, kernel_size=5))
        122304
    """

    def __init__(self, in_channels: int, out_channels: int, input_size: int, kernel_size: int,
                 stride: int = 1, padding: int = 0, bias: bool = True):
        super().__init__()
        self.in_channels = as_int("in_channels", in_channels, 1)
        self.out_channels = as_int("out_channels", out_channels, 1)
        self.input_size = as_int("input_size", input_size, 1)
        self.kernel_size = as_int("kernel_size", kernel_size, 1)
        self.stride = as_int("stride", stride, 1)
        self.padding = as_int("padding", padding, 0)
        self.output_size = conv_output_size(input_size, kernel_size, stride, padding)
        H, k = self.output_size, kernel_size
        self.weight = nn.Parameter(torch.empty(H, H, out_channels, in_channels, k, k))
        self.bias = nn.Parameter(torch.empty(out_channels, H, H)) if bias else None
        bound = 1.0 / float(np.sqrt(in_channels * k * k))  # nn.Conv2d's default scale
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)

    @classmethod
    def from_conv(cls, conv: nn.Conv2d, input_size: int) -> "LocallyConnected2d":
        """The locally-connected layer with ``conv``'s kernel copied to every position (it then computes ``conv``)."""
        (k, _), (s, _), (p, _) = conv.kernel_size, conv.stride, conv.padding
        if conv.groups != 1 or conv.dilation != (1, 1) or conv.padding_mode != "zeros":
            raise ValueError("conv is not allowed: only groups=1, dilation=1, zero padding")
        lc = cls(conv.in_channels, conv.out_channels, input_size, k, s, p, bias=conv.bias is not None)
        lc = lc.to(dtype=conv.weight.dtype)
        with torch.no_grad():
            lc.weight.copy_(conv.weight.expand_as(lc.weight))
            if conv.bias is not None:
                lc.bias.copy_(conv.bias[:, None, None].expand_as(lc.bias))
        return lc

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels or x.shape[2] != self.input_size \
                or x.shape[3] != self.input_size:
            raise ValueError(f"x has shape {tuple(x.shape)}; expected (N, {self.in_channels}, "
                             f"{self.input_size}, {self.input_size})")
        H, k = self.output_size, self.kernel_size
        cols = F.unfold(x, k, padding=self.padding, stride=self.stride)  # (N, C_in*k*k, H*H)
        cols = cols.view(x.shape[0], self.in_channels * k * k, H, H)
        w = self.weight.reshape(H, H, self.out_channels, -1)  # (H, H, C_out, C_in*k*k)
        out = torch.einsum("nkij,ijok->noij", cols, w)
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, input_size={self.input_size}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"bias={self.bias is not None}")


