"""Checkers for the exercises of ``06_lenet5.ipynb``.

The references are the tested layers of :mod:`helpers.models.lenet` (parameters counted by torch,
connections by :func:`helpers.counting.count_connections`, the trainable subsampling layer itself);
they are never shown.
"""

from __future__ import annotations

import numpy as np
import torch

from helpers.counting import count_connections, count_parameters
from helpers.exercises.framework import (
    Case,
    CheckReport,
    check,
    check_properties,
    graded,
)
from helpers.models.lenet import ModernLeNet, Subsampling, TableConv2d, c3_table

__all__ = ["check_c3_parameters", "check_connections", "check_subsampling", "check_modern_lenet",
           "MODERN_ACCURACY", "MODERN_EPOCHS"]

FORBID_COUNT = ("helpers.counting", "helpers.models.lenet.TableConv2d", "helpers.models.lenet.LeNet5",
                "helpers.models.lenet.layer_table", "torch.nn", "torch.nn.functional")
FORBID_SUBSAMPLE = ("helpers.models.lenet.Subsampling", "helpers.models.lenet.LeNet5", "helpers.pool",
                    "torch.nn", "torch.nn.functional", "torch.avg_pool2d", "torch.max_pool2d")
FORBID_MODERN = ("helpers.models.lenet.ModernLeNet", "helpers.models.lenet.LeNet5", "helpers.models")

#: What the modern LeNet of exercise 4 must reach on the held-out digits, and in how many epochs.
MODERN_ACCURACY, MODERN_EPOCHS = 0.95, 3


def _random_table(rng: np.random.Generator) -> np.ndarray:
    """A connection table with at least one input per output map."""
    c_in, c_out = int(rng.integers(1, 9)), int(rng.integers(1, 21))
    table = rng.random((c_in, c_out)) < rng.uniform(0.2, 0.9)
    table[rng.integers(0, c_in, c_out), np.arange(c_out)] = True
    return table


def _reference_parameters(table, kernel_size=5) -> int:
    layer = TableConv2d(np.asarray(table, dtype=bool), kernel_size=kernel_size)
    return count_parameters(layer)


@graded
def check_c3_parameters(count_parameters) -> CheckReport:
    """``count_parameters(table, kernel_size)``: trainable parameters of a partially connected layer."""
    edge = [
        Case((c3_table(), 5), label="LeNet-5's C3 (Table I)"),
        Case((np.ones((6, 16), dtype=bool), 5), label="C3 connected to every S2 map"),
        Case((np.ones((1, 6), dtype=bool), 5), label="C1: one input map, six output maps"),
        Case((np.ones((16, 120), dtype=bool), 5), label="C5"),
        Case((np.eye(4, dtype=bool), 3), label="each output map sees one input map"),
    ]
    return check(
        count_parameters,
        _reference_parameters,
        cases=edge,
        random_case=lambda rng: Case((_random_table(rng), int(rng.integers(1, 8))), label="random table"),
        n_random=20,
        hint="each True cell of the table is one k x k kernel; each output map (column) has one bias.",
        name="count_parameters",
        forbid=FORBID_COUNT
    )


def _reference_connections(table, kernel_size, out_size) -> int:
    table = np.asarray(table, dtype=bool)
    layer = TableConv2d(table, kernel_size=kernel_size)
    return count_connections(layer, (table.shape[1], out_size, out_size))


@graded
def check_connections(connections) -> CheckReport:
    """``connections(table, kernel_size, out_size)``: connections of a (partial) convolution layer."""
    edge = [
        Case((np.ones((1, 6), dtype=bool), 5, 28), label="C1"),
        Case((c3_table(), 5, 10), label="C3 (Table I)"),
        Case((np.ones((16, 120), dtype=bool), 5, 1), label="C5"),
        Case((np.ones((120, 84), dtype=bool), 1, 1), label="F6 seen as a 1x1 convolution"),
        Case((np.ones((6, 16), dtype=bool), 5, 10), label="a full C3"),
    ]
    return check(
        connections,
        _reference_connections,
        cases=edge,
        random_case=lambda rng: Case((_random_table(rng), int(rng.integers(1, 8)), int(rng.integers(1, 30))),
                                     label="random layer"),
        n_random=20,
        hint="a unit has one connection per input it sees plus one for its bias; shared weights still "
             "count once per unit, and an output map has out_size x out_size units.",
        name="connections",
        forbid=FORBID_COUNT
    )


def _reference_subsample(x, weight, bias):
    layer = Subsampling(x.shape[1]).to(x.dtype)
    return torch.func.functional_call(layer, {"weight": weight, "bias": bias}, (x,))


def _subsample_case(rng: np.random.Generator, label: str = "random") -> Case:
    n, c = int(rng.integers(1, 4)), int(rng.integers(1, 7))
    h, w = int(rng.integers(2, 12)), int(rng.integers(2, 12))
    x = torch.as_tensor(rng.normal(size=(n, c, h, w)))
    weight = torch.as_tensor(rng.normal(size=c))
    bias = torch.as_tensor(rng.normal(size=c))
    return Case((x, weight, bias), label=f"{label}: x {tuple(x.shape)}")


