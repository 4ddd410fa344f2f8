r"""Equivariance (等变表示) and invariance (不变表示) of convolution, measured.

A map ``f`` is **equivariant** to a transformation ``g`` when transforming the
input transforms the output in a matching way, ``f(ρ_g(x)) = ρ'_g(f(x))``; it is
**invariant** when the output does not change, ``f(ρ_g(x)) = f(x)``.
A convolution is equivariant to shifts: ``conv(shift(x)) = shift(conv(x))``,
except where the border (padding) enters, when the stride skips the shift,
and it is not equivariant to rotations (unless its kernel is symmetric).

``conv_same``                 one 2-D convolution of a single image (numpy, torch semantics)
``interior_mask``             the pixels at least ``margin`` away from every border
``shift_equivariance``        ``|conv(T x) - T'(conv x)|`` with its norms inside and at the border
``rotation_equivariance_error``  the same for rotations, inside a central disc
``pooled_features``           conv -> ReLU -> pooling features of a batch (torch)
``invariance_curves``         relative change of those features as the input shifts
``recover_shift``             the shift that best maps one feature map onto another
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from helpers.args import as_float_array, as_int, is_int, not_allowed, one_of
from helpers.checks import rel_change
from helpers.conv import PADDING_MODES, conv2d, pad2d
from helpers.deform import roll, rotate, shift
from helpers.pool import avg_pool2d, max_pool2d

__all__ = [
    "POOLINGS",
    "conv_same",
    "interior_mask",
    "EquivarianceResult",
    "shift_equivariance",
    "rotation_equivariance_error",
    "pooled_features",
    "invariance_curve",
    "invariance_curves",
    "recover_shift",
    "edge_bank",
    "edge_features",
    "blur_kernel",
    "blur_downsample",
    "downsample",
    "feature_change",
    "shift_consistency",
]


def _as_kernel(kernel) -> np.ndarray:
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] % 2 == 0:
        raise ValueError(f"kernel has shape {k.shape}; expected an odd square (k, k) array")
    return k


def _as_image(image) -> np.ndarray:
    x = np.asarray(image, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"image has shape {x.shape}; expected a grayscale (H, W) image")
    return x


def conv_same(image, kernel, stride: int = 1, padding_mode: str = "zeros") -> np.ndarray:
    """``conv2d`` of one ``(H, W)`` image with an odd ``(k, k)`` kernel, padded by ``k // 2`` (size kept at stride 1).

    Example (shift, then filter = filter, then shift):
        >>> from helpers.deform import shift
        >>> x = np.zeros((7, 7)); x[2, 2] = 1.0
        >>> k = np.arange(9.0).reshape(3, 3)
        >>> bool(np.array_equal(conv_same(shift(x, 1, 2), k), shift(conv_same(x, k), 1, 2)))
        True
    """
    k = _as_kernel(kernel)
    x = _as_image(image)
    return conv2d(x[None, None], k[None, None], stride=stride, padding=k.shape[0] // 2,
                  padding_mode=padding_mode)[0, 0]


def interior_mask(shape: tuple[int, int], margin: int) -> np.ndarray:
    """Boolean mask of the pixels at least ``margin`` away from every border.

    Example:
        >>> interior_mask((4, 5), 1).astype(int)
        array([[0, 0, 0, 0, 0],
               [0, 1, 1, 1, 0],
               [0, 1, 1, 1, 0],
               [0, 0, 0, 0, 0]])
    """
    margin = as_int("margin", margin, 0)
    H, W = shape
    mask = np.zeros((H, W), dtype=bool)
    if 2 * margin < H and 2 * margin < W:
        mask[margin:H - margin, margin:W - margin] = True
    return mask


@dataclass
class EquivarianceResult:
    """What the shift experiment measured.

    ``transformed_then_conv`` is ``conv(T x)``, ``conv_then_transformed`` is
    ``T'(conv x)`` with the output shift ``out_shift`` (the input shift divided by
    the stride); ``error`` is their absolute difference. ``interior`` marks the
    output pixels that no border effect can reach; the norms are Euclidean.
    ``exact_shift`` is False when the stride does not divide the shift (then no
    output shift matches and ``out_shift`` is the nearest one).
    """

    transformed_then_conv: np.ndarray
    conv_then_transformed: np.ndarray
    error: np.ndarray
    interior: np.ndarray
    out_shift: tuple[int, int]
    exact_shift: bool
    norm: float
    interior_norm: float
    border_norm: float
    relative: float


def shift_equivariance(image, kernel, dy: int, dx: int, stride: int = 1, padding_mode: str = "zeros",
                       circular_shift: bool = False) -> EquivarianceResult:
    """Measure ``‖conv(shift(x)) − shift(conv(x))‖`` for one image and one kernel.

    Args:
        image: ``(H, W)``; kernel: odd ``(k, k)``.
        dy, dx: the input shift in pixels (down, right).
        stride: the convolution's stride; the output is shifted by ``round(dy / stride)``.
        padding_mode: one of ``helpers.conv.PADDING_MODES``.
        circular_shift: shift with wrap-around (:func:`helpers.deform.roll`) instead of
            filling with zeros (:func:`helpers.deform.shift`). With ``padding_mode="circular"``
            and a stride that divides both the shift and the image size, the error is then zero everywhere.

    The interior (no border effect possible) is at least ``k // 2 + |shift|`` input
    pixels from every border, divided by the stride (rounded up) on the output.
    """
    x = _as_image(image)
    k = _as_kernel(kernel)
    dy, dx, stride = as_int("dy", dy), as_int("dx", dx), as_int("stride", stride, 1)
    one_of("padding_mode", padding_mode, PADDING_MODES)
    move = roll if circular_shift else shift
    out_shift = (int(round(dy / stride)), int(round(dx / stride)))
    exact = dy % stride == 0 and dx % stride == 0
    a = conv_same(move(x, dy, dx), k, stride, padding_mode)
    b = move(conv_same(x, k, stride, padding_mode), *out_shift)
    err = np.abs(a - b)
    margin = k.shape[0] // 2 + max(abs(dy), abs(dx))
    interior = interior_mask(err.shape, -(-margin // stride))
    norm = float(np.linalg.norm(err))
    return EquivarianceResult(
        transformed_then_conv=a, conv_then_transformed=b, error=err, interior=interior,
        out_shift=out_shift, exact_shift=exact, norm=norm,
        interior_norm=float(np.linalg.norm(err[interior])),
        border_norm=float(np.linalg.norm(err[~interior])),
        relative=rel_change(a, b),
    )


def rotation_equivariance_error(image, kernel, degrees: float) -> float:
    """Relative error ``‖conv(rot x) − rot(conv x)‖ / ‖rot(conv x)‖`` inside the central disc.

    Uses :func:`helpers.deform.rotate` (bilinear). The disc stays clear of the
    corners, which a rotation moves out of the image, and of the padded border.
    """
    x = _as_image(image)
    k = _as_kernel(kernel)
    a = conv_same(rotate(x, degrees), k)
    b = rotate(conv_same(x, k), degrees)
    H, W = x.shape
    yy, xx = np.mgrid[:H, :W]
    radius = min(H, W) / 2 - k.shape[0] - 2
    disc = (yy - (H - 1) / 2) ** 2 + (xx - (W - 1) / 2) ** 2 <= radius ** 2
    return rel_change(a[disc], b[disc])


#: The poolings that :func:`pooled_features` knows, from none to global.
POOLINGS = ("none", "max 2x2", "max 4x4", "global average", "global max")


def _feature_maps(images, kernels):
    """``relu(conv(x))`` of a batch ``(N, H, W)`` with ``(C, k, k)`` kernels, zero-padded by ``k // 2`` (torch, float64)."""
    import torch
    import torch.nn.functional as F

    x = torch.as_tensor(np.asarray(images, dtype=np.float64))
    if x.ndim != 3:
        raise ValueError(f"images has shape {tuple(x.shape)}; expected (N, H, W)")
    w = torch.as_tensor(np.asarray(kernels, dtype=np.float64))
    if w.ndim != 3 or w.shape[1] != w.shape[2] or w.shape[1] % 2 == 0:
        raise ValueError(f"kernels has shape {tuple(w.shape)}; expected (C, k, k) with k odd")
    return F.relu(F.conv2d(x[:, None], w[:, None], padding=w.shape[1] // 2))


def _pool(h, pooling: str):
    """Pool ``(N, C, H, W)`` feature maps as named in :data:`POOLINGS`, flattened to ``(N, features)``."""
    import torch.nn.functional as F

    if pooling == "max 2x2":
        h = F.max_pool2d(h, 2)
    elif pooling == "max 4x4":
        h = F.max_pool2d(h, 4)
    elif pooling == "global average":
        h = h.mean(dim=(2, 3))
    elif pooling == "global max":
        h = h.amax(dim=(2, 3))
    return h.reshape(h.shape[0], -1)


def pooled_features(images, kernels, pooling: str):
    """``pooling(relu(conv(x)))`` of a batch ``(N, H, W)``, flattened to ``(N, features)`` (torch, float64).

    Args:
        images: ``(N, H, W)`` array or tensor.
        kernels: ``(C, k, k)`` odd kernels; the convolution pads by ``k // 2`` with zeros.
        pooling: one of :data:`POOLINGS`.
    """
    one_of("pooling", pooling, POOLINGS)
    return _pool(_feature_maps(images, kernels), pooling)


def invariance_curves(images, kernels, shifts, poolings=POOLINGS) -> dict[str, np.ndarray]:
    """For each pooling, the mean relative change ``‖f(shift(x)) − f(x)‖ / ‖f(x)‖`` at each horizontal shift.

    ``f`` is :func:`pooled_features`; the shift fills with zeros
    (:func:`helpers.deform.shift`). 0 means invariant; about 1 or more means the
    features changed completely. The measure is
    :func:`helpers.equivariance.feature_change`, the one notebook 04 uses.
    """
    for p in poolings:
        one_of("pooling", p, POOLINGS)
    images = np.asarray(images, dtype=np.float64)

    def move(x, s):
        return shift(x, 0, int(s))

    return {p: feature_change(lambda x, p=p: pooled_features(x, kernels, p).numpy(), images, move, shifts)
            for p in poolings}


def invariance_curve(images, kernels, pooling: str, shifts) -> np.ndarray:
    """:func:`invariance_curves` for one pooling."""
    one_of("pooling", pooling, POOLINGS)
    return invariance_curves(images, kernels, shifts, [pooling])[pooling]


def recover_shift(before, after, max_shift: int) -> tuple[int, int]:
    """The ``(dy, dx)``, ``|dy|, |dx| <= max_shift``, that minimises ``‖shift(before, dy, dx) − after‖``.

    ``before`` and ``after`` are ``(..., H, W)`` feature maps. On an equivariant
    representation the input's shift can be read off this way; on an invariant one
    (nothing spatial left) it cannot. Ties go to the smallest shift.
    """
    max_shift = as_int("max_shift", max_shift, 0)
    a, b = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    if a.shape != b.shape or a.ndim < 2:
        raise ValueError(f"before has shape {a.shape} and after {b.shape}; expected equal (..., H, W) shapes")
    candidates = sorted(((dy, dx) for dy in range(-max_shift, max_shift + 1) for dx in range(-max_shift, max_shift + 1)),
                        key=lambda t: (abs(t[0]) + abs(t[1]), t))
    errors = [np.linalg.norm(shift(a, dy, dx) - b) for dy, dx in candidates]
    return candidates[int(np.argmin(errors))]


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
    x = as_float_array("images", x)
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or x.shape[1] != 1 or x.size == 0:
        raise ValueError(f"images has shape {x.shape}; expected grayscale (N, H, W) or (N, 1, H, W)")
    return x.astype(np.float64, copy=False)


def edge_features(images, stride: int = 1) -> np.ndarray:
    """``relu(conv2d(x, edge_bank(), padding=1, stride=stride))``: 8 edge maps per image."""
    return np.maximum(conv2d(_images(images), edge_bank(), padding=1, stride=stride), 0.0)


def blur_kernel(size: int = 3) -> np.ndarray:
    """The ``(size, size)`` binomial blur, rows of Pascal's triangle, summing to 1 (size 1..7).

    Example:
        >>> blur_kernel(3) * 16
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])
    """
    size = as_int("size", size, 1, 7)
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
    x = as_float_array("x", x)
    if x.ndim != 4 or x.size == 0:
        raise ValueError(f"x has shape {x.shape}; expected a non-empty (N, C, H, W) array")
    stride = as_int("stride", stride, 1)
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
    one_of("method", method, tuple(DOWNSAMPLERS))
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
    stride = as_int("stride", stride, 1)
    shifts = list(shifts)
    if not shifts or not all(is_int(d) and d >= 0 for d in shifts):
        raise not_allowed("shifts", shifts, "a non-empty list of ints >= 0")
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
