"""Sample images that ship inside the dependencies: nothing is downloaded.

``photograph()`` is the portrait of Grace Hopper in matplotlib's sample data
(``mpl-data/sample_data/grace_hopper.jpg``), a real photograph with edges,
texture and smooth regions: good for seeing what a kernel does.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["photograph", "downsample"]


def downsample(image: np.ndarray, factor: int) -> np.ndarray:
    """Shrink the first two axes by an integer ``factor``, averaging each block (area resampling)."""
    if not isinstance(factor, int) or factor < 1:
        raise ValueError(f"factor={factor!r} is not allowed: expected an int >= 1")
    image = np.asarray(image, dtype=np.float64)
    if image.ndim not in (2, 3):
        raise ValueError(f"image has shape {image.shape}; expected (H, W) or (H, W, C)")
    H, W = image.shape[:2]
    if factor > min(H, W):
        raise ValueError(f"factor={factor} is not allowed for an image of size {H}x{W}: at most {min(H, W)}")
    h, w = H // factor, W // factor
    blocks = image[: h * factor, : w * factor].reshape(h, factor, w, factor, *image.shape[2:])
    return blocks.mean(axis=(1, 3))


@lru_cache(maxsize=None)
def _hopper() -> np.ndarray:
    import matplotlib.cbook as cbook
    import matplotlib.image as mimage

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    rgb = mimage.imread(path).astype(np.float64) / 255.0  # (600, 512, 3), values in [0, 1]
    rgb.setflags(write=False)
    return rgb


def photograph(gray: bool = True, factor: int = 2) -> np.ndarray:
    """A real photograph as floats in [0, 1] (Grace Hopper, from matplotlib's sample data).

    Args:
        gray: return ``(H, W)`` luminance (ITU-R BT.601 weights) instead of ``(H, W, 3)`` RGB.
        factor: integer downsampling factor; 1 gives the full 600x512 image,
            the default 2 gives 300x256, quick enough for live widgets.

    Returns:
        A new array (changing it does not change later calls).
    """
    rgb = _hopper()
    image = rgb @ np.array([0.299, 0.587, 0.114]) if gray else rgb
    return downsample(image, factor) if factor > 1 else image.copy()
