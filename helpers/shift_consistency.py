"""How much feature maps change when a digit moves: pooling, downsampling and anti-aliasing, measured.

The slide (池化: Comment) says pooling gives a larger receptive field and
insensitivity to deformation (形变不敏感), quotes Hinton's critique, and asks
how to drop pooling and keep both. This module measures the two properties
on batches of real digits, with fixed edge detectors as the first layer (so
that nothing depends on training):

``edge_bank``            eight 3x3 oriented edge detectors (Sobel in 4 directions, both signs)
``edge_features``        ``relu(conv(x, edge_bank))``, ``(N, 8, H, W)``
``blur_kernel``          the normalized binomial blur ``[1, 2, 1] x [1, 2, 1] / 16`` (and larger)
``blur_downsample``      anti-aliased downsampling: blur, then keep every ``stride``-th pixel
                         (Zhang, "Making Convolutional Networks Shift-Invariant Again", ICML 2019)
``DOWNSAMPLERS``         the ways of halving the resolution compared on the slide and in the notebook
``downsample``           one of them applied to a batch of images (first layer included)
``feature_change``       invariance: ``‖f(T x) − f(x)‖ / ‖f(x)‖``, no realignment
``shift_consistency``    consistency: cosine similarity of ``D(T_δ x)`` and the output moved by the
                         nearest whole output step (``⌊δ/s⌋`` or ``⌈δ/s⌉``)

Two different questions: *invariance* asks whether the features stay put
when the input moves (pooling helps for moves smaller than its window);
*consistency* asks whether, after a downsampling by ``s``, the output moves
along with the input as well as a coarser grid allows (anti-aliasing helps).
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from helpers.conv import _as_float_array, _is_int, conv2d, pad2d
from helpers.deform import shift
from helpers.pool import avg_pool2d, max_pool2d

__all__ = [
    "edge_bank",
    "edge_features",
    "blur_kernel",
    "blur_downsample",
    "DOWNSAMPLERS",
    "downsample",
    "feature_change",
    "shift_consistency",
]


def edge_bank() -> np.ndarray:
    """``(8, 1, 3, 3)``: Sobel edge detectors for 0°, 45°, 90°, 135°, each with both signs."""
    sx = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    diag = np.array([[0.0, 1, 2], [-1, 0, 1], [-2, -1, 0]])
    four = [sx, sx.T, diag, diag[:, ::-1]]
    return np.stack([s * k for k in four for s in (1.0, -1.0)])[:, None]


def _images(x) -> np.ndarray:
    """``(N, H, W)`` or ``(N, 1, H, W)`` images as float64 ``(N, 1, H, W)``."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    x = _as_float_array("images", x)
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or x.shape[1] != 1 or x.size == 0:
        raise ValueError(f"images has shape {x.shape}; expected grayscale (N, H, W) or (N, 1, H, W)")
    return x.astype(np.float64, copy=False)


def edge_features(images, stride: int = 1) -> np.ndarray:
    """``relu(conv2d(x, edge_bank(), padding=1, stride=stride))``: 8 edge maps per image."""
    return np.maximum(conv2d(_images(images), edge_bank(), padding=1, stride=stride), 0.0)


def blur_kernel(size: int = 3) -> np.ndarray:
    """The ``(size, size)`` binomial blur, rows of Pascal's triangle, summing to 1 (size 1..7)."""
    if not _is_int(size) or not 1 <= size <= 7:
        raise ValueError(f"size={size!r} is not allowed: expected an int from 1 to 7")
    row = np.array([1.0])
    for _ in range(size - 1):
        row = np.convolve(row, [1.0, 1.0])
    k = np.outer(row, row)
    return k / k.sum()


def blur_downsample(x, stride: int = 2, size: int = 3) -> np.ndarray:
    """Anti-aliased downsampling (BlurPool): low-pass each channel, then keep every ``stride``-th pixel.

    The blur is :func:`blur_kernel` with reflect padding ``(size - 1) // 2``
    on the left/top and ``size // 2`` on the right/bottom (Zhang's
    ``Downsample`` layer), applied to each channel separately (a depthwise
    convolution), then subsampled with ``stride``.

    Shape:
        ``(N, C, H, W) -> (N, C, ceil(H / stride), ceil(W / stride))``
    """
    x = _as_float_array("x", x)
    if x.ndim != 4 or x.size == 0:
        raise ValueError(f"x has shape {x.shape}; expected a non-empty (N, C, H, W) array")
    if not _is_int(stride) or stride < 1:
        raise ValueError(f"stride={stride!r} is not allowed: expected an int >= 1")
    k = blur_kernel(size)
    C = x.shape[1]
    lo, hi = (size - 1) // 2, size // 2
    mode = "reflect" if max(lo, hi) < min(x.shape[-2:]) else "replicate"
    xp = pad2d(x, (lo, hi, lo, hi), mode) if size > 1 else x
    return conv2d(xp, np.repeat(k[None, None], C, axis=0).astype(x.dtype), stride=stride, groups=C)


