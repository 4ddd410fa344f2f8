"""The effective receptive field (有效感受野) and the exact footprint of dilated stacks.

The theoretical receptive field (感受野, :mod:`helpers.receptive`) says which input pixels *can*
change one output unit. Luo, Li, Urtasun & Zemel ("Understanding the effective receptive field in
deep convolutional neural networks", NeurIPS 2016) ask how *much* each pixel changes it. The
**effective receptive field** (ERF) of the centre unit is

.. math::
    \\text{ERF}(u, v) = \\mathbb{E}_x \\left| \\frac{\\partial y_\\text{centre}}{\\partial x_{u v}} \\right|,

the mean absolute gradient over many random inputs :math:`x` (here: standard normal), with
:math:`y_\\text{centre}` the sum over channels of the centre unit of the last feature map.
It is roughly Gaussian, much smaller than the theoretical field, and for a stack of ``n`` small
kernels its radius grows like :math:`\\sqrt{n}`, not like ``n``.

This module measures it (:func:`erf_map`), summarises it by its standard deviation σ, the
**effective radius** (:func:`effective_radius`), fits an isotropic Gaussian (:func:`gaussian_fit`),
and fits the power law σ ∝ depth^a (:func:`power_law_exponent`).

For dilated stacks (空洞卷积, Yu & Koltun 2016) it also gives the exact footprint of one unit by
1-D convolution of dilated all-ones kernels (:func:`dilated_footprint`, an independent check of
:func:`helpers.receptive.footprint`), whether it has holes (the gridding artefact, Wang et al.
2018) and the weights of the stack (:func:`stack_summary`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from helpers.args import as_int, not_allowed

__all__ = [
    "random_stack",
    "erf_map",
    "effective_radius",
    "GaussianFit",
    "gaussian_fit",
    "power_law_exponent",
    "dilated_footprint",
    "has_holes",
    "StackSummary",
    "stack_summary",
]


# =========================================================================== the networks we measure
def random_stack(depth: int, kernel_size: int = 3, dilation: int = 1, channels: int = 8, relu: bool = True,
                 seed: int = 0, dtype=torch.float32) -> nn.Sequential:
    """``depth`` convolutions ``1 → C → ... → C`` without padding, each followed by ReLU, freshly initialised.

    He initialisation (normal, for ReLU; He et al. 2015) and zero biases, seeded. No padding: on an input exactly as wide as the field
    the output is one unit, the one whose ERF we measure.

    Example:
        >>> net = random_stack(3, 3, channels=4)
        >>> tuple(net(torch.zeros(1, 1, 7, 7)).shape)    # three 3x3 layers see 7x7
        (1, 4, 1, 1)
    """
    as_int("depth", depth, 1)
    as_int("kernel_size", kernel_size, 1)
    as_int("dilation", dilation, 1)
    as_int("channels", channels, 1)
    gen = torch.random.fork_rng(devices=[])
    with gen:
        torch.manual_seed(seed)
        layers: list[nn.Module] = []
        for i in range(depth):
            conv = nn.Conv2d(1 if i == 0 else channels, channels, kernel_size, dilation=dilation, dtype=dtype)
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
            layers.append(conv)
            if relu:
                layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def erf_map(model: nn.Module, input_size: int, in_channels: int = 1, n_samples: int = 32, inputs=None,
            seed: int = 0) -> np.ndarray:
    """Mean ``|∂ y_centre / ∂ x|`` over random inputs: the effective receptive field, shape ``(H, W)``.

    ``y_centre`` is the centre unit of the model's output map, summed over its channels. One
    backward pass serves the whole batch (the samples do not interact in eval mode). The gradient
    is summed over input channels.

    Args:
        model: maps ``(N, C_in, H, W)`` to ``(N, C, h, w)``; evaluated in eval mode.
        input_size: ``H = W`` of the random inputs.
        n_samples: how many standard-normal inputs to average over (ignored when ``inputs`` is given).
        inputs: a tensor ``(N, C_in, H, W)`` to use instead (real images, for example).
        seed: seeds the random inputs.
    """
    if not isinstance(model, nn.Module):
        raise not_allowed("model", model, "a torch.nn.Module")
    if inputs is None:
        as_int("input_size", input_size, 1)
        as_int("n_samples", n_samples, 1)
        as_int("in_channels", in_channels, 1)
        gen = torch.Generator().manual_seed(seed)
        p = next(iter(model.parameters()), None)
        dtype = p.dtype if p is not None else torch.float32
        x = torch.randn(n_samples, in_channels, input_size, input_size, generator=gen, dtype=dtype)
    else:
        if not isinstance(inputs, torch.Tensor) or inputs.ndim != 4:
            raise not_allowed("inputs", type(inputs).__name__, "a torch tensor of shape (N, C, H, W)")
        x = inputs.detach().clone()
    x.requires_grad_(True)
    was_training = model.training
    model.eval()
    try:
        y = model(x)
    finally:
        model.train(was_training)
    if y.ndim != 4:
        raise ValueError(f"the model's output has shape {tuple(y.shape)}; expected a feature map (N, C, h, w)")
    h, w = y.shape[-2:]
    (grad,) = torch.autograd.grad(y[:, :, h // 2, w // 2].sum(), x)
    return grad.abs().sum(dim=1).mean(dim=0).detach().cpu().double().numpy()


# =========================================================================== summaries of an ERF
def _moments(erf: np.ndarray) -> tuple[float, float, float]:
    """Centroid (row, col) and σ: the root mean squared distance per axis, weighted by the ERF."""
    a = np.asarray(erf, dtype=np.float64)
    if a.ndim != 2 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"erf of shape {a.shape} is not allowed: expected a 2-D array of finite values >= 0")
    total = a.sum()
    if total <= 0:
        raise ValueError("erf is all zeros: no pixel changes the centre unit")
    rows, cols = np.indices(a.shape)
    r0, c0 = (a * rows).sum() / total, (a * cols).sum() / total
    var = (a * ((rows - r0) ** 2 + (cols - c0) ** 2)).sum() / total / 2  # per axis
    return float(r0), float(c0), float(np.sqrt(var))


def effective_radius(erf: np.ndarray) -> float:
    """σ: the standard deviation of the ERF seen as a distribution over pixels, per axis.

    For a Gaussian ERF, σ is its standard deviation; a square of half-width 2σ holds about 91%
    of it (95.4% per axis, squared).

    Example (a 1-D box of 3 pixels has variance 2/3):
        >>> round(effective_radius(np.outer([1, 1, 1], [1, 1, 1])) ** 2, 4)
        0.6667
    """
    return _moments(erf)[2]


@dataclass(frozen=True)
class GaussianFit:
    """An isotropic Gaussian ``amplitude · exp(−d² / 2σ²)`` about ``centre``; ``r2`` is the fit's R²."""

    amplitude: float
    sigma: float
    centre: tuple[float, float]
    r2: float

    def __call__(self, rows, cols) -> np.ndarray:
        d2 = (np.asarray(rows, float) - self.centre[0]) ** 2 + (np.asarray(cols, float) - self.centre[1]) ** 2
        return self.amplitude * np.exp(-d2 / (2 * self.sigma ** 2))


