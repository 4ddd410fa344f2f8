"""Shifts, rotations, noise and small deformations of images, for the invariance experiments.

Every function acts on the last two axes, so it takes one image ``(H, W)``, a batch ``(N, H, W)`` or
``(N, C, H, W)``. It returns the same type it was given (a numpy array or a torch tensor, on the same
device) and never changes its input. Random ones take a ``seed`` and give the same result every run.

>>> import numpy as np
>>> x = np.arange(9.0).reshape(3, 3)
>>> shift(x, 1, 0)            # down by one row; the vacated row is filled with 0
array([[0., 0., 0.],
       [0., 1., 2.],
       [3., 4., 5.]])
>>> roll(x, 0, 1)[0]          # circular: what leaves on the right comes back on the left
array([2., 0., 1.])
"""

from __future__ import annotations

import numpy as np
import torch

from helpers.args import as_float, as_int, not_allowed, one_of

__all__ = [
    "elastic",
    "gaussian_noise",
    "roll",
    "rotate",
    "salt_and_pepper",
    "shift",
    "lit",
    "NOISE_KINDS",
    "perturb",
]


def _as_numpy(x, name: str = "x"):
    """(array, back) where ``back`` turns a numpy result into the caller's type."""
    if isinstance(x, torch.Tensor):
        if x.dim() < 2:
            raise ValueError(f"{name} has shape {tuple(x.shape)}; expected at least 2 dimensions (..., H, W)")
        dtype, device = x.dtype, x.device
        arr = x.detach().cpu().numpy()
        return arr, lambda a: torch.as_tensor(np.ascontiguousarray(a), device=device).to(dtype)
    arr = np.asarray(x)
    if arr.ndim < 2:
        raise ValueError(f"{name} has shape {arr.shape}; expected at least 2 dimensions (..., H, W)")
    if not np.issubdtype(arr.dtype, np.number):
        raise not_allowed(name, f"<array of dtype {arr.dtype}>", "an array of numbers")
    dtype = arr.dtype
    return arr, lambda a: np.asarray(a).astype(dtype, copy=False)


def shift(x, dy: int, dx: int, fill: float = 0.0):
    """Move the image ``dy`` pixels down and ``dx`` pixels right; vacated pixels get ``fill``."""
    dy, dx = as_int("dy", dy), as_int("dx", dx)
    arr, back = _as_numpy(x)
    h, w = arr.shape[-2:]
    out = np.full_like(arr, fill)
    if abs(dy) < h and abs(dx) < w:
        src_r, dst_r = slice(max(0, -dy), h - max(0, dy)), slice(max(0, dy), h - max(0, -dy))
        src_c, dst_c = slice(max(0, -dx), w - max(0, dx)), slice(max(0, dx), w - max(0, -dx))
        out[..., dst_r, dst_c] = arr[..., src_r, src_c]
    return back(out)


def roll(x, dy: int, dx: int):
    """Circular shift: pixels that leave one side come back on the other (no border effects)."""
    dy, dx = as_int("dy", dy), as_int("dx", dx)
    arr, back = _as_numpy(x)
    return back(np.roll(arr, (dy, dx), axis=(-2, -1)))


def rotate(x, degrees: float):
    """Rotate counter-clockwise by ``degrees`` about the image centre (bilinear, zeros outside)."""
    from scipy import ndimage  # here, not at the top: scipy takes half a second to import

    degrees = as_float("degrees", degrees)
    arr, back = _as_numpy(x)
    out = ndimage.rotate(arr.astype(np.float64), float(degrees), axes=(-1, -2), reshape=False, order=1,
                         mode="constant", cval=0.0)
    return back(out)


def gaussian_noise(x, sigma: float, seed: int = 0):
    """Add independent Gaussian noise of standard deviation ``sigma`` to every pixel (no clipping)."""
    sigma = as_float("sigma", sigma, 0)
    seed = as_int("seed", seed, 0)
    arr, back = _as_numpy(x)
    rng = np.random.default_rng(seed)
    return back(arr + sigma * rng.standard_normal(arr.shape))


def salt_and_pepper(x, amount: float, seed: int = 0, low: float = 0.0, high: float = 1.0):
    """Set a fraction ``amount`` of the pixels to ``low`` or ``high`` (half each, at random)."""
    amount = as_float("amount", amount, 0, 1)
    seed = as_int("seed", seed, 0)
    arr, back = _as_numpy(x)
    rng = np.random.default_rng(seed)
    hit = rng.random(arr.shape) < amount
    salt = rng.random(arr.shape) < 0.5
    out = arr.astype(np.float64, copy=True)
    out[hit & salt] = high
    out[hit & ~salt] = low
    return back(out)


