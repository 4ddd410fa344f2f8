"""Convolution kernels in numpy, with the semantics of ``torch.nn.Conv2d``.

Everything here is numpy only, so that torch can serve as an independent oracle
in the tests. Names and argument conventions follow torch:

* ``x`` is ``(N, C_in, H, W)``; ``weight`` is ``(C_out, C_in / groups, kH, kW)``;
  the result is ``(N, C_out, H_out, W_out)``.
* Like every deep-learning library, :func:`conv2d` computes a
  **cross-correlation** (互相关): the kernel is *not* flipped. The textbook
  **convolution** (卷积) of the slides, ``s(t) = sum_a x(a) w(t - a)``, flips the
  kernel; :func:`convolve1d` and :func:`convolve2d` compute that one.

Public surface:

``conv_output_size``  the output-size formula (the one place it lives)
``pad2d``             zeros / reflect (mirror, 镜像填充) / replicate / circular padding
``conv2d``            vectorised (im2col + matrix products, :mod:`helpers.im2col`), fast
``conv2d_naive``      the same signature, written as the loops of the formula
``convolve1d``, ``correlate1d``, ``convolve2d``, ``correlate2d``
                      true convolution versus cross-correlation, with the flip
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from helpers import im2col
from helpers.args import as_float_array, as_int, as_ints, as_pair, one_of

__all__ = [
    "PADDING_MODES",
    "conv_output_size",
    "pad2d",
    "conv2d",
    "conv2d_naive",
    "convolve1d",
    "correlate1d",
    "convolve2d",
    "correlate2d",
    "MultiChannelParts",
    "multichannel_parts",
]

#: The padding modes of ``torch.nn.Conv2d`` (``padding_mode``), in that order.
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")

_NP_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


# --------------------------------------------------------------------------- output size
def conv_output_size(n: int, kernel_size: int, stride: int = 1, padding=0, dilation: int = 1) -> int:
    r"""Length of a convolution's output along one axis (the floor formula).

    .. math::
        n_\text{out} = \left\lfloor \frac{n + p_\text{before} + p_\text{after}
                       - d\,(k - 1) - 1}{s} \right\rfloor + 1

    With symmetric padding ``p`` this is the familiar
    ``floor((n + 2p - d(k-1) - 1) / s) + 1``; with ``d = 1`` it is
    ``floor((n + 2p - k) / s) + 1``. The dilated kernel spans ``d(k-1) + 1`` inputs.

    Args:
        n: input length (>= 1).
        kernel_size: k (>= 1).
        stride: s (>= 1).
        padding: p added on each side (>= 0), or a ``(before, after)`` pair.
        dilation: d (>= 1).

    Raises:
        ValueError: for out-of-range arguments, or when the (dilated) kernel is
            larger than the padded input.

    Example:
        >>> conv_output_size(32, 5)            # LeNet-5's C1
        28
        >>> conv_output_size(5, 3, stride=2)   # the slides' stride-2 example
        2
    """
    for name, v in (("n", n), ("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)):
        as_int(name, v, 1)
    return _output_size(n, kernel_size, stride, as_pair("padding", padding, minimum=0, pair="(before, after)"), dilation)


def _output_size(n: int, kernel_size: int, stride: int, padding: tuple[int, int], dilation: int) -> int:
    """:func:`conv_output_size` for arguments checked already."""
    padded = n + padding[0] + padding[1]
    span = dilation * (kernel_size - 1) + 1
    if span > padded:
        raise ValueError(
            f"kernel_size={kernel_size!r} (spanning {span} with dilation={dilation}) is larger than "
            f"the padded input ({n} + padding {padding[0]}+{padding[1]} = {padded}); "
            f"allowed: a kernel span <= {padded}"
        )
    return (padded - span) // stride + 1


# --------------------------------------------------------------------------- padding
def pad2d(x, pad, mode: str = "zeros") -> np.ndarray:
    """Pad the last two axes of ``x``, like ``torch.nn.functional.pad`` on 2-D data.

    Args:
        x: array of shape ``(..., H, W)`` (2-D, 3-D or 4-D).
        pad: an int for every side, or ``(left, right, top, bottom)`` as in
            ``torch.nn.functional.pad``.
        mode: ``"zeros"``; ``"reflect"`` (mirror padding, 镜像填充, the edge
            itself not repeated: ``[a b c] -> b [a b c] b``); ``"replicate"``
            (``a [a b c] c``); ``"circular"`` (``c [a b c] a``).

    Shape:
        ``(..., H, W) -> (..., top + H + bottom, left + W + right)``

    Raises:
        ValueError: for an unknown mode, negative padding, or reflect /
            circular padding that the input is too small for (as torch refuses).

    Example:
        >>> pad2d(np.arange(3.0)[None], (2, 2, 0, 0), "reflect")
        array([[2., 1., 0., 1., 2., 1., 0.]])
    """
    mode = one_of("mode", mode, PADDING_MODES)
    x = np.asarray(x)
    if x.ndim not in (2, 3, 4):
        raise ValueError(f"x has {x.ndim} dimensions (shape {x.shape}); expected 2, 3 or 4 with (H, W) last")
    left, right, top, bottom = as_ints("pad", pad, 4, minimum=0, entries="(left, right, top, bottom)")
    H, W = x.shape[-2:]
    if mode == "reflect" and (max(left, right) >= W or max(top, bottom) >= H):
        raise ValueError(
            f"pad={(left, right, top, bottom)} is not allowed for mode='reflect' on an input of size "
            f"H={H}, W={W}: reflect padding must be smaller than the input (left/right < {W}, top/bottom < {H})"
        )
    if mode == "circular" and (max(left, right) > W or max(top, bottom) > H):
        raise ValueError(
            f"pad={(left, right, top, bottom)} is not allowed for mode='circular' on an input of size "
            f"H={H}, W={W}: circular padding can be at most the input size (left/right <= {W}, top/bottom <= {H})"
        )
    if mode == "zeros":  # the common case, without np.pad's overhead
        out = np.zeros(x.shape[:-2] + (top + H + bottom, left + W + right), dtype=x.dtype)
        out[..., top : top + H, left : left + W] = x
        return out
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    return np.pad(x, widths, mode=_NP_PAD_MODE[mode])


# --------------------------------------------------------------------------- shared argument handling
class _ConvArgs(NamedTuple):
    x: np.ndarray  # 4-D, not padded yet
    weight: np.ndarray  # 4-D
    bias: np.ndarray | None
    stride: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    out_hw: tuple[int, int]
    squeeze: bool  # the caller passed 2-D x and 2-D weight
    pads: tuple[int, int, int, int]  # (left, right, top, bottom)
    padding_mode: str

    def padded(self) -> np.ndarray:
        """The padded input (``x`` itself when there is no padding)."""
        return pad2d(self.x, self.pads, self.padding_mode) if any(self.pads) else self.x


def _prepare(x, weight, bias, stride, padding, dilation, groups, padding_mode) -> _ConvArgs:
    """Validate the arguments of conv2d / conv2d_naive and work out the padding and the output size."""
    x = as_float_array("x", x)
    weight = as_float_array("weight", weight)
    squeeze = x.ndim == 2 and weight.ndim == 2
    if squeeze:
        x, weight = x[None, None], weight[None, None]
    if x.ndim != 4:
        raise ValueError(f"x has {x.ndim} dimensions (shape {x.shape}); expected 4: (N, C_in, H, W), or 2-D x with 2-D weight")
    if weight.ndim != 4:
        raise ValueError(
            f"weight has {weight.ndim} dimensions (shape {weight.shape}); expected 4: (C_out, C_in/groups, kH, kW)"
        )
    dtype = np.result_type(x, weight)
    x, weight = x.astype(dtype, copy=False), weight.astype(dtype, copy=False)

    stride = as_pair("stride", stride, minimum=1)
    dilation = as_pair("dilation", dilation, minimum=1)
    padding_mode = one_of("padding_mode", padding_mode, PADDING_MODES)
    groups = as_int("groups", groups, 1)

    N, C_in, H, W = x.shape
    C_out, C_in_g, kH, kW = weight.shape
    if C_in % groups:
        raise ValueError(f"groups={groups} is not allowed: input channels C_in={C_in} must be divisible by groups")
    if C_out % groups:
        raise ValueError(f"groups={groups} is not allowed: output channels C_out={C_out} must be divisible by groups")
    if C_in_g * groups != C_in:
        raise ValueError(
            f"weight of shape {weight.shape} expects C_in/groups={C_in_g}, i.e. C_in={C_in_g * groups} "
            f"with groups={groups}, but x of shape {x.shape} has C_in={C_in}"
        )
    if min(kH, kW) < 1 or min(H, W) < 1 or N < 1:
        raise ValueError(f"empty input: x has shape {x.shape}, weight has shape {weight.shape}")

    if bias is not None:
        bias = as_float_array("bias", bias).astype(dtype, copy=False)
        if bias.shape != (C_out,):
            raise ValueError(f"bias has shape {bias.shape}; expected ({C_out},), one per output channel")

    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError(f"padding='same' is not allowed with stride={stride}: it needs stride 1 (as in torch)")
            # torch: total = d (k - 1), the extra one (if odd) on the right / bottom.
            th, tw = dilation[0] * (kH - 1), dilation[1] * (kW - 1)
            pads = (tw // 2, tw - tw // 2, th // 2, th - th // 2)
        else:
            raise ValueError(f"padding={padding!r} is not allowed: expected an int, an (h, w) pair, 'valid' or 'same'")
    else:
        ph, pw = as_pair("padding", padding, minimum=0)
        pads = (pw, pw, ph, ph)

    out_h = _output_size(H, kH, stride[0], (pads[2], pads[3]), dilation[0])
    out_w = _output_size(W, kW, stride[1], (pads[0], pads[1]), dilation[1])
    return _ConvArgs(x, weight, bias, stride, dilation, groups, (out_h, out_w), squeeze, pads, padding_mode)


_CONV_DOC_ARGS = """
    Args:
        x: input, ``(N, C_in, H, W)``; or a 2-D ``(H, W)`` image together with a
            2-D ``(kH, kW)`` weight, which gives a 2-D result.
        weight: ``(C_out, C_in / groups, kH, kW)``.
        bias: ``(C_out,)`` or None.
        stride: int or ``(sH, sW)``, >= 1 (步幅).
        padding: int or ``(pH, pW)`` added on each side, >= 0; or ``"valid"``
            (none) or ``"same"`` (output size = input size; stride 1 only).
        dilation: int or ``(dH, dW)``, >= 1 (空洞卷积).
        groups: split the channels into this many independent groups;
            ``groups == C_in`` is a depthwise convolution.
        padding_mode: one of ``PADDING_MODES``: zeros, reflect (mirror), replicate, circular.

    Shape:
        ``H_out = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1``, the same for W
        (see :func:`conv_output_size`).

    Raises:
        ValueError: naming the argument, its value and what is allowed.