def gaussian_fit(erf: np.ndarray) -> GaussianFit:
    """Least-squares fit of an isotropic Gaussian to the ERF (scipy's ``curve_fit``).

    Starts from the moments (centroid and :func:`effective_radius`). ``r2`` close to 1 means the
    ERF is close to Gaussian.
    """
    from scipy.optimize import curve_fit

    a = np.asarray(erf, dtype=np.float64)
    r0, c0, s0 = _moments(a)
    rows, cols = np.indices(a.shape)
    scale = a.max()

    def model(coords, amp, sigma, rc, cc):
        r, c = coords
        return amp * np.exp(-((r - rc) ** 2 + (c - cc) ** 2) / (2 * sigma ** 2))

    coords = np.vstack([rows.ravel(), cols.ravel()])
    try:
        (amp, sigma, rc, cc), _ = curve_fit(model, coords, a.ravel() / scale, p0=(1.0, max(s0, 0.3), r0, c0),
                                            bounds=([0.0, 0.1, -0.5, -0.5], [np.inf, float(max(a.shape)),
                                                                             a.shape[0] - 0.5, a.shape[1] - 0.5]),
                                            maxfev=2000)
    except (RuntimeError, ValueError):  # no convergence: keep the moments
        amp, sigma, rc, cc = 1.0, s0, r0, c0
    fit = GaussianFit(float(amp * scale), float(abs(sigma)), (float(rc), float(cc)), 0.0)
    resid = a - fit(rows, cols)
    r2 = 1.0 - float((resid ** 2).sum() / ((a - a.mean()) ** 2).sum()) if a.size > 1 and a.std() > 0 else 0.0
    return GaussianFit(fit.amplitude, fit.sigma, fit.centre, r2)


