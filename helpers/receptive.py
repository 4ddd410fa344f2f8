"""Receptive fields (感受野) of a stack of convolutions, computed two independent ways.

A unit of layer ``L`` depends on a window of the input. This module computes it

* **in closed form**, with the classic recursion over the layers (Araujo, Norris
  & Sim, "Computing receptive fields of convolutional neural networks",
  Distill 2019). With ``r`` the field size, ``j`` the jump (the distance in
  input pixels between neighbouring units) and ``start`` the input coordinate of
  the first pixel that unit 0 sees, a layer with kernel ``k``, stride ``s``,
  padding ``p`` and dilation ``d`` gives

  .. math::
      r_l = r_{l-1} + d_l (k_l - 1)\\, j_{l-1}, \\qquad
      j_l = j_{l-1}\\, s_l, \\qquad
      \\text{start}_l = \\text{start}_{l-1} - p_l\\, j_{l-1},

  from ``r_0 = j_0 = 1`` and ``start_0 = 0``. Unit ``i`` of layer ``L`` sees the
  input pixels ``start_L + i j_L`` to ``start_L + i j_L + r_L - 1``;
* **by index arithmetic** (:func:`footprint`): the exact set of input pixels,
  with the number of paths that reach each one, pushed back layer by layer
  (numpy only, positions outside a layer's real units dropped);
* **with autograd** (:func:`gradient_field`): the gradient of that output unit
  with respect to the input, in a torch stack whose weights are all ones. It is
  the number of paths, so it equals :func:`footprint` exactly.

The window is the bounding box of the field; with dilation, or a stride larger
than the kernel, the field has holes inside its window. Layers act on both
axes alike (square kernels), so a 2-D field is the outer product of two 1-D ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from helpers.args import as_int, not_allowed
from helpers.conv import conv_output_size

__all__ = [
    "ConvSpec",
    "FieldStats",
    "uniform_stack",
    "field_stats",
    "receptive_field_size",
    "output_sizes",
    "input_window",
    "footprint_1d",
    "footprint",
    "conv_stack",
    "gradient_field",
]


@dataclass(frozen=True)
class ConvSpec:
    """One convolution layer (square kernel), with torch's argument names.

    Example:
        >>> ConvSpec(3, stride=2).effective_kernel_size
        3
        >>> ConvSpec(3, dilation=2).effective_kernel_size   # k + (k-1)(d-1)
        5
    """

    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    def __post_init__(self):
        as_int("kernel_size", self.kernel_size, 1)
        as_int("stride", self.stride, 1)
        as_int("padding", self.padding, 0)
        as_int("dilation", self.dilation, 1)

    @property
    def effective_kernel_size(self) -> int:
        """The input span of one (dilated) kernel: ``d (k - 1) + 1``."""
        return self.dilation * (self.kernel_size - 1) + 1


@dataclass(frozen=True)
class FieldStats:
    """The recursion's state after a layer: field size, jump, and start (input coordinate)."""

    size: int
    jump: int
    start: int


def _as_specs(layers) -> list[ConvSpec]:
    if isinstance(layers, ConvSpec):
        layers = [layers]
    try:
        specs = list(layers)
    except TypeError:
        raise ValueError(f"layers={layers!r} is not allowed: expected a list of ConvSpec") from None
    for k, s in enumerate(specs):
        if not isinstance(s, ConvSpec):
            raise ValueError(f"layers[{k}]={s!r} is not allowed: expected a ConvSpec")
    return specs


def uniform_stack(n_layers: int, kernel_size: int, stride: int = 1, padding: int | str = 0,
                  dilation: int = 1) -> list[ConvSpec]:
    """``n_layers`` identical layers, arguments in :class:`ConvSpec`'s (and torch's) order.

    ``padding="same"`` pads ``d (k - 1) // 2`` (the size is kept at stride 1 for odd kernels);
    ``"valid"`` means 0.

    Example:
        >>> [s.padding for s in uniform_stack(2, 5, padding="same")]
        [2, 2]
    """
    as_int("n_layers", n_layers, 1)
    as_int("kernel_size", kernel_size, 1)
    as_int("dilation", dilation, 1)
    if padding == "same":
        padding = dilation * (kernel_size - 1) // 2
    elif padding == "valid":
        padding = 0
    elif isinstance(padding, str):
        raise not_allowed("padding", padding, "an int >= 0, 'valid' or 'same'")
    return [ConvSpec(kernel_size, stride, padding, dilation) for _ in range(n_layers)]


def field_stats(layers) -> list[FieldStats]:
    """The recursion, layer by layer: ``[input, after layer 1, ..., after layer L]``.

    Example (two 3x3 convolutions see 5x5, three see 7x7, as VGG argues):
        >>> [f.size for f in field_stats(uniform_stack(3, 3))]
        [1, 3, 5, 7]
    """
    stats = [FieldStats(1, 1, 0)]
    for s in _as_specs(layers):
        prev = stats[-1]
        stats.append(FieldStats(
            size=prev.size + (s.effective_kernel_size - 1) * prev.jump,
            jump=prev.jump * s.stride,
            start=prev.start - s.padding * prev.jump,
        ))
    return stats


