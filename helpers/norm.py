"""Normalization (归一化) layers in numpy: local contrast, local response, batch, layer, group.

Numpy only, so that torch is an independent oracle in the tests. Layouts are
torch's: ``x`` is ``(N, C, H, W)``.

``gaussian_window``       the normalized Gaussian weighting window ``w_pq`` of LCN
``weighted_local_mean``   each channel's local mean under that window (borders renormalized)
``local_contrast_norm``   Jarrett et al. (2009): subtractive, then divisive, within or across channels
``local_response_norm``   AlexNet's LRN, the numbers of ``torch.nn.functional.local_response_norm``
``batch_norm2d``          batch normalization as a function (updates the running statistics in place)
``BatchNorm2d``           the same as a small layer with train / eval modes, like ``torch.nn.BatchNorm2d``
``layer_norm``, ``group_norm``   the numbers of ``torch.nn.functional.layer_norm`` / ``group_norm``

Local contrast normalization (Jarrett, Kavukcuoglu, Ranzato, LeCun, "What is the best
multi-stage architecture for object recognition?", ICCV 2009, section 2):

.. math::
    v_{ijk} = x_{ijk} - \\sum_{ipq} w_{pq}\\, x_{i, j+p, k+q}, \\qquad
    y_{ijk} = \\frac{v_{ijk}}{\\max(c, \\sigma_{jk})}, \\qquad
    \\sigma_{jk} = \\Big(\\sum_{ipq} w_{pq}\\, v^2_{i, j+p, k+q}\\Big)^{1/2}

with ``w`` a Gaussian window normalized so that ``sum_ipq w_pq = 1`` and ``c``
the mean of ``σ`` over the image.
"""

from __future__ import annotations

import numpy as np

from helpers.args import as_bool, as_float, as_float_array, as_int, is_int, not_allowed
from helpers.conv import conv2d

__all__ = [
    "gaussian_window",
    "weighted_local_mean",
    "local_contrast_norm",
    "local_response_norm",
    "batch_norm2d",
    "BatchNorm2d",
    "layer_norm",
    "group_norm",
]


def _nchw(x, name: str = "x") -> np.ndarray:
    x = as_float_array(name, x)
    if x.ndim != 4 or x.size == 0:
        raise ValueError(f"{name} has shape {x.shape}; expected a non-empty (N, C, H, W) array")
    return x


# --------------------------------------------------------------------------- local contrast normalization
def gaussian_window(size: int = 9, sigma: float = 2.0) -> np.ndarray:
    """A ``(size, size)`` Gaussian window whose entries sum to 1 (``size`` odd)."""
    if as_int("size", size, 1) % 2 == 0:
        raise not_allowed("size", size, "an odd int >= 1")
    sigma = as_float("sigma", sigma, 0, open_low=True)
    r = np.arange(size) - size // 2
    g = np.exp(-(r**2) / (2 * sigma**2))
    w = np.outer(g, g)
    return w / w.sum()


