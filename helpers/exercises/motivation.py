"""Checkers for the exercises of ``01_motivation.ipynb``.

References come from :mod:`helpers.receptive` (tested against torch autograd) and
from parameter counts of real torch modules; they are never shown.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from helpers.counting import count_parameters
from helpers.exercises.framework import Case, CheckReport, check, graded
from helpers.models.blocks import LocallyConnected2d
from helpers.receptive import ConvSpec, input_window, receptive_field_size

__all__ = ["check_receptive_field", "check_parameter_counts", "check_input_window"]

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