def power_law_exponent(x, y) -> float:
    """The slope ``a`` of the least-squares line through ``(log x, log y)``: ``y ≈ c · x^a``.

    Example:
        >>> round(power_law_exponent([1, 4, 16], [2, 4, 8]), 6)
        0.5
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2 or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError(f"x and y of shapes {x.shape}, {y.shape} are not allowed: "
                         "expected two 1-D lists of at least 2 positive numbers")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# =========================================================================== dilated stacks
def _as_stack(kernel_sizes, dilations) -> tuple[list[int], list[int]]:
    try:
        ks, ds = list(kernel_sizes), list(dilations)
    except TypeError:
        raise not_allowed("kernel_sizes", kernel_sizes, "a list of ints, one per layer") from None
    if not ks:
        raise not_allowed("kernel_sizes", kernel_sizes, "at least one layer")
    if len(ks) != len(ds):
        raise not_allowed("dilations", dilations, f"one dilation per layer ({len(ks)} of them)")
    ks = [as_int(f"kernel_sizes[{i}]", k, 1) for i, k in enumerate(ks)]
    ds = [as_int(f"dilations[{i}]", d, 1) for i, d in enumerate(ds)]
    return ks, ds


def dilated_footprint(kernel_sizes, dilations) -> np.ndarray:
    """Path counts from each pixel of the field to one unit of a stride-1 dilated stack, 2-D.

    Each layer spreads a unit over ``k`` taps ``d`` apart, so along one axis the footprint is the
    convolution of the dilated all-ones kernels ``[1, 0, ..., 0, 1, ...]``; in 2-D it is the outer
    product. Its length is the receptive field ``1 + Σ d (k − 1)``; a zero inside it is a hole.

    Example (three 3x3 layers with dilation 2: the gridding artefact, every other pixel unseen):
        >>> dilated_footprint([3, 3, 3], [2, 2, 2])[0]   # the first row
        array([1, 0, 3, 0, 6, 0, 7, 0, 6, 0, 3, 0, 1])
    """
    ks, ds = _as_stack(kernel_sizes, dilations)
    line = np.ones(1, dtype=np.int64)
    for k, d in zip(ks, ds):
        tap = np.zeros(d * (k - 1) + 1, dtype=np.int64)
        tap[::d] = 1
        line = np.convolve(line, tap)
    return np.outer(line, line)


def has_holes(counts: np.ndarray) -> bool:
    """True when some pixel inside the bounding box of the nonzero counts is zero.

    Example:
        >>> has_holes(dilated_footprint([3, 3, 3], [2, 2, 2])), has_holes(dilated_footprint([3, 3, 3], [1, 2, 5]))
        (True, False)
    """
    c = np.asarray(counts)
    nz = np.nonzero(c)
    if not nz[0].size:
        return False
    box = c[tuple(slice(i.min(), i.max() + 1) for i in nz)]
    return bool(np.any(box == 0))


@dataclass(frozen=True)
class StackSummary:
    """A stride-1 stack of ``C → C`` convolutions: field size, weights, pixels seen and holes."""

    kernel_sizes: tuple[int, ...]
    dilations: tuple[int, ...]
    field: int
    weights: int
    seen: int
    holes: int


def stack_summary(kernel_sizes, dilations, channels: int = 64) -> StackSummary:
    """Field size, number of weights (``Σ k² C²``, no biases), pixels seen and holes of the footprint.

    Example (Yu & Koltun's dilations 1, 2, 4: a 15x15 field with 3 · 9 · C² weights):
        >>> s = stack_summary([3, 3, 3], [1, 2, 4], channels=1)
        >>> s.field, s.weights, s.holes
        (15, 27, 0)
    """
    ks, ds = _as_stack(kernel_sizes, dilations)
    as_int("channels", channels, 1)
    fp = dilated_footprint(ks, ds)
    return StackSummary(tuple(ks), tuple(ds), field=fp.shape[0], weights=sum(k * k for k in ks) * channels ** 2,
                        seen=int(np.count_nonzero(fp)), holes=int(fp.size - np.count_nonzero(fp)))
