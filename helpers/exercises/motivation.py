"""Checkers for the exercises of ``01_motivation.ipynb``.

References come from :mod:`helpers.receptive` (tested against torch autograd) and
from parameter counts of real torch modules; they are never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers.counting import count_parameters
from helpers.exercises.framework import Case, CheckReport, check, graded
from helpers.models.blocks import LocallyConnected2d
from helpers.receptive import ConvSpec, gradient_field, input_window, output_sizes, receptive_field_size

__all__ = ["PREDICT_STACK", "SHIFT_OPS", "ShiftOp", "check_receptive_field", "check_parameter_counts",
           "check_input_window", "check_dilated_field", "check_shift_commutes", "check_equivariant_ops"]

#: The library's own answers: the receptive-field module, torch's layers and the parameter counters.
FORBID_RECEPTIVE = ("helpers.receptive", "torch.nn", "torch.nn.functional", "torch.autograd")
FORBID_COUNTS = ("helpers.counting", "helpers.models.blocks.LocallyConnected2d", "torch.nn", "torch.nn.functional")


# ------------------------------------------------------------------ exercise 1: receptive field size
def _rf_reference(kernel_sizes, strides, dilations) -> int:
    return receptive_field_size([ConvSpec(k, s, 0, d) for k, s, d in zip(kernel_sizes, strides, dilations)])


def _random_stack(rng: np.random.Generator) -> Case:
    L = int(rng.integers(1, 6))
    ks = [int(v) for v in rng.integers(1, 8, L)]
    ss = [int(v) for v in rng.integers(1, 4, L)]
    ds = [int(v) for v in rng.integers(1, 4, L)]
    return Case((ks, ss, ds), label="random")


@graded
def check_receptive_field(receptive_field) -> CheckReport:
    """``receptive_field(kernel_sizes, strides, dilations)``: the field size (one axis) of a conv stack."""
    edge = [
        Case(([3], [1], [1]), label="one 3x3 layer"),
        Case(([3, 3], [1, 1], [1, 1]), label="two 3x3 layers see 5x5 (VGG)"),
        Case(([3, 3, 3], [1, 1, 1], [1, 1, 1]), label="three 3x3 layers see 7x7 (VGG)"),
        Case(([3, 3], [2, 1], [1, 1]), label="a stride-2 first layer"),
        Case(([3, 3], [1, 4], [1, 1]), label="the last layer's stride does not matter"),
        Case(([3], [1], [2]), label="one dilated layer"),
        Case(([5, 2, 5, 2], [1, 2, 1, 2], [1, 1, 1, 1]), label="conv-pool-conv-pool, as LeNet-5"),
        Case(([1, 1], [3, 1], [1, 1]), label="1x1 kernels"),
    ]
    return check(
        receptive_field,
        _rf_reference,
        cases=edge,
        random_case=_random_stack,
        hint="keep two numbers as you go up: the field r and the jump j (product of the strides below); "
             "a layer adds d(k-1) steps of the jump *before* its own stride.",
        name="receptive_field",
        forbid=FORBID_RECEPTIVE
    )


# ------------------------------------------------------------------ exercise 2: parameter counts
def _counts_reference(input_size, in_channels, out_channels, kernel_size) -> tuple[int, int, int]:
    conv = nn.Conv2d(in_channels, out_channels, kernel_size, device="meta")
    local = LocallyConnected2d(in_channels, out_channels, input_size, kernel_size)
    m = local.output_size
    dense = nn.Linear(in_channels * input_size ** 2, out_channels * m * m, device="meta")
    return count_parameters(conv), count_parameters(local), count_parameters(dense)


def _random_layer(rng: np.random.Generator) -> Case:
    n = int(rng.integers(3, 17))
    k = int(rng.integers(1, min(n, 7) + 1))
    return Case((n, int(rng.integers(1, 4)), int(rng.integers(1, 5)), k), label="random")


@graded
def check_parameter_counts(parameter_counts) -> CheckReport:
    """``parameter_counts(input_size, in_channels, out_channels, kernel_size)`` -> (conv, locally connected, dense).

    Valid convolution at stride 1, biases included, as torch counts them.
    """
    edge = [
        Case((32, 1, 6, 5), label="LeNet-5 C1"),
        Case((8, 3, 4, 3), label="three input channels"),
        Case((5, 2, 1, 5), label="kernel as large as the input"),
        Case((6, 1, 1, 1), label="1x1 kernel"),
    ]
    return check(
        parameter_counts,
        _counts_reference,
        cases=edge,
        random_case=_random_layer,
        n_random=15,
        hint="the output is (n-k+1) x (n-k+1); a conv kernel has C_in*k*k weights and 1 bias per output "
             "channel; without sharing each output position has its own; a dense layer connects every input "
             "value to every output value.",
        name="parameter_counts",
        forbid=FORBID_COUNTS
    )


# ------------------------------------------------------------------ exercise 3: the input window
def _window_reference(kernel_sizes, strides, paddings, index) -> tuple[int, int]:
    return input_window([ConvSpec(k, s, p) for k, s, p in zip(kernel_sizes, strides, paddings)], index)


def _random_window(rng: np.random.Generator) -> Case:
    L = int(rng.integers(1, 5))
    ks = [int(v) for v in rng.integers(1, 8, L)]
    ss = [int(v) for v in rng.integers(1, 4, L)]
    ps = [int(v) for v in rng.integers(0, 4, L)]
    return Case((ks, ss, ps, int(rng.integers(0, 10))), label="random")


@graded
def check_input_window(input_window_answer) -> CheckReport:
    """``input_window(kernel_sizes, strides, paddings, index)`` -> (first, last) input pixel of output unit ``index``."""
    edge = [
        Case(([3], [1], [0], 0), label="one layer, first unit"),
        Case(([3], [1], [1], 0), label="'same' padding: the window starts in the padding"),
        Case(([3, 3], [2, 2], [0, 0], 1), label="two stride-2 layers"),
        Case(([5, 2, 5], [1, 2, 1], [2, 0, 0], 3), label="padded conv, pool, conv"),
        Case(([3, 3], [1, 1], [1, 1], 5), label="two padded layers"),
    ]
    return check(
        input_window_answer,
        _window_reference,
        cases=edge,
        random_case=_random_window,
        hint="track start (where unit 0's window begins) with the field size r and jump j: padding p moves the "
             "start back by p jumps of the layer below; unit i begins i*j later; the window holds r pixels.",
        name="input_window",
        forbid=FORBID_RECEPTIVE
    )


# ------------------------------------------------------------------ exercise 4: predict a dilated field
#: Exercise 4's stack, bottom first: (name, kernel size, dilation). Stride 1, no padding.
PREDICT_STACK = (("conv 3x3, dilation 2", 3, 2), ("conv 3x3, dilation 3", 3, 3))


def _dilated_field_reference() -> tuple[int, int]:
    """(field side, pixels seen) of the centre unit of :data:`PREDICT_STACK`, by autograd on an all-ones stack."""
    layers = [ConvSpec(k, 1, 0, d) for _, k, d in PREDICT_STACK]
    n = 2 * receptive_field_size(layers) + 1
    m = output_sizes(n, layers)[-1]
    paths = gradient_field(n, layers, (m // 2, m // 2))  # d(centre output) / d(input), every weight 1
    rows, cols = np.nonzero(paths)
    return int(rows.max() - rows.min() + 1), int(np.count_nonzero(paths))


@graded
def check_dilated_field(predict_field) -> CheckReport:
    """``predict_field()`` -> (field side, input pixels that reach the centre unit) for :data:`PREDICT_STACK`."""
    return check(predict_field, _dilated_field_reference, cases=[Case((), label="conv 3x3 d=2, then conv 3x3 d=3")],
                 hint="the field side is the recursion's r. Not every pixel inside it is reached: along one axis, "
                      "which offsets can (a tap of the top layer) + (a tap of the layer below) take? "
                      "The 2-D count is the 1-D count squared.",
                 name="predict_field", forbid=FORBID_RECEPTIVE + ("helpers.erf",))


# ------------------------------------------------------------------ exercise 5: does an operation commute with a shift?
#: What the equivariance answers must not call: the library's own measurements and shifts.
FORBID_SHIFTS = ("helpers.equivariance", "helpers.deform")


@dataclass(frozen=True)
class ShiftOp:
    """A named operation on one ``(H, W)`` float64 tensor that keeps its size. Call it like a function."""

    name: str
    fn: Callable[[torch.Tensor], torch.Tensor]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)

    def __repr__(self) -> str:
        return self.name


def conv_keep_size(x: torch.Tensor, kernel, dilation: int = 1) -> torch.Tensor:
    """One zero-padded 2-D convolution of an ``(H, W)`` tensor with an odd square kernel; the size is kept.

    >>> conv_keep_size(torch.ones(3, 4, dtype=torch.float64), np.ones((3, 3)))
    tensor([[4., 6., 6., 4.],
            [6., 9., 9., 6.],
            [4., 6., 6., 4.]], dtype=torch.float64)
    """
    k = torch.as_tensor(np.asarray(kernel, dtype=np.float64), dtype=x.dtype)
    return F.conv2d(x[None, None], k[None, None], padding=dilation * (k.shape[-1] // 2), dilation=dilation)[0, 0]


def keep_every(x: torch.Tensor, s: int) -> torch.Tensor:
    """Keep every ``s``-th pixel (a stride-``s`` sampling), then repeat each one ``s x s`` times; the size is kept.

    >>> keep_every(torch.arange(4.0).reshape(1, 4), 2)
    tensor([[0., 0., 2., 2.]])
    """
    y = x[::s, ::s].repeat_interleave(s, 0).repeat_interleave(s, 1)
    return y[:x.shape[0], :x.shape[1]]


def _ops(*pairs) -> dict[str, ShiftOp]:
    return {name: ShiftOp(name, fn) for name, fn in pairs}


#: Exercise 5's operations. Each output pixel depends on input pixels at most 3 away (or on the whole image).
SHIFT_OPS = _ops(
    ("blur 3x3", lambda x: conv_keep_size(x, np.full((3, 3), 1 / 9))),
    ("square every pixel", lambda x: x ** 2),
    ("mirror left-right", lambda x: x.flip(-1)),
    ("add the column number", lambda x: x + torch.arange(x.shape[-1], dtype=x.dtype)),
    ("keep every 2nd pixel, repeat it 2x2", lambda x: keep_every(x, 2)),
    ("subtract the image's mean", lambda x: x - x.mean()),
    ("transpose (square images)", lambda x: x.T),
)
#: How far (pixels) each output of an operation looks; for drawing cases whose margin is wide enough.
_REACH = {"blur 3x3": 1, "keep every 2nd pixel, repeat it 2x2": 1}


def _commutes_reference(op, x, dy, dx, margin) -> bool:
    """op(roll x) against roll(op x) on the pixels at least ``margin`` from every border (torch.roll, slicing)."""
    a = op(torch.roll(x, (dy, dx), dims=(0, 1)))
    b = torch.roll(op(x), (dy, dx), dims=(0, 1))
    H, W = x.shape
    err = float((a - b)[margin:H - margin, margin:W - margin].abs().max())
    scale = max(1.0, float(b.abs().max()))
    if 1e-9 * scale < err < 1e-4 * scale:  # the cases are drawn so that this never happens
        raise RuntimeError(f"ambiguous case: {op!r}, shift ({dy}, {dx}), margin {margin}, error {err:.2g}")
    return err <= 1e-9 * scale


def _image(rng: np.random.Generator, h: int, w: int) -> torch.Tensor:
    return torch.as_tensor(rng.standard_normal((h, w)))


def _commutes_case(rng: np.random.Generator, ops: dict[str, ShiftOp] | None = None) -> Case:
    ops = SHIFT_OPS if ops is None else ops
    name = list(ops)[int(rng.integers(len(ops)))]
    h = int(rng.integers(14, 25))  # a margin of up to 6 leaves an interior
    w = h if name.startswith("transpose") else int(rng.integers(14, 25))
    dy, dx = (int(v) for v in rng.integers(-3, 4, 2))
    wide = _REACH.get(name, 3) + max(abs(dy), abs(dx))
    margin = wide if rng.random() < 0.5 else int(rng.integers(0, wide + 1))
    return Case((ops[name], _image(rng, h, w), dy, dx, margin),
                label=f"{name}, {h}x{w} image, shift ({dy}, {dx}), margin {margin}")


def _commutes_edge_cases() -> list[Case]:
    rng = np.random.default_rng(1)
    o = SHIFT_OPS
    table = [  # (op, height, width, dy, dx, margin, why)
        ("blur 3x3", 16, 20, 0, 0, 0, "no shift at all"),
        ("blur 3x3", 16, 20, 1, 2, 3, "margin = reach 1 + shift 2"),
        ("blur 3x3", 16, 20, 1, 2, 0, "the border is compared too"),
        ("blur 3x3", 16, 20, 2, -1, 1, "the margin is too small for the wrapped-around rows"),
        ("square every pixel", 13, 17, 3, -2, 0, "a pixel-wise operation commutes even at the border"),
        ("mirror left-right", 16, 16, 0, 1, 4, "a horizontal shift"),
        ("mirror left-right", 16, 16, 2, 0, 2, "a vertical shift"),
        ("add the column number", 14, 18, 2, 0, 2, "a vertical shift"),
        ("add the column number", 14, 18, 0, 1, 1, "a horizontal shift"),
        ("keep every 2nd pixel, repeat it 2x2", 16, 16, 0, 2, 3, "an even shift"),
        ("keep every 2nd pixel, repeat it 2x2", 16, 16, 1, 0, 3, "an odd shift"),
        ("subtract the image's mean", 12, 20, 3, 3, 0, "a global operation"),
        ("transpose (square images)", 18, 18, 2, 2, 2, "the same shift down and right"),
        ("transpose (square images)", 18, 18, 1, 2, 2, "different shifts down and right"),
    ]
    return [Case((o[name], _image(rng, h, w), dy, dx, m), label=f"{name}, {h}x{w} image, shift ({dy}, {dx}), "
                 f"margin {m}: {why}") for name, h, w, dy, dx, m, why in table]


@graded
def check_shift_commutes(shift_commutes) -> CheckReport:
    """``shift_commutes(op, x, dy, dx, margin)`` -> True when op(shift x) = shift(op x) away from the border."""
    return check(
        shift_commutes,
        _commutes_reference,
        cases=_commutes_edge_cases(),
        random_case=_commutes_case,
        n_random=20,
        hint="compute op(torch.roll(x, (dy, dx), dims=(0, 1))) and torch.roll(op(x), (dy, dx), dims=(0, 1)); "
             "drop `margin` rows and columns on every side (top, bottom, left, right); compare what is left "
             "with torch.allclose and return a Python bool.",
        name="shift_commutes",
        forbid=FORBID_SHIFTS,
    )


def _equivariant_reference(ops: dict[str, ShiftOp]) -> list[bool]:
    """For each operation: does it commute with shifts of 1 to 3 pixels, each way and both ways? (torch.roll)"""
    rng = np.random.default_rng(2)
    x = _image(rng, 20, 20)
    shifts = [(0, 1), (1, 0), (0, 2), (2, 0), (1, 1), (1, -2), (3, 3), (-3, 2)]
    return [all(_commutes_reference(op, x, dy, dx, 3 + max(abs(dy), abs(dx))) for dy, dx in shifts)
            for op in ops.values()]


@graded
def check_equivariant_ops(equivariant_ops) -> CheckReport:
    """``equivariant_ops(ops)`` -> one bool per operation of the dict ``ops``: is it shift-equivariant?"""
    names = list(SHIFT_OPS)
    edge = [Case((SHIFT_OPS,), label="the operations of exercise 5"),
            Case(({n: SHIFT_OPS[n] for n in reversed(names)},), label="the same operations in reverse order"),
            Case(({n: SHIFT_OPS[n] for n in names[2:5]},), label="three of them")]
    return check(
        equivariant_ops,
        _equivariant_reference,
        cases=edge,
        hint="an operation is shift-equivariant when it commutes with *every* shift: try shifts down and right, "
             "odd and even, with a margin wide enough for the reach (3) plus the shift. One image of random "
             "numbers is enough; a constant image hides differences.",
        name="equivariant_ops",
        forbid=FORBID_SHIFTS,
    )