@graded
def check_subsampling(subsample) -> CheckReport:
    """``subsample(x, weight, bias)``: LeNet-5's trainable 2x2 subsampling, squashed by 1.7159 tanh(2a/3)."""
    rng = np.random.default_rng(0)
    ones = torch.ones(1, 1, 4, 4, dtype=torch.float64)
    edge = [
        Case((ones, torch.tensor([0.5], dtype=torch.float64), torch.tensor([-1.0], dtype=torch.float64)),
             label="constant input: every 2x2 sum is 4"),
        Case((torch.arange(16.0, dtype=torch.float64).reshape(1, 1, 4, 4) / 10, torch.tensor([0.3], dtype=torch.float64),
              torch.tensor([0.0], dtype=torch.float64)), label="a ramp: sums differ from means and maxima"),
        Case((torch.as_tensor(rng.normal(size=(2, 3, 5, 7))), torch.tensor([0.2, -0.4, 1.0], dtype=torch.float64),
              torch.tensor([0.1, 0.0, -0.3], dtype=torch.float64)), label="odd height and width: the last row/column is dropped"),
    ]
    return check(
        subsample,
        _reference_subsample,
        cases=edge,
        random_case=_subsample_case,
        n_random=15,
        rtol=1e-6,
        atol=1e-9,
        hint="sum each non-overlapping 2x2 block, multiply by weight[c] and add bias[c] of its map c, "
             "then apply 1.7159 * tanh(2/3 * a).",
        name="subsample",
        forbid=FORBID_SUBSAMPLE
    )


def _same_layers(model) -> bool:
    ours, theirs = ModernLeNet().state_dict(), model.state_dict()
    return set(ours) == set(theirs) and all(ours[k].shape == theirs[k].shape for k in ours)


def _forward_matches(model) -> bool:
    """The student's network computes exactly ModernLeNet's function with the student's weights."""
    ref = ModernLeNet(normalize=False)
    ref.load_state_dict(model.state_dict(), strict=True)
    x = torch.rand(5, 1, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return torch.allclose(model(x), ref(x), rtol=1e-5, atol=1e-6)


@graded
def check_modern_lenet(build, data, epochs: int = MODERN_EPOCHS, accuracy: float = MODERN_ACCURACY) -> CheckReport:
    """``build()`` returns the modern LeNet (ReLU, max pooling, full C3, 10 logits); it must train well.

    The last property trains a fresh model from ``build()`` with ``helpers.train.fit`` (Adam,
    lr 3e-3, ``epochs`` epochs, seed 0) on the first 4,000 training digits of ``data`` and asks for
    ``accuracy`` on its first 1,000 test digits (all of them for the offline set; a quick check on full MNIST).
    """
    from types import SimpleNamespace

    from helpers.train import fit

    for name in ("x_train", "y_train", "x_test", "y_test"):
        if not hasattr(data, name):
            raise ValueError(f"data must have x_train, y_train, x_test and y_test (helpers.data.load_digits()); it has no {name!r}")
    subset = SimpleNamespace(x_train=data.x_train[:4000], y_train=data.y_train[:4000],
                             x_test=data.x_test[:1000], y_test=data.y_test[:1000])

    def trains_well(model) -> bool:
        torch.manual_seed(0)
        fresh = build()
        hist = fit(fresh, subset, epochs=epochs, lr=3e-3, batch_size=32, plot=False, progress=False, seed=0)
        return hist.final_test_acc >= accuracy

    properties = [
        ("it is a torch.nn.Module", lambda m: isinstance(m, torch.nn.Module)),
        ("a batch (N, 1, 32, 32) gives (N, 10) outputs",
         lambda m: tuple(m(torch.zeros(3, 1, 32, 32)).shape) == (3, 10)),
        ("it has 61,706 trainable parameters (a full C3: every S2 map feeds every C3 map)",
         lambda m: count_parameters(m) == 61_706),
        ("its layers are named C1, C3, C5, F6, output, with the shapes of helpers.models.lenet.ModernLeNet",
         _same_layers),
        ("it computes conv-ReLU-maxpool, conv-ReLU-maxpool, conv-ReLU, linear-ReLU, linear (no input scaling)",
         _forward_matches),
        (f"trained for {epochs} epochs (Adam, lr 3e-3) it reaches {accuracy:.0%} test accuracy", trains_well),
    ]
    return check_properties(
        build,
        properties,
        hint="C1 = Conv2d(1, 6, 5), S2 = MaxPool2d(2), C3 = Conv2d(6, 16, 5), ...; apply F.relu after "
             "C1, C3, C5 and F6, flatten before F6, and leave the output as raw logits.",
        name="build_modern_lenet",
        forbid=FORBID_MODERN,
    )
