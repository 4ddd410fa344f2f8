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

from helpers.conv import as_pair, conv_output_size

__all__ = ["connectivity", "conv_params", "conv_flops", "divisors", "plot_connectivity"]


def _check_channels(in_channels, out_channels, groups) -> tuple[int, int, int]:
    for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}={v!r} is not allowed: expected an int >= 1")
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            f"groups={groups} is not allowed: in_channels={in_channels} and out_channels={out_channels} "
            f"must both be divisible by groups (allowed: {divisors(int(np.gcd(in_channels, out_channels)))})"
        )
    return int(in_channels), int(out_channels), int(groups)


def divisors(n: int) -> list[int]:
    """The valid ``groups`` for ``n`` channels: every divisor of n, ascending."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n={n!r} is not allowed: expected an int >= 1")
    return [g for g in range(1, int(n) + 1) if n % g == 0]


def connectivity(in_channels: int, out_channels: int, groups: int = 1) -> np.ndarray:
    """``M[o, j]`` is True when input channel ``j`` feeds output channel ``o``.

    Output ``o`` belongs to group ``o // (C_out / g)`` and sees the inputs
    ``[group * C_in / g, (group + 1) * C_in / g)``: block-diagonal, ``g`` blocks.

    Example:
        >>> connectivity(4, 4, groups=2).astype(int)
        array([[1, 1, 0, 0],
               [1, 1, 0, 0],
               [0, 0, 1, 1],
               [0, 0, 1, 1]])
    """
    c_in, c_out, g = _check_channels(in_channels, out_channels, groups)
    group_of_out = np.arange(c_out) // (c_out // g)
    group_of_in = np.arange(c_in) // (c_in // g)
    return group_of_out[:, None] == group_of_in[None, :]


def conv_params(in_channels: int, out_channels: int, kernel_size, groups: int = 1, bias: bool = True) -> int:
    """Number of parameters: ``C_out · (C_in / g) · kH · kW`` weights, plus ``C_out`` biases.

    Example:
        >>> conv_params(64, 64, 3), conv_params(64, 64, 3, groups=64)
        (36928, 640)
    """
    c_in, c_out, g = _check_channels(in_channels, out_channels, groups)
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
    c_in, c_out, g = _check_channels(in_channels, out_channels, groups)
    kh, kw = as_pair("kernel_size", kernel_size, minimum=1)
    (h, w), (sh, sw) = as_pair("input_size", input_size, minimum=1), as_pair("stride", stride, minimum=1)
    (ph, pw), (dh, dw) = as_pair("padding", padding, minimum=0), as_pair("dilation", dilation, minimum=1)
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"batch={batch!r} is not allowed: expected an int >= 1")
    h_out, w_out = conv_output_size(h, kh, sh, ph, dh), conv_output_size(w, kw, sw, pw, dw)
    return 2 * int(batch) * c_out * h_out * w_out * (c_in // g) * kh * kw


def plot_connectivity(channels: int = 4, groups_list=None, axes=None):
    """One panel per ``groups``: input channels (bottom) linked to the output channels (top) they feed.

    Colours mark the groups. Returns the axes.
    """
    import matplotlib.pyplot as plt

    groups_list = divisors(channels) if groups_list is None else list(groups_list)
    if axes is None:
        _, axes = plt.subplots(1, len(groups_list), figsize=(2.6 * len(groups_list), 2.9), layout="constrained")
    axes = np.atleast_1d(axes)
    colors = plt.get_cmap("tab10")
    x = np.arange(channels)
    for ax, g in zip(axes, groups_list):
        m = connectivity(channels, channels, g)
        for o, j in zip(*np.nonzero(m)):
            ax.plot([j, o], [0, 1], color=colors(o // (channels // g) % 10), lw=1.4, alpha=0.8)
        ax.scatter(x, np.zeros(channels), s=110, color="white", edgecolor="black", zorder=3)
        ax.scatter(x, np.ones(channels), s=110, color="lightgray", edgecolor="black", zorder=3)
        name = "standard" if g == 1 else ("depthwise" if g == channels else "grouped")
        ax.set_title(f"groups={g} ({name})\n{int(m.sum())} of {channels * channels} links")
        ax.set_xticks(x, [str(i + 1) for i in x])
        ax.set_yticks([0, 1], ["input", "output"])
        ax.set_ylim(-0.25, 1.25)
        ax.set_xlim(-0.6, channels - 0.4)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel("channel")
    return axes
