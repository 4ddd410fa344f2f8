"""Checkers for the exercises of ``08_architectures.ipynb``.

The references are the tested modules of :mod:`helpers.models` (``BasicBlock``, CBAM's
``ChannelAttention``, ``Inception``, ``DenseBlock``) run by torch or with their parameters counted by
torch; they are never shown.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import nn

from helpers.exercises.framework import (
    Case,
    CheckReport,
    _grader_cases,
    check,
    check_properties,
    graded,
    hidden_seed,
)
from helpers.models.attention import ChannelAttention
from helpers.models.densenet import DenseBlock
from helpers.models.googlenet import Inception
from helpers.models.resnet import BasicBlock
from helpers.session import torch_threads

__all__ = [
    "check_residual_block",
    "check_channel_attention",
    "check_inception_parameters",
    "check_dense_block_parameters",
]

#: What each answer must not call: the library's own modules (and, for the counts, torch's layers).
FORBID_BLOCK = ("helpers.models", "helpers.models.resnet", "helpers.degradation")
FORBID_ATTENTION = ("helpers.models", "helpers.models.senet", "helpers.models.attention", "torch.func")
FORBID_INCEPTION = ("helpers.models", "helpers.models.googlenet", "helpers.counting", "helpers.summary", "torch.nn")
FORBID_DENSE = ("helpers.models", "helpers.models.densenet", "helpers.counting", "helpers.summary", "torch.nn")


# ---- exercise 1: a residual block with a stride-2 projection shortcut

def _randomised(module: nn.Module, seed: int) -> nn.Module:
    """Random weights and batch-norm statistics (so a wrong order of operations shows), evaluation mode."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape, generator=g, dtype=t.dtype) + (0.5 if "running_var" in name else -0.5))
    return module.eval()


_CONFIGS = [(4, 8, 2), (6, 6, 1), (3, 5, 1), (8, 16, 2)]


def _same(value):
    return value


def _same_function(build, configs) -> bool:
    for k, (c_in, c_out, stride) in enumerate(configs):
        student = _randomised(build(c_in, c_out, stride).double(), k)
        ref = BasicBlock(c_in, c_out, stride).double()
        ref.load_state_dict(student.state_dict(), strict=True)
        ref.eval()
        x = torch.randn(2, c_in, 9, 9, dtype=torch.float64, generator=torch.Generator().manual_seed(10 + k))
        with torch.no_grad():
            if not torch.allclose(student(x), ref(x), rtol=1e-9, atol=1e-10):
                return False
    return True


def _shapes(build, configs) -> bool:
    for c_in, c_out, s in configs:
        side = (9 - 1) // s + 1
        if tuple(build(c_in, c_out, s).eval()(torch.zeros(2, c_in, 9, 9)).shape) != (2, c_out, side, side):
            return False
    return True


def _parameters(build, configs) -> bool:
    return all(sum(p.numel() for p in build(c_in, c_out, s).parameters()) ==
               sum(p.numel() for p in BasicBlock(c_in, c_out, s).parameters()) for c_in, c_out, s in configs)


def _names(build, configs) -> bool:
    return all(set(build(c_in, c_out, s).state_dict()) == set(BasicBlock(c_in, c_out, s).state_dict())
               for c_in, c_out, s in configs)


def _hidden_configs() -> list[tuple[int, int, int]]:
    """The grader's configurations (helpers/exercises/hidden.py) and three drawn with the hidden seed."""
    rng = np.random.default_rng([int(hidden_seed() or 0) & 0xFFFFFFFF, 1])
    drawn = [(int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 3))) for _ in range(3)]
    return [tuple(c.args) for c in _grader_cases("architectures.check_residual_block")] + drawn


@graded
def check_residual_block(build) -> CheckReport:
    """``build(c_in, c_out, stride)``: a basic residual block with a projection shortcut when the shape changes."""
    properties = [
        ("build(4, 8, 2) is a torch.nn.Module", lambda b: isinstance(b(4, 8, 2), nn.Module)),
        ("(N, c_in, 9, 9) -> (N, c_out, 5, 5) at stride 2 and (N, c_out, 9, 9) at stride 1",
         lambda b: _shapes(b, _CONFIGS)),
        ("its parameters: two 3x3 convs without bias, two batch norms, and a 1x1 conv + batch norm shortcut "
         "only when the shape changes", lambda b: _parameters(b, _CONFIGS)),
        ("its submodules are named conv1, bn1, conv2, bn2 and shortcut (Sequential(conv, bn) or Identity)",
         lambda b: _names(b, _CONFIGS)),
        ("it computes relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)) (checked with random weights)",
         lambda b: _same_function(b, _CONFIGS)),
    ]
    hidden = [("the same, for other channels and strides",
               lambda b: all(f(b, _hidden_configs()) for f in (_shapes, _parameters, _names, _same_function)))]
    with torch_threads(1):  # tiny blocks: one thread is fastest
        return check_properties(
            functools.partial(_same, build),  # a partial, so that the shortcut scan reads build's code
            properties,
            hint="the stride goes into conv1 and into the 1x1 shortcut conv; add the shortcut before the last ReLU; "
                 "use the identity (nn.Identity()) only when stride == 1 and c_in == c_out.",
            name="residual_block",
            forbid=FORBID_BLOCK,
            hidden_properties=hidden,
        )


# ---- exercise 2: CBAM's channel attention

