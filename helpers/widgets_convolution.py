"""Figures and measurements for notebook 02 (convolution, 卷积).

``multichannel_parts``            one output channel of a multi-channel convolution, input channel by channel
``plot_multichannel``             that decomposition as a figure: F_i = Σ_j w_{j,i} * x_j + b_i
``plot_convolution_vs_correlation`` the flip: a kernel, its flipped copy, and what each operation gives
``time_implementations``          loops, vectorised numpy and torch on one input: seconds and outputs
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from helpers.conv import conv2d, conv2d_naive, convolve2d, correlate2d

__all__ = ["MultiChannelParts", "multichannel_parts", "plot_multichannel", "plot_convolution_vs_correlation",
           "Timing", "time_implementations"]

_CHANNEL_COLORS = ("red", "lime", "blue")  # each RGB channel shown black -> its colour


@dataclass
class MultiChannelParts:
    """Output channel ``i`` of a convolution, taken apart."""

    per_channel: np.ndarray  # (C_in, H_out, W_out): w_{j,i} * x_j for every input channel j
    total: np.ndarray  # their sum, Σ_j w_{j,i} * x_j
    bias: float  # b_i
    output: np.ndarray  # total + bias: the feature map F_i


def multichannel_parts(x, weight, bias, out_channel: int, **conv_args) -> MultiChannelParts:
    """Split output channel ``out_channel`` of ``conv2d(x, weight, bias)`` into its per-input-channel maps.

    Args:
        x: ``(C_in, H, W)``, one image.
        weight: ``(C_out, C_in, kH, kW)`` (groups = 1).
        bias: ``(C_out,)``.
        out_channel: i, which output channel.
        conv_args: stride, padding, ... as in :func:`helpers.conv.conv2d`.
    """
    x, weight, bias = (np.asarray(a, dtype=np.float64) for a in (x, weight, bias))
    if x.ndim != 3 or weight.ndim != 4 or weight.shape[1] != x.shape[0]:
        raise ValueError(f"x of shape {x.shape} and weight of shape {weight.shape} do not fit: expected "
                         f"x (C_in, H, W) and weight (C_out, C_in, kH, kW) with the same C_in")
    if not isinstance(out_channel, (int, np.integer)) or not 0 <= out_channel < weight.shape[0]:
        raise ValueError(f"out_channel={out_channel!r} is not allowed: expected an int in 0 … {weight.shape[0] - 1}")
    per = np.stack([conv2d(x[j], weight[out_channel, j], **conv_args) for j in range(x.shape[0])])
    total = per.sum(axis=0)
    b = float(bias[out_channel])
    return MultiChannelParts(per, total, b, total + b)


def plot_multichannel(x, weight, bias, out_channel: int = 0, channel_names=("R", "G", "B"), **conv_args):
    """Rows: input channel x_j, its kernel w_{j,i}, the map w_{j,i} * x_j; right: their sum and + bias.

    Returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap

    parts = multichannel_parts(x, weight, bias, out_channel, **conv_args)
    c_in = parts.per_channel.shape[0]
    fig, axes = plt.subplots(c_in, 4, figsize=(9.6, 2.3 * c_in), layout="constrained")
    m = float(np.abs(parts.per_channel).max()) or 1.0
    for j in range(c_in):
        name = channel_names[j] if j < len(channel_names) else f"{j + 1}"
        cmap = LinearSegmentedColormap.from_list(name, ["black", _CHANNEL_COLORS[j % 3]]) if c_in == 3 else "gray"
        axes[j, 0].imshow(x[j], cmap=cmap, vmin=0, vmax=1)
        axes[j, 0].set_title(f"input channel x_{j + 1} ({name})")
        k = weight[out_channel, j]
        km = float(np.abs(k).max()) or 1.0
        axes[j, 1].imshow(k, cmap="RdBu_r", vmin=-km, vmax=km)
        for (r, c), v in np.ndenumerate(k):
            axes[j, 1].text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=8)
        axes[j, 1].set_title(f"kernel w_{j + 1},{out_channel + 1}")
        axes[j, 2].imshow(parts.per_channel[j], cmap="RdBu_r", vmin=-m, vmax=m)
        axes[j, 2].set_title(f"w_{j + 1},{out_channel + 1} * x_{j + 1}")
    total_m = float(np.abs(parts.output).max()) or 1.0
    axes[0, 3].imshow(parts.total, cmap="RdBu_r", vmin=-total_m, vmax=total_m)
    axes[0, 3].set_title(f"sum over j = 1…{c_in}")
    axes[1, 3].imshow(parts.output, cmap="RdBu_r", vmin=-total_m, vmax=total_m)
    axes[1, 3].set_title(f"+ bias b = {parts.bias:.2g}:\nfeature map F_{out_channel + 1}")
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[2:, 3]:
        ax.axis("off")
    return fig


def plot_convolution_vs_correlation(image, kernel):
    """Kernel, flipped kernel, cross-correlation (what libraries compute) and true convolution. Returns the figure."""
    import matplotlib.pyplot as plt

    kernel = np.asarray(kernel, dtype=np.float64)
    corr = correlate2d(image, kernel, mode="valid")
    conv = convolve2d(image, kernel, mode="valid")
    fig, axes = plt.subplots(1, 4, figsize=(10.0, 2.9), layout="constrained",
                             gridspec_kw={"width_ratios": [0.6, 0.6, 1, 1]})
    km = float(np.abs(kernel).max()) or 1.0
    for ax, k, title in ((axes[0], kernel, "kernel K"), (axes[1], kernel[::-1, ::-1], "K flipped (both axes)")):
        ax.imshow(k, cmap="RdBu_r", vmin=-km, vmax=km)
        for (r, c), v in np.ndenumerate(k):
            ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=9)
        ax.set_title(title)
    m = max(float(np.abs(corr).max()), float(np.abs(conv).max())) or 1.0
    axes[2].imshow(corr, cmap="RdBu_r", vmin=-m, vmax=m)
    axes[2].set_title("cross-correlation with K\n(torch's conv2d)")
    axes[3].imshow(conv, cmap="RdBu_r", vmin=-m, vmax=m)
    axes[3].set_title("convolution with K\n= cross-correlation with K flipped")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


@dataclass
class Timing:
    """Seconds per call (best of ``repeat``) and the output of one implementation."""

    name: str
    seconds: float
    output: np.ndarray


def time_implementations(x, weight, bias=None, repeat: int = 3, **conv_args) -> list[Timing]:
    """Run loops (:func:`conv2d_naive`), vectorised numpy (:func:`conv2d`) and torch on the same input.

    The loops run once (they are slow); the others ``repeat`` times, best time kept.
    torch runs on the CPU in float64, so that the three can be compared to rounding.
    """
    import torch
    import torch.nn.functional as F

    def best(fn, n):
        times, out = [], None
        for _ in range(n):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        return min(times), out

    xt, wt = torch.as_tensor(np.asarray(x, dtype=np.float64)), torch.as_tensor(np.asarray(weight, dtype=np.float64))
    bt = None if bias is None else torch.as_tensor(np.asarray(bias, dtype=np.float64))
    timings = []
    for name, fn, n in (
        ("loops (conv2d_naive)", lambda: conv2d_naive(x, weight, bias, **conv_args), 1),
        ("numpy (conv2d)", lambda: conv2d(x, weight, bias, **conv_args), repeat),
        ("torch (F.conv2d)", lambda: F.conv2d(xt, wt, bt, **conv_args).numpy(), repeat),
    ):
        seconds, out = best(fn, n)
        timings.append(Timing(name, seconds, np.asarray(out)))
    return timings
