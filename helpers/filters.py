"""Classic 3x3 kernels (卷积核): what each one does to a photograph.

Each preset is a small, well-known image-processing filter, written for
cross-correlation (as :func:`helpers.conv.conv2d` and torch compute it):
``sobel_x`` responds positively where brightness grows to the right.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PRESETS", "kernel_preset"]

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
    """A new float64 (3, 3) array for the preset ``name`` (one of ``PRESETS``)."""
    if name not in PRESETS:
        raise ValueError(f"name={name!r} is not allowed: expected one of {', '.join(map(repr, PRESETS))}")
    return np.array(PRESETS[name][0], dtype=np.float64)
