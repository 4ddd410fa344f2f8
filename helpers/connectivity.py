"""Grouped convolution (分组卷积) versus standard convolution: who feeds whom, and what it costs.

With ``groups = g`` the ``C_in`` input channels and ``C_out`` output channels
are split into ``g`` equal groups; output channel ``o`` only sees the input
channels of its own group. ``g = 1`` is the standard convolution (every input
feeds every output); ``g = C_in = C_out`` is the depthwise convolution (one
input channel per output channel).

Public surface:

``connectivity``      boolean ``(C_out, C_in)`` matrix: does input j feed output o?
``conv_params``       parameters of ``torch.nn.Conv2d`` with these shapes
``conv_flops``        FLOPs (2 per multiply-add) as ``torch.utils.flop_counter`` counts them
``divisors``          the valid group counts for a channel count
``plot_connectivity`` the figure: channels as nodes, connections as lines, one panel per g
"""

from __future__ import annotations

import numpy as np

from helpers.args import as_int, not_allowed
from helpers.conv import conv_output_size

__all__ = [
    "check_channels",
    "group_connectivity",
    "divisors",
    "connectivity_1d",
]


def check_channels(in_channels, out_channels, groups) -> tuple[int, int, int]:
    """``(in_channels, out_channels, groups)`` as ints, when ``groups`` divides both channel counts.

    Example:
        >>> check_channels(6, 16, 2)
        (6, 16, 2)
    """
    in_channels, out_channels = as_int("in_channels", in_channels, 1), as_int("out_channels", out_channels, 1)
    groups = as_int("groups", groups, 1)
    if in_channels % groups or out_channels % groups:
        raise not_allowed("groups", groups, f"a divisor of both in_channels={in_channels} and "
                          f"out_channels={out_channels}: one of {divisors(int(np.gcd(in_channels, out_channels)))}")
    return in_channels, out_channels, groups


def divisors(n: int) -> list[int]:
    """The valid ``groups`` for ``n`` channels: every divisor of n, ascending.

    Example:
        >>> divisors(12)
        [1, 2, 3, 4, 6, 12]
    """
    n = as_int("n", n, 1)
    return [g for g in range(1, n + 1) if n % g == 0]


def group_connectivity(in_channels: int, out_channels: int, groups: int = 1) -> np.ndarray:
    """``M[o, j]`` is True when input channel ``j`` feeds output channel ``o``.

    Output ``o`` belongs to group ``o // (C_out / g)`` and sees the inputs
    ``[group * C_in / g, (group + 1) * C_in / g)``: block-diagonal, ``g`` blocks.

    Example:
        >>> group_connectivity(4, 4, groups=2).astype(int)
        array([[1, 1, 0, 0],
               [1, 1, 0, 0],
               [0, 0, 1, 1],
               [0, 0, 1, 1]])
    """
    c_in, c_out, g = check_channels(in_channels, out_channels, groups)
    group_of_out = np.arange(c_out) // (c_out // g)
    group_of_in = np.arange(c_in) // (c_in // g)
    return group_of_out[:, None] == group_of_in[None, :]


def connectivity_1d(n_in: int, kernel_size: int | None = None, stride: int = 1, padding: int = 0,
                    dilation: int = 1) -> np.ndarray:
    """Boolean ``(n_out, n_in)`` matrix: ``True`` where input ``x`` touches output ``y``.

    ``kernel_size=None`` is a dense (fully connected) layer with ``n_out = n_in``:
    every entry is True. Otherwise a 1-D convolution with torch's arguments;
    taps that fall on padding touch no input.

    Example:
        >>> connectivity_1d(5, 3).astype(int)
        array([[1, 1, 1, 0, 0],
               [0, 1, 1, 1, 0],
               [0, 0, 1, 1, 1]])
    """
    as_int("n_in", n_in, 1)
    if kernel_size is None:
        return np.ones((n_in, n_in), dtype=bool)
    n_out = conv_output_size(n_in, kernel_size, stride, padding, dilation)
    m = np.zeros((n_out, n_in), dtype=bool)
    for y in range(n_out):
        x = y * stride - padding + dilation * np.arange(kernel_size)
        m[y, x[(x >= 0) & (x < n_in)]] = True
    return m
