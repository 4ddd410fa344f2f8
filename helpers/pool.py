"""Pooling (池化) in numpy, with the semantics of ``torch.nn.functional``'s pooling.

Numpy only, so that torch can serve as the independent oracle in the tests.
Names and arguments follow torch: ``x`` is ``(N, C, H, W)`` (``(C, H, W)`` and
``(H, W)`` are accepted too and keep their number of axes), and pooling acts on
each channel on its own.

Public surface:

``pool_output_size``   the output-size formula, floor or ceil (``ceil_mode``)
``max_pool2d``         max pooling, optionally with the argmax ``indices``
``avg_pool2d``         average pooling, with ``count_include_pad`` and ``divisor_override``
``sum_pool2d``         sum pooling (the slide's "Sum": the average times the window size)
``global_avg_pool2d``, ``global_max_pool2d``   one number per channel
``max_pool2d_naive``, ``avg_pool2d_naive``, ``sum_pool2d_naive``
                       the same signatures, written as the loops of the formulas
``max_pool2d_backward``, ``avg_pool2d_backward``, ``sum_pool2d_backward``
                       where the gradient goes: to the argmax, or spread evenly

Arguments are checked as torch checks them, with a ``ValueError`` that names
the argument, its value and what is allowed (torch raises ``RuntimeError``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from helpers.args import (
    as_bool,
    as_float_array,
    as_int,
    as_pair,
    is_int,
    not_allowed,
    one_of,
)

__all__ = [
    "POOL_KINDS",
    "pool_output_size",
    "max_pool2d",
    "avg_pool2d",
    "sum_pool2d",
    "global_avg_pool2d",
    "global_max_pool2d",
    "max_pool2d_naive",
    "avg_pool2d_naive",
    "sum_pool2d_naive",
    "max_pool2d_backward",
    "avg_pool2d_backward",
    "sum_pool2d_backward",
    "pool2d",
]

#: The kinds of pooling on the slides, the names :func:`pool2d` accepts.
POOL_KINDS = ("max", "avg", "sum")


# --------------------------------------------------------------------------- output size
def pool_output_size(n: int, kernel_size: int, stride: int | None = None, padding: int = 0,
                     dilation: int = 1, ceil_mode: bool = False) -> int:
    r"""Length of a pooling output along one axis, as torch computes it.

    .. math::
        n_\text{out} = \left\lfloor \frac{n + 2p - d\,(k - 1) - 1}{s} \right\rfloor + 1
        \quad\text{or, with ceil\_mode,}\quad
        \left\lceil \frac{n + 2p - d\,(k - 1) - 1}{s} \right\rceil + 1

    With ``ceil_mode=False`` this is the convolution formula
    (:func:`helpers.conv.conv_output_size`). With ``ceil_mode=True`` a last,
    partial window is kept, except when it would *start* in the right-hand
    padding (torch's rule), so that every window sees at least one input.

    Args:
        n: input length (>= 1).
        kernel_size: k (>= 1).
        stride: s (>= 1); None means ``kernel_size`` (torch's default for pooling).
        padding: p on each side, at most ``kernel_size // 2`` (as torch requires).
        dilation: d (>= 1).
        ceil_mode: round up instead of down.

    Raises:
        ValueError: naming the argument, its value and what is allowed.

    Example:
        >>> pool_output_size(5, 2)                  # 2x2 windows, stride 2: the last column is dropped
        2
        >>> pool_output_size(5, 2, ceil_mode=True)  # ... or kept as a partial window
        3
    """
    stride = kernel_size if stride is None else stride
    for name, v, lo in (("n", n, 1), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                        ("dilation", dilation, 1), ("padding", padding, 0)):
        as_int(name, v, lo)
    if padding > kernel_size // 2:
        raise ValueError(
            f"padding={padding} is not allowed with kernel_size={kernel_size}: padding must be at most half "
            f"the kernel size, padding <= {kernel_size // 2} (torch refuses it too)"
        )
    span = dilation * (kernel_size - 1) + 1
    reach = n + 2 * padding - span  # how far the window can move
    out = (-(-reach // stride) if ceil_mode else reach // stride) + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1  # the last window would start in the right-hand padding
    if out < 1:
        raise ValueError(
            f"kernel_size={kernel_size} (spanning {span} with dilation={dilation}) is larger than the padded "
            f"input ({n} + 2*{padding} = {n + 2 * padding}): the output would be empty; "
            f"allowed: a kernel span <= {n + 2 * padding}"
        )
    return out


# --------------------------------------------------------------------------- shared argument handling
class _PoolArgs(NamedTuple):
    x: np.ndarray  # 4-D, not padded
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    out_hw: tuple[int, int]
    ndim: int  # the caller's number of axes (2, 3 or 4)


def _prepare(x, kernel_size, stride, padding, dilation, ceil_mode) -> _PoolArgs:
    x = as_float_array("x", x)
    if x.ndim not in (2, 3, 4):
        raise ValueError(f"x has {x.ndim} dimensions (shape {x.shape}); expected (N, C, H, W), (C, H, W) or (H, W)")
    ndim = x.ndim
    x4 = x.reshape((1,) * (4 - ndim) + x.shape)
    if min(x4.shape) < 1:
        raise ValueError(f"x has shape {x.shape}: it is empty")
    kernel = as_pair("kernel_size", kernel_size, minimum=1)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else \
        as_pair("stride", stride, minimum=1)
    padding = as_pair("padding", padding, minimum=0)
    dilation = as_pair("dilation", dilation, minimum=1)
    ceil_mode = as_bool("ceil_mode", ceil_mode)
    H, W = x4.shape[-2:]
    out_hw = tuple(
        pool_output_size(n, k, s, p, d, bool(ceil_mode))
        for n, k, s, p, d in zip((H, W), kernel, stride, padding, dilation)
    )
    return _PoolArgs(x4, kernel, stride, padding, dilation, out_hw, ndim)


def _restore(out: np.ndarray, ndim: int) -> np.ndarray:
    return out.reshape(out.shape[4 - ndim:])


def _padded(a: _PoolArgs, fill: float) -> np.ndarray:
    """The input padded with ``fill``, large enough for every window (ceil_mode windows may run past the padding)."""
    N, C, H, W = a.x.shape
    (kH, kW), (sH, sW), (pH, pW), (dH, dW), (Ho, Wo) = a.kernel, a.stride, a.padding, a.dilation, a.out_hw
    Hp = max(H + 2 * pH, (Ho - 1) * sH + dH * (kH - 1) + 1)
    Wp = max(W + 2 * pW, (Wo - 1) * sW + dW * (kW - 1) + 1)
    if (Hp, Wp) == (H, W):
        return a.x  # nothing to pad
    xp = np.full((N, C, Hp, Wp), fill, dtype=a.x.dtype)
    xp[:, :, pH:pH + H, pW:pW + W] = a.x
    return xp


def _offsets(a: _PoolArgs, xp: np.ndarray):
    """For each place ``(u, v)`` inside the window: the inputs that place sees, for every output at once.

    ``xp[..., u dH + i sH, v dW + j sW]`` over all outputs ``(i, j)`` is one strided slice, so
    a pooling is ``kH * kW`` whole-array operations instead of a loop over outputs.
    """
    (kH, kW), (sH, sW), (dH, dW), (Ho, Wo) = a.kernel, a.stride, a.dilation, a.out_hw
    for u in range(kH):
        for v in range(kW):
            yield u, v, xp[:, :, u * dH:u * dH + (Ho - 1) * sH + 1:sH, v * dW:v * dW + (Wo - 1) * sW + 1:sW]


def _window_ranges(n: int, n_out: int, k: int, s: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Per output position along one axis: (window size torch divides by with padding counted,
    number of real inputs in the window). No dilation (average pooling has none)."""
    start = np.arange(n_out) * s - p
    end = np.minimum(start + k, n + p)  # torch clips the window at the far padding
    with_pad = end - start
    inside = np.minimum(end, n) - np.maximum(start, 0)
    return with_pad, inside


def _divisor(a: _PoolArgs, count_include_pad: bool, divisor_override) -> np.ndarray:
    """The (H_out, W_out) array that average pooling divides each window sum by."""
    if divisor_override is not None:
        return np.full(a.out_hw, float(divisor_override))
    H, W = a.x.shape[-2:]
    ph, ih = _window_ranges(H, a.out_hw[0], a.kernel[0], a.stride[0], a.padding[0])
    pw, iw = _window_ranges(W, a.out_hw[1], a.kernel[1], a.stride[1], a.padding[1])
    return np.outer(ph, pw).astype(float) if count_include_pad else np.outer(ih, iw).astype(float)


def _check_avg_options(count_include_pad, divisor_override) -> None:
    as_bool("count_include_pad", count_include_pad)
    if divisor_override is not None and (not is_int(divisor_override) or divisor_override == 0):
        raise not_allowed("divisor_override", divisor_override, "None or a non-zero int")


# --------------------------------------------------------------------------- vectorised
def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max pooling: the largest value in each window, vectorised over all outputs.

    Padding counts as ``-inf`` (it never wins). With ``return_indices`` it
    also returns, for each output, the flat index ``h * W + w`` of the input
    that won (the first one in row-major order on ties, as torch's CPU code):
    :func:`max_pool2d_backward` sends the gradient there.
    """
    a = _prepare(x, kernel_size, stride, padding, dilation, ceil_mode)
    out = winner = None
    for u, v, seen in _offsets(a, _padded(a, -np.inf)):
        if out is None:
            out = seen.copy()
            winner = np.zeros(seen.shape, dtype=np.int64) if return_indices else None
        elif not return_indices:
            np.maximum(out, seen, out=out)
        else:
            better = seen > out  # strictly: on a tie the earlier place keeps the win
            np.copyto(out, seen, where=better)
            winner[better] = u * a.kernel[1] + v
    if not return_indices:
        return _restore(out, a.ndim)
    u, v = np.divmod(winner, a.kernel[1])  # the winner's place inside its window
    Ho, Wo = a.out_hw
    (sH, sW), (pH, pW), (dH, dW) = a.stride, a.padding, a.dilation
    rows = np.arange(Ho)[:, None] * sH - pH + u * dH
    cols = np.arange(Wo)[None, :] * sW - pW + v * dW
    indices = (rows * a.x.shape[-1] + cols).astype(np.int64)
    return _restore(out, a.ndim), _restore(indices, a.ndim)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None) -> np.ndarray:
    """Average pooling: the mean of each window, vectorised.

    Padding counts as 0. ``count_include_pad=True`` (torch's default) divides
    by the window size including the padded cells (so border outputs are
    pulled towards 0); ``False`` divides by the number of real inputs.
    ``divisor_override`` divides every window sum by that number instead.
    """
    _check_avg_options(count_include_pad, divisor_override)
    a = _prepare(x, kernel_size, stride, padding, 1, ceil_mode)
    sums = sum(seen for _, _, seen in _offsets(a, _padded(a, 0.0)))
    return _restore(sums / _divisor(a, bool(count_include_pad), divisor_override).astype(sums.dtype), a.ndim)


def sum_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False) -> np.ndarray:
    """Sum pooling: the sum of each window (padding counts as 0).

    Equals ``avg_pool2d(..., divisor_override=1)`` and torch's
    ``lp_pool2d(x, 1, ...)`` on non-negative inputs.
    """
    return avg_pool2d(x, kernel_size, stride, padding, ceil_mode, divisor_override=1)


def global_avg_pool2d(x) -> np.ndarray:
    """One mean per channel: ``(N, C, H, W) -> (N, C, 1, 1)``, as ``adaptive_avg_pool2d(x, 1)``."""
    x = _check_global(x)
    return x.mean(axis=(-2, -1), keepdims=True)


def global_max_pool2d(x) -> np.ndarray:
    """One maximum per channel: ``(N, C, H, W) -> (N, C, 1, 1)``, as ``adaptive_max_pool2d(x, 1)``."""
    x = _check_global(x)
    return x.max(axis=(-2, -1), keepdims=True)


def _check_global(x) -> np.ndarray:
    x = as_float_array("x", x)
    if x.ndim not in (2, 3, 4) or x.size == 0:
        raise ValueError(f"x has shape {x.shape}; expected a non-empty (N, C, H, W), (C, H, W) or (H, W) array")
    return x


def pool2d(x, kind: str, kernel_size, stride=None, padding=0, ceil_mode=False) -> np.ndarray:
    """``max_pool2d``, ``avg_pool2d`` or ``sum_pool2d`` by name (``kind`` in ``POOL_KINDS``)."""
    one_of("kind", kind, POOL_KINDS)
    if kind == "max":
        return max_pool2d(x, kernel_size, stride, padding, ceil_mode=ceil_mode)
    if kind == "avg":
        return avg_pool2d(x, kernel_size, stride, padding, ceil_mode)
    return sum_pool2d(x, kernel_size, stride, padding, ceil_mode)


# --------------------------------------------------------------------------- naive (the loops of the formulas)
def max_pool2d_naive(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r"""Max pooling written as loops; same signature and numbers as :func:`max_pool2d`.

    .. math::
        \text{out}[n, c, i, j] = \max_{u < k_H,\ v < k_W}\;
            x[n, c,\; i s_H - p_H + u d_H,\; j s_W - p_W + v d_W]

    over the positions that fall inside the input.
    """
    a = _prepare(x, kernel_size, stride, padding, dilation, ceil_mode)
    N, C, H, W = a.x.shape
    (kH, kW), (sH, sW), (pH, pW), (dH, dW), (Ho, Wo) = a.kernel, a.stride, a.padding, a.dilation, a.out_hw
    out = np.full((N, C, Ho, Wo), -np.inf, dtype=a.x.dtype)
    indices = np.zeros((N, C, Ho, Wo), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best, where = -math.inf, -1
                    for u in range(kH):
                        for v in range(kW):
                            h, w = i * sH - pH + u * dH, j * sW - pW + v * dW
                            if 0 <= h < H and 0 <= w < W and (where < 0 or a.x[n, c, h, w] > best):
                                best, where = a.x[n, c, h, w], h * W + w
                    out[n, c, i, j], indices[n, c, i, j] = best, where
    if return_indices:
        return _restore(out, a.ndim), _restore(indices, a.ndim)
    return _restore(out, a.ndim)


def avg_pool2d_naive(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                     divisor_override=None) -> np.ndarray:
    r"""Average pooling written as loops; same signature and numbers as :func:`avg_pool2d`.

    .. math::
        \text{out}[n, c, i, j] = \frac{1}{D_{ij}} \sum_{u < k_H,\ v < k_W}
            x[n, c,\; i s_H - p_H + u,\; j s_W - p_W + v]

    (terms outside the input are 0), where ``D`` is the window size counting
    the padding (``count_include_pad``), or only the inputs inside, or
    ``divisor_override``.
    """
    _check_avg_options(count_include_pad, divisor_override)
    a = _prepare(x, kernel_size, stride, padding, 1, ceil_mode)
    N, C, H, W = a.x.shape
    (kH, kW), (sH, sW), (pH, pW), (Ho, Wo) = a.kernel, a.stride, a.padding, a.out_hw
    out = np.zeros((N, C, Ho, Wo), dtype=a.x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            h0, w0 = i * sH - pH, j * sW - pW
            h1, w1 = min(h0 + kH, H + pH), min(w0 + kW, W + pW)  # torch clips at the far padding
            with_pad = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, H), min(w1, W)
            inside = (h1 - h0) * (w1 - w0)
            if divisor_override is not None:
                divisor = divisor_override
            else:
                divisor = with_pad if count_include_pad else inside
            for n in range(N):
                for c in range(C):
                    total = 0.0
                    for h in range(h0, h1):
                        for w in range(w0, w1):
                            total += a.x[n, c, h, w]
                    out[n, c, i, j] = total / divisor
    return _restore(out, a.ndim)


def sum_pool2d_naive(x, kernel_size, stride=None, padding=0, ceil_mode=False) -> np.ndarray:
    """Sum pooling as loops: :func:`avg_pool2d_naive` with divisor 1."""
    return avg_pool2d_naive(x, kernel_size, stride, padding, ceil_mode, divisor_override=1)


_POOL_DOC_ARGS = """
    Args:
        x: ``(N, C, H, W)``, ``(C, H, W)`` or ``(H, W)``; each channel is pooled on its own.
        kernel_size: int or ``(kH, kW)``, the window (>= 1).
        stride: int or ``(sH, sW)``; None (the default) means ``kernel_size``.
        padding: int or ``(pH, pW)`` on each side, at most half the window (``p <= k // 2``).
        ceil_mode: round the output size up, keeping a last partial window.

    Shape:
        ``H_out = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1`` (ceil with ``ceil_mode``, see
        :func:`pool_output_size`), the same for W; the output keeps the input's leading axes.

    Raises:
        ValueError: naming the argument, its value and what is allowed.
"""
for _f in (max_pool2d, avg_pool2d, sum_pool2d, max_pool2d_naive, avg_pool2d_naive, sum_pool2d_naive):
    if _f.__doc__ is not None:  # None under ``python -OO``, which strips docstrings
        _f.__doc__ += _POOL_DOC_ARGS


# --------------------------------------------------------------------------- backward
def max_pool2d_backward(grad_output, indices, input_shape) -> np.ndarray:
    """Gradient of max pooling with respect to its input.

    Each output's gradient goes to the one input that won its window (its
    ``indices`` entry from ``max_pool2d(..., return_indices=True)``); every
    other input gets 0. An input that wins several overlapping windows
    collects the sum of their gradients.

    Args:
        grad_output: ``dL/d out``, the shape of the pooled output.
        indices: the argmax indices of the forward pass (same shape).
        input_shape: the shape of the forward pass's input.

    Returns:
        ``dL/dx`` of shape ``input_shape``.
    """
    g = as_float_array("grad_output", grad_output)
    idx = np.asarray(indices)
    shape = tuple(int(s) for s in input_shape)
    if g.shape != idx.shape:
        raise ValueError(f"grad_output has shape {g.shape} but indices has shape {idx.shape}; they must match")
    if len(shape) != g.ndim or shape[:-2] != g.shape[:-2]:
        raise ValueError(f"input_shape={shape} does not fit grad_output of shape {g.shape}: "
                         f"expected the same number of axes and the same leading (N, C) sizes")
    H, W = shape[-2:]
    if idx.size and (idx.min() < 0 or idx.max() >= H * W):
        raise ValueError(f"indices must lie in [0, {H * W}) for an input of size {H}x{W}")
    lead = int(np.prod(shape[:-2], dtype=np.int64))
    dx = np.zeros((lead, H * W), dtype=g.dtype)
    rows = np.repeat(np.arange(lead), idx.shape[-2] * idx.shape[-1])  # which (n, c) plane each output is in
    np.add.at(dx, (rows, idx.reshape(lead, -1).ravel()), g.reshape(lead, -1).ravel())
    return dx.reshape(shape)


def avg_pool2d_backward(grad_output, input_shape, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None) -> np.ndarray:
    """Gradient of average pooling with respect to its input.

    Each output's gradient is spread evenly over the inputs of its window,
    divided by the same divisor as the forward pass; padded cells take their
    share and drop it. Overlapping windows add up.
    """
    _check_avg_options(count_include_pad, divisor_override)
    g = as_float_array("grad_output", grad_output)
    shape = tuple(int(s) for s in input_shape)
    a = _prepare(np.zeros(shape, dtype=g.dtype), kernel_size, stride, padding, 1, ceil_mode)
    g4 = g.reshape((1,) * (4 - g.ndim) + g.shape)
    if g4.shape != a.x.shape[:2] + a.out_hw:
        expected = (a.x.shape[:2] + a.out_hw)[4 - a.ndim:]
        raise ValueError(f"grad_output has shape {g.shape}; expected {expected} for input_shape={shape}")
    H, W = a.x.shape[-2:]
    (pH, pW) = a.padding
    share = g4 / _divisor(a, bool(count_include_pad), divisor_override)
    dxp = np.zeros_like(_padded(a, 0.0))  # zeros of the padded size
    for _, _, seen in _offsets(a, dxp):  # each place in the window gets its share (overlaps add up)
        seen += share
    return dxp[:, :, pH:pH + H, pW:pW + W].reshape(shape)


def sum_pool2d_backward(grad_output, input_shape, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Gradient of sum pooling: every input of a window gets the window's whole gradient."""
    return avg_pool2d_backward(grad_output, input_shape, kernel_size, stride, padding, ceil_mode,
                               divisor_override=1)
