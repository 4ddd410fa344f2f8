"""Boundary conditions (边界条件): padding modes compared, and partial-convolution-based padding.

Padding invents the pixels outside the image. Zero padding (零填充) invents
zeros, so a blur darkens the border; mirror padding (镜像填充, ``reflect``),
``replicate`` and ``circular`` copy image pixels instead. Partial-convolution
based padding (Liu et al. 2018, "Partial Convolution based Padding",
arXiv:1811.11718) pads with zeros but re-weights every window by how much of
it lies inside the image:

.. math::
    y = W^\\top (X \\odot M)\\,\\frac{\\lVert \\mathbf 1 \\rVert_1}{\\lVert M \\rVert_1} + b,

with ``M`` the window of a mask that is 1 on the image and 0 on the padding,
and ``||1||_1 = kH · kW`` the window's size. Inside the image the ratio is 1
and nothing changes; at the border the sum over the real pixels is scaled up
as if the missing ones had the same average. A constant image stays constant
under a kernel whose entries sum to 1, up to the border.

Public surface:

``partial_conv2d``      the padding scheme of Liu et al., with conv2d's arguments
``partial_ratio``       the re-weighting map ``kH·kW / (real pixels in the window)``
``PaddingResult``, ``compare_padding``
                        every padding mode on a crop of a larger image, each
                        compared with the truth that the surrounding pixels give
``plot_padding_comparison``
                        outputs and error maps side by side
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.args import as_int, as_pair
from helpers.conv import PADDING_MODES, conv2d

__all__ = [
    "partial_ratio",
    "partial_conv2d",
    "PaddingResult",
    "compare_padding",
    "PADDING_SCHEMES",
]

#: Every scheme compared: torch's four padding modes and partial convolution.
PADDING_SCHEMES = (*PADDING_MODES, "partial")


def partial_ratio(height: int, width: int, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """``kH·kW / (number of image pixels under the window)`` for every output position.

    0 where a window holds no image pixel at all (the paper's mask update clamps
    such outputs to 0). Shape ``(H_out, W_out)``.
    """
    kh, kw = as_pair("kernel_size", kernel_size, minimum=1)
    mask = np.ones((1, 1, height, width))
    count = conv2d(mask, np.ones((1, 1, kh, kw)), stride=stride, padding=padding, dilation=dilation)[0, 0]
    count = np.rint(count)  # exact small integers
    return np.divide(kh * kw, count, out=np.zeros_like(count), where=count > 0)


def partial_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """Convolution with partial-convolution-based padding (Liu et al. 2018).

    Arguments as :func:`helpers.conv.conv2d` (zero padding underneath). The
    bias is added after the re-weighting, as in the paper's reference code.

    Shape:
        as :func:`helpers.conv.conv2d`.

    Example:
        >>> out = partial_conv2d(np.ones((5, 5)), np.full((3, 3), 1 / 9), padding=1)
        >>> bool(np.allclose(out, 1.0))   # a constant image is left unchanged, border included
        True
    """
    raw = conv2d(x, weight, None, stride, padding, dilation, groups)  # zero padding
    w = np.asarray(weight)
    kh, kw = w.shape[-2:]
    H, W = np.asarray(x).shape[-2:]
    ratio = partial_ratio(H, W, (kh, kw), stride, padding, dilation)
    out = raw * ratio
    if bias is not None:
        b = np.asarray(bias, dtype=out.dtype)
        if out.ndim != 4 or b.shape != (out.shape[1],):
            raise ValueError(f"bias has shape {b.shape}; expected ({out.shape[1] if out.ndim == 4 else 1},) "
                             f"with 4-D x and weight")
        out = out + b[:, None, None] * (ratio > 0)  # no output (and no bias) where the window saw no pixel
    return out


@dataclass
class PaddingResult:
    """One padding scheme on a crop: its output, the truth, and how far it is off at the border."""

    scheme: str
    output: np.ndarray
    error: np.ndarray  # |output - truth|
    border_error: float  # mean |error| over the border band
    interior_error: float  # max |error| away from the border (0 for every scheme)


def compare_padding(image, kernel, top: int, left: int, size: int) -> dict[str, PaddingResult]:
    """Filter a ``size x size`` crop of ``image`` with every padding scheme, same size out.

    The crop sits inside a larger image, so the right answer at the crop's
    border is known: it is what the kernel gives with the real neighbouring
    pixels. Each scheme's output is compared with that truth; its error lives
    in the border band of width ``p = (k - 1) / 2`` and is zero inside.

    Args:
        image: a 2-D image larger than the crop.
        kernel: an odd square kernel (k x k).
        top, left: the crop's corner; the crop plus a margin of p must fit in ``image``.
        size: the crop's side.
    """
    image = np.asarray(image, dtype=np.float64)
    k = np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image has shape {image.shape}; expected a 2-D image")
    if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] % 2 == 0:
        raise ValueError(f"kernel has shape {k.shape}; expected an odd square kernel (3x3, 5x5, ...)")
    p = k.shape[0] // 2
    top, left, size = as_int("top", top, 0), as_int("left", left, 0), as_int("size", size, 1)
    H, W = image.shape
    if not (top >= p and left >= p and top + size + p <= H and left + size + p <= W and size > 2 * p):
        raise ValueError(
            f"the crop top={top}, left={left}, size={size} is not allowed: with a margin of {p} it must lie in "
            f"the {H}x{W} image, and size must exceed {2 * p}"
        )
    crop = image[top: top + size, left: left + size]
    truth = conv2d(image[top - p: top + size + p, left - p: left + size + p], k)
    band = np.ones((size, size), dtype=bool)
    band[p: size - p, p: size - p] = False
    results = {}
    for scheme in PADDING_SCHEMES:
        if scheme == "partial":
            out = partial_conv2d(crop, k, padding=p)
        else:
            out = conv2d(crop, k, padding=p, padding_mode=scheme)
        err = np.abs(out - truth)
        results[scheme] = PaddingResult(scheme, out, err, float(err[band].mean()), float(err[~band].max()))
    return results