def weighted_local_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted local mean of each channel of ``(N, C, H, W)`` under the odd window ``w``, zero padding, border corrected.

    At the border part of the window falls outside the image; dividing by the
    weight that falls inside (the window convolved with ones) makes it a mean
    of the pixels that exist, as torch7's ``SpatialContrastiveNormalization`` did.
    A separable window (an outer product, like the Gaussian) is applied as a
    column pass and a row pass: ``2k`` multiply-adds per pixel instead of ``k²``.
    """
    N, C, H, W = x.shape
    k = w.shape[0]
    p = k // 2
    flat = x.reshape(N * C, 1, H, W)
    ones = np.ones((1, 1, H, W), dtype=x.dtype)
    col, row = w[:, k // 2], w[k // 2, :]
    if abs(col[k // 2]) > 0 and np.allclose(np.outer(col, row) / col[k // 2], w, rtol=1e-12, atol=1e-15):
        col = col / col[k // 2]

        def smooth(a):
            a = conv2d(a, col[None, None, :, None], padding=(p, 0))
            return conv2d(a, row[None, None, None, :], padding=(0, p))
    else:
        def smooth(a):
            return conv2d(a, w[None, None], padding=p)
    return smooth(flat).reshape(N, C, H, W) / smooth(ones)[0, 0]


def local_contrast_norm(x, size: int = 9, sigma: float = 2.0, across_channels: bool = True,
                        eps: float = 1e-6) -> np.ndarray:
    """Local contrast normalization (LCN, Jarrett et al. 2009): subtractive, then divisive.

    1. **Subtractive**: subtract the Gaussian-weighted local mean,
       ``v = x - sum_ipq w_pq x_(i, j+p, k+q)``.
    2. **Divisive**: divide by the Gaussian-weighted local standard deviation
       ``σ`` of ``v``, but never by less than ``c``, the mean of ``σ`` over the
       image: ``y = v / max(c, σ)``. Dividing by at least ``c`` keeps flat,
       noisy regions from being blown up.

    Scaling the input by any ``a > 0`` and adding any constant ``b`` leaves
    the result unchanged (up to ``eps``): this is the insensitivity to
    illumination (光照不敏感) of the slides.

    Args:
        x: ``(N, C, H, W)``, or ``(C, H, W)``, or a single ``(H, W)`` image.
        size: the window is ``size x size`` (odd; Jarrett et al. use 9).
        sigma: the Gaussian window's standard deviation, in pixels.
        across_channels: True (the paper): the mean and ``σ`` are taken over the
            window *and all channels* (``sum_ipq w_pq = 1``), so features at the
            same place compete. False: each channel is normalized on its own.
        eps: a floor for the divisor, so that a constant image gives 0, not NaN.

    Shape:
        The output has the input's shape.
    """
    x = as_float_array("x", x)
    if x.ndim not in (2, 3, 4) or x.size == 0:
        raise ValueError(f"x has shape {x.shape}; expected a non-empty (N, C, H, W), (C, H, W) or (H, W) array")
    across_channels = as_bool("across_channels", across_channels)
    eps = as_float("eps", eps, 0, open_low=True)
    w = gaussian_window(size, sigma).astype(x.dtype)
    shape = x.shape
    x4 = x.reshape((1,) * (4 - x.ndim) + shape)

    def local_mean(a):  # sum_(i)pq w_pq a_(i, j+p, k+q)
        m = weighted_local_mean(a, w)
        return m.mean(axis=1, keepdims=True) if across_channels else m

    v = x4 - local_mean(x4)
    sigma_map = np.sqrt(np.maximum(local_mean(v * v), 0.0))
    c = sigma_map.mean(axis=(-2, -1), keepdims=True)  # per image (and per channel when within channels)
    return (v / np.maximum(np.maximum(c, sigma_map), eps)).reshape(shape)


# --------------------------------------------------------------------------- local response normalization
def local_response_norm(x, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> np.ndarray:
    r"""Local response normalization across channels (AlexNet), as ``torch.nn.functional.local_response_norm``.

    .. math::
        b_c = a_c \left(k + \frac{\alpha}{n} \sum_{c'=c - \lfloor n/2 \rfloor}^{c + \lceil n/2 \rceil - 1} a_{c'}^2\right)^{-\beta}

    with ``n = size`` and channels outside ``[0, C)`` counting as 0. (AlexNet's
    paper writes ``alpha`` without the ``1/n``; torch divides by ``n``.)

    Args:
        x: ``(N, C, ...)`` with at least 3 axes.
        size: n, the number of neighbouring channels (>= 1).
    """
    x = as_float_array("x", x)
    if x.ndim < 3 or x.size == 0:
        raise ValueError(f"x has shape {x.shape}; expected a non-empty (N, C, H, W) or (N, C, L) array")
    size = as_int("size", size, 1)
    alpha, k = as_float("alpha", alpha, 0), as_float("k", k, 0, open_low=True)
    beta = as_float("beta", beta)
    C = x.shape[1]
    sq = np.zeros((x.shape[0], C + size - 1) + x.shape[2:], dtype=x.dtype)
    sq[:, size // 2: size // 2 + C] = x * x
    csum = np.cumsum(sq, axis=1)
    csum = np.concatenate([np.zeros_like(csum[:, :1]), csum], axis=1)
    window_sum = csum[:, size:size + C] - csum[:, :C]  # sum over channels c - size//2 ... c + (size-1)//2
    return x / (k + alpha / size * window_sum) ** beta


# --------------------------------------------------------------------------- batch normalization
def batch_norm2d(x, running_mean=None, running_var=None, weight=None, bias=None, training: bool = True,
                 momentum: float | None = 0.1, eps: float = 1e-5, num_batches_tracked: int = 0) -> np.ndarray:
    r"""Batch normalization over ``(N, H, W)`` for each channel, as ``torch.nn.functional.batch_norm``.

    Training (``training=True``): normalize with the batch's mean and *biased*
    variance, and update the running statistics **in place** with torch's
    momentum convention,

    .. math::
        \hat\mu \leftarrow (1 - m)\,\hat\mu + m\,\mu_B, \qquad
        \hat\sigma^2 \leftarrow (1 - m)\,\hat\sigma^2 + m\,\tfrac{n}{n-1}\sigma_B^2

    where ``n = N H W`` (the running variance uses the *unbiased* estimate).
    ``momentum`` is the weight of the *new* batch; ``momentum=None`` gives the
    plain average of all batches so far (``m = 1 / num_batches_tracked``,
    counting this one). The d2l book first wrote the opposite convention,
    ``moving = momentum * moving + (1 - momentum) * batch`` with 0.9, and had
    to say so: the same word, the complementary number.

    Evaluation (``training=False``): normalize with the running statistics;
    nothing is updated.

    Args:
        x: ``(N, C, H, W)``.
        running_mean, running_var: ``(C,)`` float arrays, changed in place when
            training; None to use batch statistics only (``track_running_stats=False``).
        weight, bias: the affine ``γ`` and ``β``, ``(C,)``, or None (1 and 0).
        momentum: in ``[0, 1]``, or None.
        num_batches_tracked: batches seen before this one (only used when ``momentum`` is None).

    Returns:
        ``y = γ (x - μ) / sqrt(σ² + eps) + β``, the shape of ``x``.
    """
    x = _nchw(x)
    C = x.shape[1]
    eps = as_float("eps", eps, 0, open_low=True)
    if momentum is not None:
        momentum = as_float("momentum", momentum, 0, 1)
    for name, a in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if a is not None and np.shape(a) != (C,):
            raise ValueError(f"{name} has shape {np.shape(a)}; expected ({C},), one per channel")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must both be arrays or both be None")
    if not training and running_mean is None:
        raise ValueError("training=False needs running_mean and running_var (there are no statistics to use)")

    if training:
        n = x.shape[0] * x.shape[2] * x.shape[3]
        if n < 2:
            raise ValueError(f"x has shape {x.shape}: batch normalization in training needs more than 1 value "
                             f"per channel (N*H*W = {n}), as torch requires")
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))  # biased: used to normalize
        if running_mean is not None:
            for name, a in (("running_mean", running_mean), ("running_var", running_var)):
                if not (isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.flags.writeable):
                    raise ValueError(f"{name} must be a writeable float numpy array (it is updated in place)")
            m = 1.0 / (num_batches_tracked + 1) if momentum is None else momentum
            running_mean *= 1 - m
            running_mean += m * mean
            running_var *= 1 - m
            running_var += m * var * n / (n - 1)  # unbiased
    else:
        mean, var = np.asarray(running_mean, dtype=x.dtype), np.asarray(running_var, dtype=x.dtype)

    y = (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + eps)
    if weight is not None:
        y = y * np.asarray(weight, dtype=x.dtype)[None, :, None, None]
    if bias is not None:
        y = y + np.asarray(bias, dtype=x.dtype)[None, :, None, None]
    return y


class BatchNorm2d:
    """Batch normalization as a layer, with the attributes and modes of ``torch.nn.BatchNorm2d``.

    ``weight`` (γ) starts at 1, ``bias`` (β) at 0, ``running_mean`` at 0,
    ``running_var`` at 1. Call ``.train()`` or ``.eval()`` to switch modes,
    then call the layer on a batch. See :func:`batch_norm2d` for the formulas
    and the momentum convention.

    Example:
        >>> bn = BatchNorm2d(3)
        >>> x = np.stack([np.full((3, 2, 2), 3.0), np.full((3, 2, 2), 7.0)])  # batch mean 5 in every channel
        >>> y = bn(x)
        >>> bn.running_mean   # one step of momentum 0.1 from 0 towards 5
        array([0.5, 0.5, 0.5])
        >>> y[:, 0, 0, 0].round(3)   # normalized: -1 and +1 (up to eps)
        array([-1.,  1.])
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True):
        self.num_features = as_int("num_features", num_features, 1)
        self.eps, self.momentum = as_float("eps", eps, 0, open_low=True), momentum
        if momentum is not None:
            as_float("momentum", momentum, 0, 1)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        self.weight = np.ones(num_features) if affine else None
        self.bias = np.zeros(num_features) if affine else None
        self.running_mean = np.zeros(num_features) if track_running_stats else None
        self.running_var = np.ones(num_features) if track_running_stats else None
        self.num_batches_tracked = 0
        self.training = True

    def train(self, mode: bool = True) -> "BatchNorm2d":
        self.training = bool(mode)
        return self

    def eval(self) -> "BatchNorm2d":
        return self.train(False)

    def __call__(self, x) -> np.ndarray:
        x = _nchw(x)
        if x.shape[1] != self.num_features:
            raise ValueError(f"x has {x.shape[1]} channels (shape {x.shape}); this layer expects {self.num_features}")
        use_batch_stats = self.training or not self.track_running_stats
        y = batch_norm2d(x, self.running_mean, self.running_var, self.weight, self.bias, training=use_batch_stats,
                         momentum=self.momentum, eps=self.eps, num_batches_tracked=self.num_batches_tracked)
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
        return y

    def __repr__(self) -> str:
        return (f"BatchNorm2d({self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats})")


