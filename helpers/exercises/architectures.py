"""Checkers for the exercises of ``08_architectures.ipynb``.

The references are the tested modules of :mod:`helpers.models` (``BasicBlock``, ``Inception``,
``SqueezeExcitation``, ``DenseNet``) with their parameters counted by torch; they are never shown.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from helpers.exercises.framework import (
    Case,
    CheckReport,
    check,
    check_properties,
    graded,
)
from helpers.models.densenet import DenseNet, Transition
from helpers.models.googlenet import Inception
from helpers.models.resnet import BasicBlock
from helpers.models.senet import SqueezeExcitation

__all__ = [
    "check_residual_block",
    "check_se_block",
    "check_inception_parameters",
    "check_densenet_channels",
]


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


def _same_function(build) -> bool:
    for k, (c_in, c_out, stride) in enumerate(_CONFIGS):
        student = _randomised(build(c_in, c_out, stride).double(), k)
        ref = BasicBlock(c_in, c_out, stride).double()
        ref.load_state_dict(student.state_dict(), strict=True)
        ref.eval()
        x = torch.randn(2, c_in, 9, 9, dtype=torch.float64, generator=torch.Generator().manual_seed(10 + k))
        with torch.no_grad():
            if not torch.allclose(student(x), ref(x), rtol=1e-9, atol=1e-10):
                return False
    return True


def _shapes(build) -> bool:
    for c_in, c_out, s in _CONFIGS:
        side = 5 if s == 2 else 9
        if tuple(build(c_in, c_out, s).eval()(torch.zeros(2, c_in, 9, 9)).shape) != (2, c_out, side, side):
            return False
    return True


def _parameters(build) -> bool:
    return all(sum(p.numel() for p in build(c_in, c_out, s).parameters()) ==
               sum(p.numel() for p in BasicBlock(c_in, c_out, s).parameters()) for c_in, c_out, s in _CONFIGS)


def _names(build) -> bool:
    return all(set(build(c_in, c_out, s).state_dict()) == set(BasicBlock(c_in, c_out, s).state_dict())
               for c_in, c_out, s in _CONFIGS)


@graded
def check_residual_block(build) -> CheckReport:
    """``build(c_in, c_out, stride)``: a basic residual block with a projection shortcut when the shape changes."""
    properties = [
        ("build(4, 8, 2) is a torch.nn.Module", lambda b: isinstance(b(4, 8, 2), nn.Module)),
        ("(N, c_in, 9, 9) -> (N, c_out, 5, 5) at stride 2 and (N, c_out, 9, 9) at stride 1", _shapes),
        ("its parameters: two 3x3 convs without bias, two batch norms, and a 1x1 conv + batch norm shortcut "
         "only when the shape changes", _parameters),
        ("its submodules are named conv1, bn1, conv2, bn2 and shortcut (Sequential(conv, bn) or Identity)", _names),
        ("it computes relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)) (checked with random weights)",
         _same_function),
    ]
    return check_properties(
        lambda: build,
        properties,
        hint="the stride goes into conv1 and into the 1x1 shortcut conv; add the shortcut before the last ReLU; "
             "use the identity (nn.Identity()) when stride == 1 and c_in == c_out.",
        name="residual_block",
    )


# ---- exercise 2: squeeze-and-excitation

def _reference_se(x, w1, b1, w2, b2):
    se = SqueezeExcitation(w1.shape[1], reduction=1).double()   # functional_call puts in the given weights
    params = {"fc1.weight": w1, "fc1.bias": b1, "fc2.weight": w2, "fc2.bias": b2}
    return torch.func.functional_call(se, params, (x,))


def _se_case(rng: np.random.Generator, label: str = "random", h: int | None = None, w: int | None = None) -> Case:
    n, c, r = int(rng.integers(1, 4)), int(rng.integers(2, 17)), int(rng.integers(1, 5))
    h, w = h or int(rng.integers(1, 8)), w or int(rng.integers(1, 8))
    hidden = max(1, c // r)
    t = lambda *s: torch.as_tensor(rng.normal(size=s))
    return Case((t(n, c, h, w) + 0.5, t(hidden, c), t(hidden), t(c, hidden), t(c)),
                label=f"{label}: x {(n, c, h, w)}, hidden {hidden}")


@graded
def check_se_block(se_block) -> CheckReport:
    """``se_block(x, w1, b1, w2, b2)``: squeeze (mean), excite (FC-ReLU-FC-sigmoid), scale the channels."""
    rng = np.random.default_rng(1)
    edge = [_se_case(rng, "a 1x1 map", 1, 1), _se_case(rng, "a wide map", 2, 7)]
    c = _se_case(rng, "negative inputs: mean and max differ", 4, 4)
    c.args = (c.args[0] - 1.0, *c.args[1:])
    edge.append(c)
    return check(
        se_block,
        _reference_se,
        cases=edge,
        random_case=_se_case,
        n_random=15,
        rtol=1e-6,
        atol=1e-9,
        hint="z = x.mean over H and W (shape N, C); s = sigmoid(relu(z @ w1.T + b1) @ w2.T + b2); "
             "return x * s[:, :, None, None].",
        name="se_block",
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
    )


# ---- exercise 4: DenseNet's channel counts

def _reference_channels(c0, block_config, growth_rate) -> list[int]:
    """Read off the built network: a transition's 1x1 conv output, or the last dense layer's input + k."""
    with torch.device("meta"):
        net = DenseNet(tuple(block_config), growth_rate, c0, bn_size=1, num_classes=1)
    out = []
    for stage in net.stages:
        if isinstance(stage[-1], Transition):
            out.append(stage[-1][2].out_channels)
        else:
            last_layer = stage[0][-1]
            out.append(last_layer.body[0].num_features + growth_rate)
    return out


@graded
def check_densenet_channels(stage_channels) -> CheckReport:
    """``stage_channels(c0, block_config, growth_rate)``: channels after each stage (block + transition)."""
    edge = [
        Case((64, (6, 12, 24, 16), 32), label="DenseNet-121"),
        Case((64, (6, 12, 32, 32), 32), label="DenseNet-169"),
        Case((96, (6, 12, 36, 24), 48), label="DenseNet-161"),
        Case((16, (3,), 8), label="one block: no transition"),
        Case((10, (1, 1), 3), label="odd channels: the transition rounds down"),
    ]

    def random_case(rng):
        blocks = tuple(int(v) for v in rng.integers(1, 8, int(rng.integers(1, 5))))
        return Case((int(rng.integers(1, 100)), blocks, int(rng.integers(1, 40))), label="random network")

    return check(
        stage_channels,
        _reference_channels,
        cases=edge,
        random_case=random_case,
        n_random=15,
        hint="a block of n layers adds n * growth_rate channels; each transition (after every block but the "
             "last) halves them, rounding down (c // 2). Return a list with one count per block.",
        name="stage_channels",
    )
