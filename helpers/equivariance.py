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

import numbers
from dataclasses import dataclass

import numpy as np

from helpers.conv import PADDING_MODES, conv2d
from helpers.deform import roll, rotate, shift
from helpers.shift_consistency import feature_change

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
    """``conv2d`` of one ``(H, W)`` image with an odd ``(k, k)`` kernel, padded by ``k // 2`` (size kept at stride 1)."""
    k = _as_kernel(kernel)
    x = _as_image(image)
    return conv2d(x[None, None], k[None, None], stride=stride, padding=k.shape[0] // 2,
                  padding_mode=padding_mode)[0, 0]


def interior_mask(shape: tuple[int, int], margin: int) -> np.ndarray:
    """Boolean mask of the pixels at least ``margin`` away from every border."""
    if not isinstance(margin, numbers.Integral) or margin < 0:
        raise ValueError(f"margin={margin!r} is not allowed: expected an int >= 0")
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
    for name, v in (("dy", dy), ("dx", dx)):
        if not isinstance(v, numbers.Integral) or isinstance(v, bool):
            raise ValueError(f"{name}={v!r} is not allowed: expected an int")
    if not isinstance(stride, numbers.Integral) or isinstance(stride, bool) or stride < 1:
        raise ValueError(f"stride={stride!r} is not allowed: expected an int >= 1")
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode={padding_mode!r} is not allowed: expected one of "
                         f"{', '.join(map(repr, PADDING_MODES))}")
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
        relative=norm / max(float(np.linalg.norm(b)), 1e-12),
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
    return float(np.linalg.norm((a - b)[disc]) / max(np.linalg.norm(b[disc]), 1e-12))


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


def _check_pooling(pooling) -> None:
    if pooling not in POOLINGS:
        raise ValueError(f"pooling={pooling!r} is not allowed: expected one of {', '.join(map(repr, POOLINGS))}")


def pooled_features(images, kernels, pooling: str):
    """``pooling(relu(conv(x)))`` of a batch ``(N, H, W)``, flattened to ``(N, features)`` (torch, float64).

    Args:
        images: ``(N, H, W)`` array or tensor.
        kernels: ``(C, k, k)`` odd kernels; the convolution pads by ``k // 2`` with zeros.
        pooling: one of :data:`POOLINGS`.
    """
    _check_pooling(pooling)
    return _pool(_feature_maps(images, kernels), pooling)


def invariance_curves(images, kernels, shifts, poolings=POOLINGS) -> dict[str, np.ndarray]:
    """For each pooling, the mean relative change ``‖f(shift(x)) − f(x)‖ / ‖f(x)‖`` at each horizontal shift.

    ``f`` is :func:`pooled_features`; the shift fills with zeros
    (:func:`helpers.deform.shift`). 0 means invariant; about 1 or more means the
    features changed completely. The measure is
    :func:`helpers.shift_consistency.feature_change`, the one notebook 04 uses.
    """
    for p in poolings:
        _check_pooling(p)
    images = np.asarray(images, dtype=np.float64)

    def move(x, s):
        return shift(x, 0, int(s))

    return {p: feature_change(lambda x, p=p: pooled_features(x, kernels, p).numpy(), images, move, shifts)
            for p in poolings}


def invariance_curve(images, kernels, pooling: str, shifts) -> np.ndarray:
    """:func:`invariance_curves` for one pooling."""
    _check_pooling(pooling)
    return invariance_curves(images, kernels, shifts, [pooling])[pooling]


def recover_shift(before, after, max_shift: int) -> tuple[int, int]:
    """The ``(dy, dx)``, ``|dy|, |dx| <= max_shift``, that minimises ``‖shift(before, dy, dx) − after‖``.

    ``before`` and ``after`` are ``(..., H, W)`` feature maps. On an equivariant
    representation the input's shift can be read off this way; on an invariant one
    (nothing spatial left) it cannot. Ties go to the smallest shift.
    """
    if not isinstance(max_shift, numbers.Integral) or max_shift < 0:
        raise ValueError(f"max_shift={max_shift!r} is not allowed: expected an int >= 0")
    a, b = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    if a.shape != b.shape or a.ndim < 2:
        raise ValueError(f"before has shape {a.shape} and after {b.shape}; expected equal (..., H, W) shapes")
    candidates = sorted(((dy, dx) for dy in range(-max_shift, max_shift + 1) for dx in range(-max_shift, max_shift + 1)),
                        key=lambda t: (abs(t[0]) + abs(t[1]), t))
    errors = [np.linalg.norm(shift(a, dy, dx) - b) for dy, dx in candidates]
    return candidates[int(np.argmin(errors))]
