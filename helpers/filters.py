"""Classic 3x3 kernels (卷积核): what each one does to a photograph.

Each preset is a small, well-known image-processing filter, written for
cross-correlation (as :func:`helpers.conv.conv2d` and torch compute it):
``sobel_x`` responds positively where brightness grows to the right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.args import one_of
from helpers.conv import conv2d

__all__ = [
    "PRESETS",
    "kernel_preset",
    "FilterResult",
    "filter_image",
]

_THIRD = 1.0 / 9.0

#: name -> (3x3 kernel as nested lists, one-line description)
PRESETS: dict[str, tuple[list[list[float]], str]] = {
    "identity": ([[0, 0, 0], [0, 1, 0], [0, 0, 0]], "copies the input: the output equals the input"),
    "box blur": ([[_THIRD] * 3] * 3, "mean of the 3x3 neighbourhood: smooths"),
    "gaussian": ([[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
                 "weighted mean, centre heaviest: smooths with fewer artefacts"),
    "sharpen": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "input plus its negative Laplacian: stronger edges"),
    "sobel x": ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "horizontal gradient: vertical edges light up"),
    "sobel y": ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "vertical gradient: horizontal edges light up"),
    "laplacian": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "second derivative: edges and fine detail, zero on flat areas"),
    "emboss": ([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], "directional relief: looks lit from the bottom right"),
}


def kernel_preset(name: str) -> np.ndarray:
    """A new float64 (3, 3) array for the preset ``name`` (one of ``PRESETS``).

    Example:
        >>> kernel_preset("sobel x")
        array([[-1.,  0.,  1.],
               [-2.,  0.,  2.],
               [-1.,  0.,  1.]])
    """
    one_of("name", name, tuple(PRESETS))
    return np.array(PRESETS[name][0], dtype=np.float64)


@dataclass
class FilterResult:
    """What the kernel explorer shows: the feature map and its colour limits, or a message."""

    output: np.ndarray | None
    clim: tuple[float, float]
    message: str = ""


def filter_image(image: np.ndarray, kernel) -> FilterResult:
    """Filter a grayscale image with a 3x3 kernel, the same size out (mirror padding).

    The output is ``conv2d(image, kernel, padding=1, padding_mode="reflect")``:
    a cross-correlation, as in torch. For a kernel whose entries sum to about
    zero (an edge detector) the colour limits are symmetric around 0, so that
    mid-grey means "no response"; otherwise they span the output's 0.5–99.5
    percentiles.

    Never raises for a bad kernel: returns ``output=None`` and a message.

    Example:
        >>> image = np.arange(16.0).reshape(4, 4)
        >>> bool(np.array_equal(filter_image(image, kernel_preset("identity")).output, image))
        True
        >>> filter_image(image, [[1, 2], [3, 4]]).message
        'The kernel must be 3×3 numbers (got (2, 2)).'
    """
    k = np.asarray(kernel, dtype=np.float64) if _is_numeric(kernel) else None
    if k is None or k.shape != (3, 3):
        shape = None if k is None else k.shape
        return FilterResult(None, (0.0, 1.0), f"The kernel must be 3×3 numbers (got {shape}).")
    if not np.all(np.isfinite(k)):
        return FilterResult(None, (0.0, 1.0), "Every kernel entry must be a finite number.")
    out = conv2d(image, k, padding=1, padding_mode="reflect")
    if abs(k.sum()) < 1e-9:
        m = float(np.percentile(np.abs(out), 99.5)) or 1.0
        clim = (-m, m)
    else:
        lo, hi = (float(v) for v in np.percentile(out, [0.5, 99.5]))
        clim = (lo, hi) if hi > lo else (lo - 0.5, lo + 0.5)
    return FilterResult(out, clim)


def _is_numeric(kernel) -> bool:
    try:
        return np.asarray(kernel).dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False