#: name -> what it does, for the notebook's table. Every one halves the resolution of the edge maps.
DOWNSAMPLERS: dict[str, str] = {
    "max pool": "edge maps -> 2x2 max pooling, stride 2",
    "avg pool": "edge maps -> 2x2 average pooling, stride 2",
    "strided conv": "edge detectors with stride 2 (= edge maps subsampled, 下采样)",
    "blur pool": "edge maps -> binomial 3x3 blur -> keep every 2nd pixel (anti-aliased)",
    "max-blur pool": "edge maps -> 2x2 max, stride 1 -> blur -> keep every 2nd pixel (Zhang 2019)",
}


def downsample(images, method: str) -> np.ndarray:
    """The edge maps of ``images`` at half resolution, by one of :data:`DOWNSAMPLERS`.

    Shape:
        ``(N, H, W)`` (or ``(N, 1, H, W)``) ``-> (N, 8, H/2, W/2)`` for even ``H, W``.
    """
    if method not in DOWNSAMPLERS:
        raise ValueError(f"method={method!r} is not allowed: expected one of {', '.join(map(repr, DOWNSAMPLERS))}")
    if method == "strided conv":
        return edge_features(images, stride=2)
    h = edge_features(images)
    if method == "max pool":
        return max_pool2d(h, 2)
    if method == "avg pool":
        return avg_pool2d(h, 2)
    if method == "blur pool":
        return blur_downsample(h, 2)
    # max-blur pool: a dense max (stride 1, one extra row/column of -inf-free edge padding), then blur + subsample
    hp = pad2d(h, (0, 1, 0, 1), "replicate")
    return blur_downsample(max_pool2d(hp, 2, stride=1), 2)


def _per_image_norm(a: np.ndarray) -> np.ndarray:
    return np.sqrt((a.reshape(len(a), -1) ** 2).sum(axis=1))


def feature_change(features: Callable[[np.ndarray], np.ndarray], images, transform: Callable,
                   amounts) -> np.ndarray:
    """Invariance: mean over images of ``‖f(T_a x) − f(x)‖ / ‖f(x)‖`` for each amount ``a``.

    Args:
        features: maps a batch ``(N, H, W)`` to features ``(N, ...)``.
        images: ``(N, H, W)`` real images.
        transform: ``transform(images, a)`` returns the moved or deformed batch,
            e.g. ``lambda x, a: helpers.deform.shift(x, 0, a)``.
        amounts: the amounts to try (0 gives 0).

    Returns:
        ``(len(amounts),)``: 0 means the features did not change; 1 means the
        change is as large as the features themselves. Images whose features
        are all zero are left out.
    """
    x = _images(images)[:, 0]
    base = np.asarray(features(x), dtype=np.float64)
    scale = _per_image_norm(base)
    keep = scale > 1e-12
    out = []
    for a in amounts:
        moved = np.asarray(features(np.asarray(transform(x, a))), dtype=np.float64)
        if moved.shape != base.shape:
            raise ValueError(f"features of the transformed images have shape {moved.shape}, not {base.shape}")
        out.append(float((_per_image_norm(moved - base)[keep] / scale[keep]).mean()))
    return np.array(out)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    den = np.sqrt((a * a).sum(1) * (b * b).sum(1))
    return (a * b).sum(1) / np.maximum(den, 1e-12)


def shift_consistency(down: Callable[[np.ndarray], np.ndarray], images, shifts=(1, 2, 3, 4),
                      stride: int = 2) -> np.ndarray:
    """Consistency of a downsampling ``D`` (by ``stride``) under input shifts, averaged over images.

    For each shift ``δ`` (down and, separately, right; zeros fill in), the
    output of the shifted images ``D(T_δ x)`` is compared with the output of
    the original images moved by a whole number of output pixels,
    ``T_m D(x)``, for the two nearest ``m = ⌊δ/s⌋`` and ``⌈δ/s⌉``; the
    better cosine similarity counts. 1 means the output followed the input
    exactly; a shift by a multiple of ``s`` can always reach 1, a shift in
    between is where downsamplers differ.

    Returns:
        ``(len(shifts),)`` mean cosine similarities in ``[-1, 1]`` (``[0, 1]`` for non-negative maps).
    """
    if not _is_int(stride) or stride < 1:
        raise ValueError(f"stride={stride!r} is not allowed: expected an int >= 1")
    shifts = list(shifts)
    if not shifts or not all(isinstance(d, numbers.Integral) and d >= 0 for d in shifts):
        raise ValueError(f"shifts={shifts!r} is not allowed: expected non-negative ints")
    x = _images(images)[:, 0]
    base = down(x)
    out = []
    for d in shifts:
        scores = []
        for dy, dx in ((d, 0), (0, d)):
            moved = down(shift(x, dy, dx))
            best = None
            for m in sorted({d // stride, -(-d // stride)}):
                aligned = shift(base, m if dy else 0, m if dx else 0)
                c = _cosine(moved, aligned)
                best = c if best is None else np.maximum(best, c)
            scores.append(best)
        out.append(float(np.mean(scores)))
    return np.array(out)
