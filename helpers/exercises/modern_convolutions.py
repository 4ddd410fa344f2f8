"""Checkers for the exercises of ``07_modern_convolutions.ipynb``.

References come from :mod:`helpers.receptive` (tested against torch autograd), from the
parameters and output sizes of real ``torch.nn.Conv2d`` modules; they are never shown.
The design task (exercise 5) is graded in tiers: a valid design, then its weights against the
fewest the instructor found.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import nn

from helpers.args import is_int
from helpers.counting import count_parameters
from helpers.exercises.framework import (
    Case,
    CheckReport,
    check,
    check_properties,
    graded,
)
from helpers.receptive import (
    ConvSpec,
    field_stats,
    footprint,
    gradient_field,
    output_sizes,
    receptive_field_size,
)

__all__ = ["FIELD_STACK", "DILATION_KERNELS", "DILATION_FIELD", "DESIGN_FIELD", "DESIGN_CHANNELS",
           "check_stack_fields", "check_stack_vs_single", "check_dilations", "check_separable_cost",
           "check_design_field", "check_design_weights"]

#: Exercise 1's stack: (name, kernel size, stride, dilation) per layer.
FIELD_STACK = (
    ("conv 3x3", 3, 1, 1),
    ("conv 3x3, dilation 2", 3, 1, 2),
    ("max-pool 2x2, stride 2", 2, 2, 1),
    ("conv 3x3", 3, 1, 1),
    ("conv 3x3, dilation 2", 3, 1, 2),
)


#: What the answers must not call: the library's own field recursion, footprints (and the widget that
#: shows them), counting and layers.
FORBID_FIELDS = ("helpers.receptive", "helpers.erf", "helpers.figures.modern_convolutions", "torch.nn",
                 "torch.autograd")
FORBID_COUNTS = ("helpers.counting", "torch.nn")


# ------------------------------------------------------------------ exercise 1: fields by hand
def _fields_reference() -> list[int]:
    return [f.size for f in field_stats([ConvSpec(k, s, 0, d) for _, k, s, d in FIELD_STACK])[1:]]


@graded
def check_stack_fields(stack_fields) -> CheckReport:
    """``stack_fields()`` -> the field size after each layer of :data:`FIELD_STACK`, a list of 5 ints."""
    return check(stack_fields, lambda: _fields_reference(), cases=[Case((), label="the stack of exercise 1")],
                 forbid=FORBID_FIELDS,
                 hint="keep the field r and the jump j: a layer adds d·(k − 1)·j, then j is multiplied by its "
                      "stride. After the pooling layer every step counts twice.",
                 name="stack_fields")


# ------------------------------------------------------------------ exercise 2: a 3x3 stack against one large kernel
def _stack_vs_single_reference(n: int, c_in: int, c_out: int) -> tuple[int, int]:
    stack = nn.Sequential(*[nn.Conv2d(c_in if i == 0 else c_out, c_out, 3, device="meta") for i in range(n)])
    single = nn.Conv2d(c_in, c_out, receptive_field_size([ConvSpec(3)] * n), device="meta")  # the same field
    return count_parameters(stack), count_parameters(single)


def _random_stack_vs_single(rng: np.random.Generator) -> Case:
    return Case((int(rng.integers(1, 9)), int(rng.integers(1, 300)), int(rng.integers(1, 300))), label="random")


@graded
def check_stack_vs_single(stack_vs_single) -> CheckReport:
    """``stack_vs_single(n, c_in, c_out)`` -> (parameters of n 3x3 layers, of one layer with the same field), biases in."""
    edge = [Case((1, 8, 8), label="one 3x3 layer against itself"),
            Case((3, 64, 64), label="three 3x3 against one 7x7, with biases"),
            Case((2, 3, 64), label="an RGB input: the first layer has 3 input channels"),
            Case((4, 128, 32), label="fewer output than input channels"),
            Case((6, 1, 1), label="one channel")]
    return check(stack_vs_single, _stack_vs_single_reference, cases=edge, random_case=_random_stack_vs_single,
                 n_random=12, forbid=FORBID_COUNTS + FORBID_FIELDS,
                 hint="the first 3x3 layer maps c_in to c_out channels, the others c_out to c_out; each layer has "
                      "k·k·(input channels)·c_out weights and c_out biases. n 3x3 layers see 2n + 1 pixels, so the "
                      "single layer has a (2n + 1)x(2n + 1) kernel. Return (stack, single).",
                 name="stack_vs_single")


# ------------------------------------------------------------------ exercise 3: dilations without holes
#: Exercise 3: the kernel sizes of the three layers (stride 1), and the field they must reach.
DILATION_KERNELS, DILATION_FIELD = (5, 3, 3), 29


def _layers(dilations) -> list[ConvSpec]:
    return [ConvSpec(k, dilation=int(d)) for k, d in zip(DILATION_KERNELS, dilations)]


def _no_holes(dilations) -> bool:
    layers = _layers(dilations)
    r = receptive_field_size(layers)
    n = r + 4
    m = output_sizes(n, layers)[-1]
    seen = footprint(n, layers, (m // 2, m // 2))  # the exact footprint, by index arithmetic
    rows, cols = np.nonzero(seen)
    return bool(np.all(seen[rows.min():rows.max() + 1, cols.min():cols.max() + 1] > 0))


@graded
def check_dilations(choose_dilations) -> CheckReport:
    """``choose_dilations()`` -> dilations for a 5x5, a 3x3 and a 3x3 layer: field >= 29 and no holes."""
    properties = [
        ("three dilations, each a whole number >= 1",
         lambda d: isinstance(d, (tuple, list)) and len(d) == 3 and all(is_int(v) and v >= 1 for v in d)),
        ("no dilation above 16 (keep the stack small)", lambda d: max(d) <= 16),
        (f"the field of the stack is at least {DILATION_FIELD} x {DILATION_FIELD}",
         lambda d: receptive_field_size(_layers(d)) >= DILATION_FIELD),
        ("the exact footprint has no holes (every pixel of the field is seen)", _no_holes),
    ]
    return check_properties(choose_dilations, properties, forbid=FORBID_FIELDS,
                            hint="a layer keeps the footprint free of holes when its dilation is at most the width "
                                 "of the footprint below it; a wider gap leaves pixels that no path reaches.",
                            name="choose_dilations")


# ------------------------------------------------------------------ exercise 4: a separable layer's cost
def _conv_cost(conv: nn.Conv2d, size: int) -> tuple[int, int]:
    """(output side, FLOPs) of one conv layer on a ``size x size`` input.

    Torch computes the output side (on a one-channel CPU copy of the layer: the meta device and torch's
    FLOP counter are slow to start); every weight is used once per output pixel, 2 FLOPs per multiply-add.
    """
    probe = nn.Conv2d(1, 1, conv.kernel_size, conv.stride, conv.padding, conv.dilation, bias=False)
    with torch.no_grad():
        m = probe(torch.zeros(1, 1, size, size)).shape[-1]
    return m, 2 * m * m * conv.weight.numel()


def _separable_reference(c_in: int, c_out: int, k: int, size: int, stride: int) -> tuple[int, int]:
    depthwise = nn.Conv2d(c_in, c_in, k, stride, k // 2, groups=c_in, bias=False, device="meta")
    pointwise = nn.Conv2d(c_in, c_out, 1, bias=False, device="meta")
    m, flops_dw = _conv_cost(depthwise, size)
    _, flops_pw = _conv_cost(pointwise, m)
    return count_parameters(depthwise) + count_parameters(pointwise), flops_dw + flops_pw


def _random_separable(rng: np.random.Generator) -> Case:
    return Case((int(rng.integers(1, 200)), int(rng.integers(1, 200)), int(rng.choice([1, 3, 5, 7])),
                 int(rng.integers(7, 120)), int(rng.integers(1, 4))), label="random")


@graded
def check_separable_cost(separable_cost) -> CheckReport:
    """``separable_cost(c_in, c_out, k, size, stride)`` -> (weights, FLOPs) of depthwise k×k (stride) + pointwise 1x1."""
    edge = [
        Case((32, 64, 3, 112, 1), label="MobileNet's first separable layer"),
        Case((64, 128, 3, 112, 2), label="MobileNet's second one, stride 2"),
        Case((16, 4, 5, 9, 1), label="fewer output than input channels, 5x5"),
        Case((8, 8, 3, 15, 2), label="stride 2 on an odd size"),
        Case((96, 96, 7, 56, 3), label="stride 3"),
        Case((1, 1, 1, 1, 1), label="one pixel, one channel"),
    ]
    return check(separable_cost, _separable_reference, cases=edge, random_case=_random_separable, n_random=15,
                 forbid=FORBID_COUNTS + ("torch.utils.flop_counter",),
                 hint="weights: one k×k kernel per input channel, then a 1x1 convolution from c_in to c_out. "
                      "The depthwise layer (padding k // 2) sets the output size m; the pointwise layer works on "
                      "m × m pixels. Each weight is used once per output pixel, and one multiply-add is 2 FLOPs.",
                 name="separable_cost")


# ------------------------------------------------------------------ exercise 5: design a field
#: Exercise 5: the field to reach, the channels of every layer, and the limits of a design.
DESIGN_FIELD, DESIGN_CHANNELS, DESIGN_MAX_FIELD, DESIGN_MAX_LAYERS, DESIGN_MAX_KERNEL = 41, 32, 121, 12, 41
#: The fewest weights the instructor found: four 3x3 layers, 36 C² (why it is the minimum: the solution).
DESIGN_BEST = 36 * DESIGN_CHANNELS ** 2


def _as_design(design) -> tuple[tuple[int, int, int, int], ...] | None:
    """The design as (kernel_size, stride, dilation, padding) tuples of ints, or None when it is not one."""
    if not isinstance(design, (list, tuple)) or not 1 <= len(design) <= DESIGN_MAX_LAYERS:
        return None
    if not all(isinstance(layer, (list, tuple)) and len(layer) == 4 and all(is_int(v) for v in layer)
               for layer in design):
        return None
    return tuple(tuple(int(v) for v in layer) for layer in design)


def _allowed(layers) -> bool:
    return all(k % 2 == 1 and 1 <= k <= DESIGN_MAX_KERNEL and s >= 1 and d >= 1 and p >= 0 for k, s, d, p in layers)


def _span(layers) -> int:
    """How many pixels the stack's window reaches beyond one pixel (the field minus 1, at stride 1)."""
    return sum(d * (k - 1) for k, _, d, _ in layers)