"""


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros") -> np.ndarray:
    """2-D cross-correlation, vectorised: the numbers of ``torch.nn.Conv2d``.

    im2col: every receptive field becomes one column of a matrix (copied out
    of a strided view of the padded input), then matrix products with the
    flattened kernels do all the multiply-adds. :mod:`helpers.im2col` holds the
    two column layouts: :func:`helpers.im2col.by_rows` when the vertical
    dilation is 1 (it copies each input row once per horizontal tap),
    :func:`helpers.im2col.by_columns` for the others.

    Example:
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2)[0, 0]   # sums of 2x2 blocks
        array([[10., 18.],
               [42., 50.]])
    """
    a = _prepare(x, weight, bias, stride, padding, dilation, groups, padding_mode)
    if a.dilation[0] > 1:
        out = im2col.columns_product(np.ascontiguousarray(a.padded()), a.weight, a.stride, a.dilation, a.groups)
    elif a.padding_mode == "zeros":  # the zeros are written while the rows are copied
        out = im2col.rows_product(np.ascontiguousarray(a.x), a.weight, a.stride, a.dilation[1], a.groups, a.pads)
    else:
        out = im2col.rows_product(np.ascontiguousarray(a.padded()), a.weight, a.stride, a.dilation[1], a.groups,
                                  (0, 0, 0, 0))
    if a.bias is not None:
        out += a.bias[:, None, None]
    return out[0, 0] if a.squeeze else out


def conv2d_naive(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros") -> np.ndarray:
    """2-D cross-correlation written as the loops of the formula; for small inputs only.

    .. math::
        \\text{out}[n, o, i, j] = b[o] + \\sum_{c} \\sum_{u} \\sum_{v}
            x_\\text{pad}[n,\\; g\\,C_g + c,\\; i s_H + u d_H,\\; j s_W + v d_W]\\; w[o, c, u, v]

    where ``g`` is the group of output channel ``o`` and ``C_g = C_in / groups``.
    It is meant to be read, not run on large inputs: every multiply is a Python
    step. Use :func:`conv2d` (same signature, same numbers) for real work.
    """
    a = _prepare(x, weight, bias, stride, padding, dilation, groups, padding_mode)
    xp, w = a.padded(), a.weight
    N = xp.shape[0]
    C_out, C_in_g, kH, kW = w.shape
    (sH, sW), (dH, dW), (Ho, Wo) = a.stride, a.dilation, a.out_hw
    out_per_group = C_out // a.groups

    out = np.zeros((N, C_out, Ho, Wo), dtype=xp.dtype)
    for n in range(N):
        for o in range(C_out):
            first_in = (o // out_per_group) * C_in_g  # first input channel of o's group
            for i in range(Ho):
                for j in range(Wo):
                    total = 0.0 if a.bias is None else a.bias[o]
                    for c in range(C_in_g):
                        for u in range(kH):
                            for v in range(kW):
                                total += xp[n, first_in + c, i * sH + u * dH, j * sW + v * dW] * w[o, c, u, v]
                    out[n, o, i, j] = total
    return out[0, 0] if a.squeeze else out


for _f in (conv2d, conv2d_naive):
    if _f.__doc__ is not None:  # None under ``python -OO``, which strips docstrings
        _f.__doc__ += _CONV_DOC_ARGS


# --------------------------------------------------------------------------- convolution vs correlation
_MODES_1D = ("full", "valid", "same")


def _full_to_mode(full: np.ndarray, shape_in, shape_k, mode: str) -> np.ndarray:
    """Cut a 'full' result down to 'valid' or 'same' (centred as numpy.convolve does)."""
    index = []
    for axis, (n, k) in enumerate(zip(shape_in, shape_k)):
        if mode == "full":
            index.append(slice(None))
        elif mode == "valid":
            if k > n:
                raise ValueError(f"mode='valid' needs the kernel to fit: kernel length {k} > input length {n} on axis {axis}")
            index.append(slice(k - 1, n))
        else:  # same: length n, as numpy.convolve(mode='same')
            start = (k - 1) // 2
            index.append(slice(start, start + n))
    return full[tuple(index)]


def convolve1d(x, w, mode: str = "full") -> np.ndarray:
    """True 1-D convolution, ``s(t) = sum_a x(a) w(t - a)`` (the slides' discrete form).

    The kernel is flipped: as ``t`` grows, ``w(t - a)`` slides over ``x``
    reversed. Equals ``numpy.convolve(x, w, mode)`` (for ``"same"`` and
    ``"valid"`` when the kernel is not longer than the signal; numpy then
    swaps the two, here it is an error for ``"valid"`` and ``"same"`` keeps n).

    Args:
        x: 1-D signal of length n.
        w: 1-D kernel of length k.
        mode: ``"full"`` (n + k - 1 outputs, every overlap), ``"valid"``
            (n - k + 1, the kernel inside the signal) or ``"same"`` (n, centred).
    """
    x, w = as_float_array("x", x), as_float_array("w", w)
    for name, a in (("x", x), ("w", w)):
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"{name} has shape {a.shape}; expected a non-empty 1-D array")
    mode = one_of("mode", mode, _MODES_1D)
    n, k = x.size, w.size
    t = np.arange(n + k - 1)[:, None]
    a = np.arange(n)[None, :]
    inside = (t - a >= 0) & (t - a < k)
    w_ta = np.where(inside, w[np.clip(t - a, 0, k - 1)], 0.0)  # w(t - a), zero outside the kernel
    full = w_ta @ x  # s(t) = sum_a x(a) w(t - a)
    return _full_to_mode(full, (n,), (k,), mode)


def correlate1d(x, w, mode: str = "valid") -> np.ndarray:
    """1-D cross-correlation, ``s(t) = sum_a x(t + a) w(a)``: no flip.

    Equals ``convolve1d(x, w[::-1], mode)``; default mode ``"valid"`` as in deep learning.
    """
    w = as_float_array("w", w)
    if w.ndim != 1:
        raise ValueError(f"w has shape {w.shape}; expected a non-empty 1-D array")
    return convolve1d(x, w[::-1], mode)


def convolve2d(image, kernel, mode: str = "full") -> np.ndarray:
    """True 2-D convolution, ``S(i, j) = sum_m sum_n I(m, n) K(i - m, j - n)``.

    Flip the kernel in both axes, then cross-correlate: this is how the
    slides' formula relates to what :func:`conv2d` (and torch) compute.
    ``mode`` as in :func:`convolve1d`, per axis.
    """
    image, kernel = as_float_array("image", image), as_float_array("kernel", kernel)
    for name, a in (("image", image), ("kernel", kernel)):
        if a.ndim != 2 or a.size == 0:
            raise ValueError(f"{name} has shape {a.shape}; expected a non-empty 2-D array")
    mode = one_of("mode", mode, _MODES_1D)
    kH, kW = kernel.shape
    full = conv2d(image, kernel[::-1, ::-1], padding=(kH - 1, kW - 1))
    return _full_to_mode(full, image.shape, kernel.shape, mode)


def correlate2d(image, kernel, mode: str = "valid") -> np.ndarray:
    """2-D cross-correlation (no flip), what deep-learning libraries call convolution."""
    kernel = as_float_array("kernel", kernel)
    if kernel.ndim != 2:
        raise ValueError(f"kernel has shape {kernel.shape}; expected a non-empty 2-D array")
    return convolve2d(image, kernel[::-1, ::-1], mode)


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
    as_int("out_channel", out_channel, 0, weight.shape[0] - 1)
    per = np.stack([conv2d(x[j], weight[out_channel, j], **conv_args) for j in range(x.shape[0])])
    total = per.sum(axis=0)
    b = float(bias[out_channel])
    return MultiChannelParts(per, total, b, total + b)
