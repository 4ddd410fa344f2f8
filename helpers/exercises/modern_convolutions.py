"""Checkers for the exercises of ``07_modern_convolutions.ipynb``.

References come from :mod:`helpers.receptive` (tested against torch autograd) and from the
parameters of real ``torch.nn.Conv2d`` modules; they are never shown.
"""

from __future__ import annotations

import numpy as np
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
    output_sizes,
    receptive_field_size,
)

__all__ = ["FIELD_STACK", "check_stack_fields", "check_vgg_parameters", "check_dilations",
           "check_separable_parameters"]

#: Exercise 1's stack: (name, kernel size, stride, dilation) per layer.
FIELD_STACK = (
    ("conv 3x3", 3, 1, 1),
    ("conv 3x3, dilation 2", 3, 1, 2),
    ("max-pool 2x2, stride 2", 2, 2, 1),
    ("conv 3x3", 3, 1, 1),
    ("conv 3x3, dilation 2", 3, 1, 2),
)


#: What the answers must not call: the library's own field recursion, counting and layers.
FORBID_FIELDS = ("helpers.receptive", "helpers.erf", "torch.nn", "torch.autograd")
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


# ------------------------------------------------------------------ exercise 2: 3x3 stack vs 7x7
def _vgg_reference(channels: int) -> tuple[int, int]:
    three = nn.Sequential(*[nn.Conv2d(channels, channels, 3, device="meta") for _ in range(3)])
    one = nn.Conv2d(channels, channels, 7, device="meta")
    return count_parameters(three), count_parameters(one)


@graded
def check_vgg_parameters(vgg_parameters) -> CheckReport:
    """``vgg_parameters(C)`` -> (parameters of three 3x3 layers, of one 7x7 layer), C → C channels, with biases."""
    edge = [Case((1,), label="one channel"), Case((3,), label="C = 3"), Case((64,), label="C = 64"),
            Case((512,), label="C = 512, as VGG's last blocks")]

    def random_case(rng):
        return Case((int(rng.integers(2, 300)),), label="random")

    return check(vgg_parameters, _vgg_reference, cases=edge, random_case=random_case, n_random=10,
                 forbid=FORBID_COUNTS,
                 hint="a k×k layer from C to C channels has k·k·C·C weights and C biases; the stack has three "
                      "such layers. Return (stack, one 7x7) in that order.",
                 name="vgg_parameters")


# ------------------------------------------------------------------ exercise 3: dilations without holes
def _layers(dilations) -> list[ConvSpec]:
    return [ConvSpec(3, dilation=int(d)) for d in dilations]


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
    """``choose_dilations()`` -> three dilations for three 3x3 layers: field >= 15 and no holes."""
    properties = [
        ("three dilations, each a whole number >= 1",
         lambda d: isinstance(d, (tuple, list)) and len(d) == 3 and all(is_int(v) and v >= 1 for v in d)),
        ("no dilation above 16 (keep the stack small)", lambda d: max(d) <= 16),
        ("the field of the stack is at least 15 x 15", lambda d: receptive_field_size(_layers(d)) >= 15),
        ("the exact footprint has no holes (every pixel of the field is seen)", _no_holes),
    ]
    return check_properties(choose_dilations, properties,
                            hint="with dilations that all share a factor (2, 2, 2) only every second pixel is "
                                 "reached; start with dilation 1 and let each layer fill the gaps the others leave.",
                            name="choose_dilations")


# ------------------------------------------------------------------ exercise 4: depthwise separable
def _separable_reference(c_in: int, c_out: int, k: int) -> tuple[int, int]:
    depthwise = nn.Conv2d(c_in, c_in, k, groups=c_in, bias=False, device="meta")
    pointwise = nn.Conv2d(c_in, c_out, 1, bias=False, device="meta")
    standard = nn.Conv2d(c_in, c_out, k, bias=False, device="meta")
    return count_parameters(depthwise) + count_parameters(pointwise), count_parameters(standard)


@graded
def check_separable_parameters(separable_parameters) -> CheckReport:
    """``separable_parameters(c_in, c_out, k)`` -> (depthwise + pointwise weights, standard k×k weights), no biases."""
    edge = [
        Case((32, 64, 3), label="MobileNet's second layer"),
        Case((3, 8, 5), label="more output than input channels"),
        Case((16, 4, 3), label="fewer output than input channels"),
        Case((1, 1, 1), label="one channel, 1x1"),
        Case((96, 96, 7), label="ConvNeXt-T's first stage, 7x7"),
    ]

    def random_case(rng):
        return Case((int(rng.integers(1, 200)), int(rng.integers(1, 200)), int(rng.choice([1, 3, 5, 7]))),
                    label="random")

    return check(separable_parameters, _separable_reference, cases=edge, random_case=random_case, n_random=15, forbid=FORBID_COUNTS,
                 hint="the depthwise layer has one k×k kernel per input channel; the pointwise layer is a 1x1 "
                      "convolution from c_in to c_out channels. Return (separable, standard).",
                 name="separable_parameters")