def _keeps_size(layers) -> bool:
    """Stride 1, and torch's stack returns a map as large as its input (checked on two sizes)."""
    if any(s != 1 for _, s, _, _ in layers):
        return False
    stack = nn.Sequential(*[nn.Conv2d(1, 1, k, s, p, d, bias=False) for k, s, d, p in layers])
    with torch.no_grad():
        return all(stack(torch.zeros(1, 1, n, n)).shape[-1] == n for n in (_span(layers) + 8, _span(layers) + 9))


@functools.lru_cache(maxsize=32)
def _measured_field(layers) -> tuple[int, int]:
    """(field side, holes) of the centre output unit, by autograd through an all-ones torch stack."""
    specs = [ConvSpec(k, s, p, d) for k, s, d, p in layers]
    n = _span(layers) + 9  # the centre unit's field fits, with 4 pixels to spare
    paths = gradient_field(n, specs, (n // 2, n // 2))
    rows, cols = np.nonzero(paths)
    box = paths[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    return int(min(box.shape)), int((box == 0).sum())


def _weights(layers) -> int:
    C = DESIGN_CHANNELS
    return count_parameters(nn.Sequential(*[nn.Conv2d(C, C, k, s, p, d, bias=False, device="meta")
                                            for k, s, d, p in layers]))


def _design_properties(within: float | None = None) -> list:
    """The properties of a valid design (in order: each one may assume the ones before), and the weight tier."""
    props = [
        (f"a list of 1 to {DESIGN_MAX_LAYERS} layers, each (kernel_size, stride, dilation, padding) in whole numbers",
         lambda a: _as_design(a) is not None),
        (f"odd kernel sizes from 1 to {DESIGN_MAX_KERNEL}, strides and dilations >= 1, padding >= 0",
         lambda a: _allowed(_as_design(a))),
        (f"a window of at most {DESIGN_MAX_FIELD} pixels", lambda a: 1 + _span(_as_design(a)) <= DESIGN_MAX_FIELD),
        ("stride 1, and the output as large as the input (the stack built in torch)",
         lambda a: _keeps_size(_as_design(a))),
        (f"the centre output sees a field of at least {DESIGN_FIELD}x{DESIGN_FIELD} pixels (autograd)",
         lambda a: _measured_field(_as_design(a))[0] >= DESIGN_FIELD),
        ("every pixel inside that field reaches the centre output: no holes (autograd)",
         lambda a: _measured_field(_as_design(a))[1] == 0),
    ]
    if within is not None:
        what = "as few weights as the best design we found" if within == 1 else \
            f"at most {within:g} times the weights of the best design we found"
        props.append((f"{what} ({DESIGN_CHANNELS} channels, no biases)",
                      lambda a: _weights(_as_design(a)) <= within * DESIGN_BEST))
    return props


DESIGN_HINT = ("a k×k layer from C to C channels costs k·k·C·C weights, wherever its taps are. A layer keeps the "
               "field free of holes when its dilation is at most the width of the field below it.")


@graded
def check_design_field(design_stack) -> CheckReport:
    """``design_stack()`` -> layers (kernel_size, stride, dilation, padding) whose field is >= 41 and has no holes."""
    return check_properties(design_stack, _design_properties(), hint=DESIGN_HINT, name="design_stack",
                            forbid=FORBID_FIELDS)


@graded
def check_design_weights(design_stack, within: float = 1.0) -> CheckReport:
    """The design of :func:`check_design_field`, with at most ``within`` times the fewest weights we found."""
    return check_properties(design_stack, _design_properties(within), hint=DESIGN_HINT, name="design_stack",
                            forbid=FORBID_FIELDS)