def receptive_field_size(layers) -> int:
    """The field size ``r_L`` of the last layer (along one axis)."""
    return field_stats(layers)[-1].size


def output_sizes(n: int, layers) -> list[int]:
    """Feature-map sizes ``[n, n_1, ..., n_L]`` along one axis.

    Raises:
        ValueError: when some layer's kernel does not fit its (padded) input.
    """
    sizes = [as_int("n", n, 1)]
    for k, s in enumerate(_as_specs(layers), start=1):
        try:
            sizes.append(conv_output_size(sizes[-1], s.kernel_size, s.stride, s.padding, s.dilation))
        except ValueError as e:
            raise ValueError(f"layer {k} does not fit its input of size {sizes[-1]}: {e}") from None
    return sizes


def input_window(layers, index: int) -> tuple[int, int]:
    """First and last input coordinate (inclusive) of the window of output unit ``index``.

    Coordinates may fall outside the input (in the padding); clip them to
    ``[0, n - 1]`` for the pixels that exist.

    Example:
        >>> input_window(uniform_stack(2, 3, stride=2), 1)   # r = 7, j = 4
        (4, 10)
    """
    as_int("index", index, 0)
    last = field_stats(layers)[-1]
    first = last.start + index * last.jump
    return first, first + last.size - 1


def footprint_1d(n: int, layers, index: int) -> np.ndarray:
    """How many paths join input pixel ``x`` (``0 <= x < n``) to output unit ``index``.

    Index arithmetic only: start from the one output unit and push the counts
    back through each layer, ``x = u s - p + m d`` for ``m = 0 .. k - 1``,
    keeping only the positions that are real units of the layer below (a
    padded position carries no input). Nonzero entries are the receptive field.

    Raises:
        ValueError: when the stack does not fit ``n``, or ``index`` is not an output unit.
    """
    specs = _as_specs(layers)
    sizes = output_sizes(n, specs)
    as_int("index", index, 0)
    if index >= sizes[-1]:
        raise ValueError(f"index={index} is not allowed: the output has {sizes[-1]} units (0 .. {sizes[-1] - 1})")
    counts = np.zeros(sizes[-1], dtype=np.int64)
    counts[index] = 1
    for s, n_below in zip(reversed(specs), reversed(sizes[:-1])):
        below = np.zeros(n_below, dtype=np.int64)
        units = np.nonzero(counts)[0]
        for m in range(s.kernel_size):
            x = units * s.stride - s.padding + m * s.dilation
            ok = (x >= 0) & (x < n_below)
            np.add.at(below, x[ok], counts[units[ok]])
        counts = below
    return counts


def footprint(n: int, layers, unit: tuple[int, int]) -> np.ndarray:
    """The 2-D receptive field of output unit ``(row, col)`` on an ``n x n`` input: path counts.

    The outer product of :func:`footprint_1d` along the rows and the columns.
    """
    if not (isinstance(unit, (tuple, list)) and len(unit) == 2):
        raise ValueError(f"unit={unit!r} is not allowed: expected a (row, col) pair of ints")
    return np.outer(footprint_1d(n, layers, unit[0]), footprint_1d(n, layers, unit[1]))


def conv_stack(layers, dtype=None):
    """A ``torch.nn.Sequential`` of 1-channel ``Conv2d`` layers with all weights 1 and no bias."""
    import torch

    specs = _as_specs(layers)
    convs = [torch.nn.Conv2d(1, 1, s.kernel_size, stride=s.stride, padding=s.padding, dilation=s.dilation,
                             bias=False, dtype=dtype or torch.float64) for s in specs]
    with torch.no_grad():
        for c in convs:
            c.weight.fill_(1.0)
    return torch.nn.Sequential(*convs)


@functools.lru_cache(maxsize=64)
def _cached_stack(layers: tuple[ConvSpec, ...], device: str):
    """:func:`conv_stack` built once per stack and device (widgets ask for the same stack many times)."""
    return conv_stack(layers).to(device)


def gradient_field(n: int, layers, unit: tuple[int, int], device=None) -> np.ndarray:
    """``d out[row, col] / d input`` for the all-ones stack of :func:`conv_stack`, as an ``(n, n)`` array.

    Every weight is 1, so each path contributes exactly 1: the gradient counts
    the paths and equals :func:`footprint` (an independent computation).
    """
    import torch

    sizes = output_sizes(n, layers)
    if not (isinstance(unit, (tuple, list)) and len(unit) == 2):
        raise ValueError(f"unit={unit!r} is not allowed: expected a (row, col) pair of ints")
    for name, v in zip(("row", "col"), unit):
        as_int(name, v, 0)
        if v >= sizes[-1]:
            raise ValueError(f"{name}={v} is not allowed: the output is {sizes[-1]}x{sizes[-1]} (0 .. {sizes[-1] - 1})")
    model = _cached_stack(tuple(_as_specs(layers)), str(device or "cpu"))
    x = torch.zeros(1, 1, n, n, dtype=torch.float64, device=device or "cpu", requires_grad=True)
    y = model(x)
    (grad,) = torch.autograd.grad(y[0, 0, unit[0], unit[1]], x)
    return grad[0, 0].cpu().numpy()
