"""Counting: parameters, FLOPs and connections of convolution layers and of any torch module."""

from __future__ import annotations

import math

from torch import nn

from helpers.args import as_int, as_pair, not_allowed
from helpers.connectivity import check_channels
from helpers.conv import conv_output_size

__all__ = [
    "conv_params",
    "conv_flops",
    "count_parameters",
    "count_connections",
]


def conv_params(in_channels: int, out_channels: int, kernel_size, groups: int = 1, bias: bool = True) -> int:
    """Number of parameters: ``C_out · (C_in / g) · kH · kW`` weights, plus ``C_out`` biases.

    Example:
        >>> conv_params(64, 64, 3), conv_params(64, 64, 3, groups=64)
        (36928, 640)
    """
    c_in, c_out, g = check_channels(in_channels, out_channels, groups)
    kh, kw = as_pair("kernel_size", kernel_size, minimum=1)
    return c_out * (c_in // g) * kh * kw + (c_out if bias else 0)


def conv_flops(in_channels: int, out_channels: int, kernel_size, input_size, groups: int = 1, stride=1,
               padding=0, dilation=1, batch: int = 1) -> int:
    """FLOPs of one forward pass, counted as ``torch.utils.flop_counter.FlopCounterMode`` does.

    Every output value costs ``(C_in / g) · kH · kW`` multiply-adds, i.e. twice
    as many FLOPs; the bias is not counted (as in torch):
    ``2 · N · C_out · H_out · W_out · (C_in / g) · kH · kW``.

    Args:
        input_size: int or ``(H, W)``.
    """
    c_in, c_out, g = check_channels(in_channels, out_channels, groups)
    kh, kw = as_pair("kernel_size", kernel_size, minimum=1)
    (h, w), (sh, sw) = as_pair("input_size", input_size, minimum=1), as_pair("stride", stride, minimum=1)
    (ph, pw), (dh, dw) = as_pair("padding", padding, minimum=0), as_pair("dilation", dilation, minimum=1)
    batch = as_int("batch", batch, 1)
    h_out, w_out = conv_output_size(h, kh, sh, ph, dh), conv_output_size(w, kw, sw, pw, dw)
    return 2 * int(batch) * c_out * h_out * w_out * (c_in // g) * kh * kw


def count_parameters(module: nn.Module) -> int:
    """The number of trainable parameters (entries of every ``requires_grad`` tensor).

    Example (LeNet-5's C1: 6 kernels of 5x5 and 6 biases):
        >>> count_parameters(nn.Conv2d(1, 6, 5))
        156
    """
    if not isinstance(module, nn.Module):
        raise not_allowed("module", module, "a torch.nn.Module")
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def count_connections(module: nn.Module, out_shape) -> int:
    """Connections of one layer with output ``out_shape`` (no batch axis), as the paper counts them.

    A connection is one input feeding one unit, the bias counting as an input that is always 1. So a
    convolution unit has (input maps it sees) x k x k + 1, a subsampling unit 2x2 + 1, a fully
    connected unit (inputs + 1), an RBF unit one per input; a max-pooling unit has its k x k inputs
    and no bias. Shared weights count once as parameters but once per unit as connections.

    Example (LeNet-5's C1: 28·28·6 units, each 5·5 inputs + a bias):
        >>> count_connections(nn.Conv2d(1, 6, 5), (6, 28, 28))
        122304
    """
    if hasattr(module, "connections"):
        return int(module.connections(out_shape))
    n_units = math.prod(out_shape)
    if isinstance(module, nn.Conv2d):
        per_unit = module.in_channels // module.groups * math.prod(module.kernel_size)
        return n_units * (per_unit + (module.bias is not None))
    if isinstance(module, nn.Linear):
        return n_units * (module.in_features + (module.bias is not None))
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        k = module.kernel_size
        return n_units * (k * k if isinstance(k, int) else math.prod(k))
    raise not_allowed("module", type(module).__name__, "Conv2d, Linear, MaxPool2d, AvgPool2d or a module with a "
                      "connections() method (count_connections has no rule for other layers)")