def elastic(x, alpha: float, sigma: float = 4.0, seed: int = 0):
    """A small smooth random deformation (Simard, Steinkraus & Platt, 2003).

    Each pixel moves by a random displacement field smoothed with a Gaussian of width ``sigma``
    and scaled so that ``alpha`` is the typical displacement in pixels. One field per image; the
    channels of an image move together.
    """
    from scipy import ndimage

    alpha = as_float("alpha", alpha, 0)
    sigma = as_float("sigma", sigma, 0, open_low=True)  # the smoothness of the displacement field
    seed = as_int("seed", seed, 0)
    arr, back = _as_numpy(x)
    h, w = arr.shape[-2:]
    if arr.ndim == 2:
        images = arr[None, None]
    elif arr.ndim == 3:
        images = arr[:, None]
    else:
        images = arr.reshape(-1, *arr.shape[-3:])
    rng = np.random.default_rng(seed)
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    out = np.empty(images.shape, dtype=np.float64)
    for i, image in enumerate(images):
        field = [ndimage.gaussian_filter(rng.uniform(-1, 1, (h, w)), sigma, mode="constant") for _ in range(2)]
        scale = alpha / max(np.sqrt(np.mean(field[0] ** 2 + field[1] ** 2)), 1e-12)
        coords = [rows + scale * field[0], cols + scale * field[1]]
        for c, channel in enumerate(image):
            out[i, c] = ndimage.map_coordinates(channel.astype(np.float64), coords, order=1, mode="constant")
    return back(out.reshape(arr.shape))


def lit(image: np.ndarray, gain: float = 1.0, gradient: float = 0.0) -> np.ndarray:
    """The image under other light: multiplied by ``gain`` and by a left-to-right ramp.

    The ramp goes from ``1 - gradient`` on the left to 1 on the right
    (``gradient`` in [0, 1)), a light source off to the right.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image has shape {image.shape}; expected a grayscale (H, W) image")
    gain = as_float("gain", gain, 0, open_low=True)
    gradient = as_float("gradient", gradient, 0, 1, open_high=True)
    ramp = np.linspace(1.0 - gradient, 1.0, image.shape[1])
    return image * gain * ramp[None, :]


NOISE_KINDS = ("none", "salt and pepper", "gaussian")


def perturb(image, dy: int = 0, dx: int = 0, angle: float = 0.0, noise: str = "none", level: float = 0.0,
            alpha: float = 0.0, seed: int = 0):
    """A digit (or a batch) distorted, rotated, shifted and made noisy, in that order; clipped to [0, 1].

    Args:
        image: ``(H, W)``, ``(N, H, W)`` or ``(N, C, H, W)``, numpy or torch, pixels in [0, 1].
        dy, dx: shift down and right, in whole pixels (vacated pixels are background), as in :func:`shift`.
        angle: counter-clockwise rotation about the centre, in degrees.
        noise: ``"none"``, ``"salt and pepper"`` (``level`` = fraction of pixels set to 0 or 1)
            or ``"gaussian"`` (``level`` = standard deviation).
        alpha: typical displacement of the elastic distortion, in pixels (0 = none).
        seed: the noise's and the distortion's random seed.

    Returns:
        The same type and shape as ``image``.

    Raises:
        ValueError: naming the argument, when a value is out of range.
    """
    h, w = np.shape(image)[-2:]
    dy, dx = as_int("dy", dy, 1 - h, h - 1), as_int("dx", dx, 1 - w, w - 1)  # smaller than the image
    angle = as_float("angle", angle)
    one_of("noise", noise, NOISE_KINDS)
    level = as_float("level", level, 0.0, 1.0 if noise == "salt and pepper" else np.inf)
    alpha = as_float("alpha", alpha, 0.0, 10.0)
    seed = as_int("seed", seed, 0)
    x = image
    if alpha > 0:
        x = elastic(x, alpha, sigma=4.0, seed=seed)
    if angle != 0:
        x = rotate(x, angle)
    if dx or dy:
        x = shift(x, dy, dx)
    if noise == "salt and pepper" and level > 0:
        x = salt_and_pepper(x, level, seed=seed)
    elif noise == "gaussian" and level > 0:
        x = gaussian_noise(x, level, seed=seed)
    return x.clamp(0, 1) if isinstance(x, torch.Tensor) else np.clip(x, 0, 1)