# --------------------------------------------------------------------------- layer and group normalization
def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> np.ndarray:
    """Normalize over the last axes (``normalized_shape``) of each sample, as ``torch.nn.functional.layer_norm``.

    For a CNN, ``normalized_shape = (C, H, W)`` normalizes each image over all
    its channels and positions: no statistics are shared between samples, so
    it works the same for a batch of 1 and in training and evaluation.
    """
    x = as_float_array("x", x)
    shape = (normalized_shape,) if is_int(normalized_shape) else tuple(normalized_shape)
    if (not shape or len(shape) > x.ndim or not all(is_int(s) for s in shape)
            or x.shape[x.ndim - len(shape):] != shape):
        raise not_allowed("normalized_shape", normalized_shape, f"the trailing axes of x (shape {x.shape})")
    eps = as_float("eps", eps, 0, open_low=True)
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    for name, a in (("weight", weight), ("bias", bias)):
        if a is not None and np.shape(a) != shape:
            raise ValueError(f"{name} has shape {np.shape(a)}; expected {shape}")
    if weight is not None:
        y = y * np.asarray(weight, dtype=x.dtype)
    if bias is not None:
        y = y + np.asarray(bias, dtype=x.dtype)
    return y


def group_norm(x, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> np.ndarray:
    """Normalize each group of ``C / num_groups`` channels of each sample, as ``torch.nn.functional.group_norm``.

    ``num_groups=1`` is layer normalization over ``(C, H, W)`` (with a
    per-channel ``γ``, ``β``); ``num_groups=C`` is instance normalization.
    """
    x = as_float_array("x", x)
    if x.ndim < 2 or x.size == 0:
        raise ValueError(f"x has shape {x.shape}; expected a non-empty (N, C, ...) array")
    N, C = x.shape[:2]
    if not is_int(num_groups) or num_groups < 1 or C % num_groups:
        raise not_allowed("num_groups", num_groups, f"an int >= 1 that divides C={C}")
    eps = as_float("eps", eps, 0, open_low=True)
    g = x.reshape(N, num_groups, -1)
    y = ((g - g.mean(axis=2, keepdims=True)) / np.sqrt(g.var(axis=2, keepdims=True) + eps)).reshape(x.shape)
    per_channel = (1, C) + (1,) * (x.ndim - 2)
    for name, a in (("weight", weight), ("bias", bias)):
        if a is not None and np.shape(a) != (C,):
            raise ValueError(f"{name} has shape {np.shape(a)}; expected ({C},), one per channel")
    if weight is not None:
        y = y * np.asarray(weight, dtype=x.dtype).reshape(per_channel)
    if bias is not None:
        y = y + np.asarray(bias, dtype=x.dtype).reshape(per_channel)
    return y