def _reference_attention(x, w1, b1, w2, b2):
    module = ChannelAttention(w1.shape[1], reduction=1).double()   # functional_call puts in the given weights
    params = {"mlp.0.weight": w1, "mlp.0.bias": b1, "mlp.2.weight": w2, "mlp.2.bias": b2}
    return torch.func.functional_call(module, params, (x,))


def _attention_case(rng: np.random.Generator, label: str = "random", h: int | None = None,
                    w: int | None = None) -> Case:
    n, c, r = int(rng.integers(1, 4)), int(rng.integers(2, 17)), int(rng.integers(1, 5))
    h, w = h or int(rng.integers(1, 8)), w or int(rng.integers(1, 8))
    hidden = max(1, c // r)
    t = lambda *s: torch.as_tensor(rng.normal(size=s))  # noqa: E731
    return Case((t(n, c, h, w) + 0.5, t(hidden, c), t(hidden), t(c, hidden), t(c)),
                label=f"{label}: x {(n, c, h, w)}, hidden {hidden}")


@graded
def check_channel_attention(channel_attention) -> CheckReport:
    """``channel_attention(x, w1, b1, w2, b2)``: CBAM's channel attention.

    Mean and max over H and W, the same two FC layers on both, their sum, a sigmoid: one weight per channel.
    """
    rng = np.random.default_rng(1)
    edge = [_attention_case(rng, "a 1x1 map: mean and max are equal", 1, 1), _attention_case(rng, "a wide map", 2, 7)]
    c = _attention_case(rng, "negative inputs", 4, 4)
    c.args = (c.args[0] - 1.0, *c.args[1:])
    edge.append(c)
    return check(
        channel_attention,
        _reference_attention,
        cases=edge,
        random_case=_attention_case,
        n_random=15,
        rtol=1e-6,
        atol=1e-9,
        hint="mlp(z) = relu(z @ w1.T + b1) @ w2.T + b2, the same for both; s = sigmoid(mlp(mean over H, W) + "
             "mlp(max over H, W)) has shape (N, C); return x * s[:, :, None, None].",
        name="channel_attention",
        forbid=FORBID_ATTENTION,
    )


# ---- exercise 3: Inception's parameters with and without the 1x1 reductions

def _reference_inception(c_in, c1, r3, c3, r5, c5, pool_proj, reduce) -> int:
    """Convolutions with biases and no batch norm, as in the paper (the module's BN and bias-free convs swapped)."""
    with torch.device("meta"):
        m = Inception(c_in, c1, r3, c3, r5, c5, pool_proj, reduce=reduce, big_kernel=5)
    convs = [x for x in m.modules() if isinstance(x, nn.Conv2d)]
    return sum(x.weight.numel() + x.out_channels for x in convs)


@graded
def check_inception_parameters(inception_parameters) -> CheckReport:
    """``inception_parameters(c_in, c1, r3, c3, r5, c5, pool_proj, reduce)``: weights + biases of the module."""
    edge = [
        Case((192, 64, 96, 128, 16, 32, 32, True), label="inception 3a with reductions"),
        Case((192, 64, 96, 128, 16, 32, 32, False), label="inception 3a without reductions"),
        Case((832, 384, 192, 384, 48, 128, 128, True), label="inception 5b"),
        Case((1, 1, 1, 1, 1, 1, 1, False), label="one channel everywhere"),
    ]

    def random_case(rng):
        c = [int(v) for v in rng.integers(1, 300, 7)]
        return Case((*c, bool(rng.integers(0, 2))), label="random module")

    return check(
        inception_parameters,
        _reference_inception,
        cases=edge,
        random_case=random_case,
        n_random=20,
        hint="count each convolution as k*k*C_in*C_out weights + C_out biases. With reductions the 3x3 and 5x5 "
             "see r3 and r5 channels (after their own 1x1 convs); without, they see all c_in. The pooling branch "
             "always has its 1x1 projection.",
        name="inception_parameters",
        forbid=FORBID_INCEPTION,
    )


# ---- exercise 4: a dense block's parameters

def _reference_dense_block(c_in, n_layers, growth_rate, bn_size) -> int:
    with torch.device("meta"):
        block = DenseBlock(n_layers, c_in, growth_rate, bn_size)
    return sum(p.numel() for p in block.parameters() if p.requires_grad)


@graded
def check_dense_block_parameters(dense_block_parameters) -> CheckReport:
    """``dense_block_parameters(c_in, n_layers, growth_rate, bn_size)``: trainable parameters of a dense block."""
    edge = [
        Case((64, 6, 32, 4), label="DenseNet-121's first block"),
        Case((128, 12, 32, 4), label="DenseNet-121's second block"),
        Case((16, 1, 12, 4), label="one layer: nothing is concatenated yet"),
        Case((3, 4, 2, 1), label="bn_size 1: the 1x1 convolution keeps k channels"),
        Case((10, 0, 5, 4), label="no layers"),
    ]

    def random_case(rng):
        return Case((int(rng.integers(1, 200)), int(rng.integers(0, 10)), int(rng.integers(1, 48)),
                     int(rng.integers(1, 5))), label="random block")

    return check(
        dense_block_parameters,
        _reference_dense_block,
        cases=edge,
        random_case=random_case,
        n_random=15,
        hint="layer l (from 0) sees c_in + l * growth_rate channels: a batch norm on them (2 per channel), a 1x1 "
             "conv to bn_size * growth_rate (no bias), a batch norm on those, a 3x3 conv to growth_rate (no bias).",
        name="dense_block_parameters",
        forbid=FORBID_DENSE,
    )
