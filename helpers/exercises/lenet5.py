"""Checkers for the exercises of ``06_lenet5.ipynb``.

The references are the tested layers of :mod:`helpers.models.lenet`: parameters counted by torch,
connections computed from a forward pass (units) and autograd (the inputs one unit reads), the
trainable subsampling layer itself, and ``ModernLeNet``'s function. They are never shown.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from helpers.args import is_int
from helpers.counting import count_connections, count_parameters
from helpers.deform import perturb
from helpers.exercises.framework import (
    Case,
    CheckReport,
    answer_value,
    check,
    check_properties,
    graded,
    hidden_seed,
    wrong_answer,
)
from helpers.models.lenet import LeNet5, ModernLeNet, Subsampling, TableConv2d, c3_table
from helpers.session import torch_threads
from helpers.train import SweepResult, require_digits

__all__ = ["check_c3_variant", "check_hand_counts", "check_subsampling", "check_connections", "check_modern_lenet",
           "check_no_subsampling"]

FORBID_COUNT = ("helpers.counting", "helpers.models.lenet.TableConv2d", "helpers.models.lenet.LeNet5",
                "helpers.models.lenet.layer_table", "torch.nn", "torch.nn.functional")
FORBID_HAND = ("helpers.counting", "helpers.models.lenet", "helpers.models.lenet.PAPER_PARAMETERS",
               "helpers.models.lenet.PAPER_CONNECTIONS", "helpers.summary", "torch.nn")
FORBID_SUBSAMPLE = ("helpers.models.lenet.Subsampling", "helpers.models.lenet.LeNet5", "helpers.pool",
                    "torch.nn", "torch.nn.functional", "torch.avg_pool2d", "torch.max_pool2d")
FORBID_MODERN = ("helpers.models.lenet.ModernLeNet", "helpers.models.lenet.LeNet5", "helpers.models")


# ------------------------------------------------------------------ exercise 1: a C3 variant
#: Exercise 1's layer: 8 S2 maps, 12 C3 maps, 3x3 kernels; C3 map j sees VARIANT_RUNS[j] neighbouring
#: S2 maps, starting at map j mod 8 and wrapping around after map 7.
VARIANT_IN, VARIANT_KERNEL = 8, 3
VARIANT_RUNS = (2,) * 8 + (4,) * 4


def _variant_table() -> np.ndarray:
    start = np.arange(VARIANT_IN)
    return np.stack([np.roll(start < run, j) for j, run in enumerate(VARIANT_RUNS)], axis=1)


def _table_problem(table) -> tuple[str, str] | None:
    """(problem, hint) for a wrong table, None for the right one."""
    expected = _variant_table()
    t = np.asarray(table)
    if t.shape == expected.shape[::-1]:
        return "the table is transposed", "rows are the S2 maps (inputs), columns the C3 maps, as in net.C3.table"
    if t.shape != expected.shape:
        return f"the table has shape {t.shape}", f"expected {expected.shape}: one row per S2 map, one column per C3 map"
    if not np.isin(t, (0, 1)).all():
        return "the table holds values other than True/False (or 1/0)", ""
    wrong = np.flatnonzero((t.astype(bool) != expected).any(axis=0))
    if wrong.size:
        j = int(wrong[0])
        return (f"column {j} (C3 map {j}) sees S2 maps {np.flatnonzero(t[:, j]).tolist()}",
                f"C3 map {j} sees {VARIANT_RUNS[j]} neighbouring S2 maps, starting at map {j % VARIANT_IN} "
                f"and wrapping around from map {VARIANT_IN - 1} to map 0")
    return None


def _parameter_hint(got, table: np.ndarray) -> str:
    n, m, k = int(table.sum()), table.shape[1], VARIANT_KERNEL
    likely = {
        n * k * k: f"the biases are missing: each C3 map (column) has one bias, {m} in all",
        n * (k * k + 1): "one bias per C3 map, not one per kernel",
        n * k + m: f"a {k}x{k} kernel has {k * k} weights",
        n * 25 + m: f"this variant's kernels are {k}x{k}, not 5x5",
        table.size * k * k + m: "count only the kernels that the table allows (its True cells), not every pair of maps",
    }
    return likely.get(got, "one k x k kernel per True cell of the table, plus one bias per C3 map")


@graded
def check_c3_variant(variant_c3) -> CheckReport:
    """``variant_c3()`` -> (table, parameters) of exercise 1's C3 layer (8 S2 maps, 12 C3 maps, 3x3 kernels)."""
    name = "variant_c3"
    report, value = answer_value(variant_c3, name, "variant_c3() returns a pair (table, parameters)",
                                 lambda v: isinstance(v, (tuple, list)) and len(v) == 2, FORBID_COUNT)
    if report is not None:
        return report
    table, parameters = value
    problem = _table_problem(table)
    if problem is not None:
        return wrong_answer(name, *problem)
    expected = _variant_table()
    reference = sum(p.numel() for p in TableConv2d(expected, VARIANT_KERNEL).parameters() if p.requires_grad)
    if not is_int(parameters):
        return wrong_answer(name, f"parameters is {parameters!r}, a {type(parameters).__name__}", "expected an int")
    if int(parameters) != reference:
        return wrong_answer(name, f"parameters = {int(parameters):,} is not the layer's count",
                            _parameter_hint(int(parameters), expected))
    return CheckReport(name, True, 2, [f"✓ {name}: the table follows the rule, and its parameters equal the "
                                       "trainable parameters of the layer built from it"])


# ------------------------------------------------------------------ exercise 2: S4, C5 and F6 by hand
HAND_LAYERS = ("S4", "C5", "F6")


def _fresh(build, seed: int = 0):
    """``build()`` with torch's global generator seeded, and restored afterwards."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return build()


def _trace(model, modules, x) -> list[tuple[nn.Module, torch.Tensor, torch.Tensor]]:
    """(module, input, output) of each of ``modules`` that one forward pass of ``x`` calls, in call order."""
    calls = []
    hooks = [m.register_forward_hook(lambda m, args, out: calls.append((m, args[0], out))) for m in modules]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return calls


@functools.lru_cache(maxsize=1)
def _measured_layers() -> dict[str, dict]:
    """Per layer of a LeNet5: parameters (torch), maps and units per map (forward pass), inputs per unit (autograd)."""
    net, x = _fresh(lambda: (LeNet5(), torch.rand(1, 1, 32, 32)))
    inputs = {m: i for m, i, _ in _trace(net, [getattr(net, n) for n in HAND_LAYERS], x)}
    layers = {}
    for n in HAND_LAYERS:
        module = getattr(net, n)
        seen = inputs[module].detach().clone().requires_grad_(True)
        out = module(seen)
        out.reshape(-1)[0].backward()  # the inputs that unit 0 reads get a gradient
        maps, in_maps = out.shape[1], seen.shape[1]
        kind = ("subsampling" if isinstance(module, Subsampling) else
                "convolution" if isinstance(module, nn.Conv2d) else "full")
        layers[n] = dict(kind=kind, parameters=sum(p.numel() for p in module.parameters() if p.requires_grad),
                         maps=maps, units=out[0].numel() // maps, fan_in=int((seen.grad != 0).sum()),
                         bias=int(getattr(module, "bias", None) is not None), in_maps=in_maps,
                         in_units=seen[0].numel() // in_maps)
    return layers


def _connections(layer: dict) -> int:
    return layer["maps"] * layer["units"] * (layer["fan_in"] + layer["bias"])


def _hand_hint(name: str, quantity: str, got: int, layer: dict) -> str:
    """The term a wrong count most likely missed (the first matching mistake), or the general rule."""
    c, u, k, b, kind = layer["maps"], layer["units"], layer["fan_in"], layer["bias"], layer["kind"]
    maps = "units" if kind == "full" else "maps"
    right_p, right_c = layer["parameters"], _connections(layer)
    if quantity == "parameters":
        right, general = right_p, "per map: its shared weights (a kernel, or S4's single coefficient) plus one bias"
        mistakes = [(right_p - c * b, f"the biases are missing: each of the {c} {maps} has one")]
        if kind == "subsampling":
            mistakes += [(c * k, "a subsampling map has one trainable coefficient for its whole 2x2 sum, "
                                 "not one weight per input"),
                         (c * (k + 1), "a subsampling map has one coefficient and one bias, whatever its block size")]
        if kind == "convolution":
            mistakes.append((c * (k // layer["in_maps"] + b), f"each kernel reads all {layer['in_maps']} input maps"))
        mistakes.append((right_c, "that is the number of connections: the units of a map share its parameters"))
    else:
        right, general = right_c, "units x (inputs of one unit + 1 for its bias)"
        mistakes = [(right_c - c * u, "each unit also has one connection for its bias"),
                    (right_p, "that is the number of parameters: shared weights count once per unit here"),
                    (c * layer["in_units"] * (k + b), f"count the units of {name}'s own maps (its output), "
                                                      "not of its input maps")]
    if c > 1:
        mistakes.append((right // c, f"that is one {maps[:-1]}: {name} has {c} {maps}"))
    likely = {}
    for value, why in mistakes:
        if value != right:
            likely.setdefault(value, why)
    return likely.get(got, general)


def _is_counts(value) -> bool:
    return isinstance(value, dict) and set(value) == set(HAND_LAYERS) and all(
        isinstance(v, (tuple, list)) and len(v) == 2 for v in value.values())


@graded
def check_hand_counts(hand_counts) -> CheckReport:
    """``hand_counts()`` -> {"S4": (parameters, connections), "C5": ..., "F6": ...}, worked out by hand.

    The references are measured on ``helpers.models.lenet.LeNet5``: parameters with torch, connections
    as units (a forward pass) x (inputs one unit reads, found by autograd, + 1 for the bias).
    """
    name = "hand_counts"
    report, counts = answer_value(hand_counts, name, "hand_counts() returns a dict {'S4': (parameters, "
                                  "connections), 'C5': (...), 'F6': (...)}", _is_counts, FORBID_HAND)
    if report is not None:
        return report
    layers = _measured_layers()
    for layer in HAND_LAYERS:
        for quantity, got in zip(("parameters", "connections"), counts[layer]):
            expected = layers[layer]["parameters"] if quantity == "parameters" else _connections(layers[layer])
            if not is_int(got):
                return wrong_answer(name, f"{layer} {quantity}: {got!r} is a {type(got).__name__}", "expected an int")
            if int(got) != expected:
                return wrong_answer(name, f"{layer} {quantity}: {int(got):,} is not right",
                                    _hand_hint(layer, quantity, int(got), layers[layer]))
    return CheckReport(name, True, 6, [f"✓ {name}: all 6 counts equal those measured on LeNet5 (parameters "
                                       "counted by torch, connections from the shapes)"])


# ------------------------------------------------------------------ exercise 3: the subsampling layer
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
    f64 = dict(dtype=torch.float64)
    edge = [
        Case((torch.ones(1, 1, 4, 4, **f64), torch.tensor([0.5], **f64), torch.tensor([-1.0], **f64)),
             label="constant input: every 2x2 sum is 4"),
        Case((torch.arange(16.0, **f64).reshape(1, 1, 4, 4) / 10, torch.tensor([0.3], **f64),
              torch.tensor([0.0], **f64)), label="a ramp: sums differ from means and maxima"),
        Case((torch.as_tensor(rng.normal(size=(2, 3, 5, 7))), torch.tensor([0.2, -0.4, 1.0], **f64),
              torch.tensor([0.1, 0.0, -0.3], **f64)), label="odd height and width: the last row/column is dropped"),
    ]
    return check(subsample, _reference_subsample, cases=edge, random_case=_subsample_case, n_random=15,
                 rtol=1e-6, atol=1e-9,
                 hint="sum each non-overlapping 2x2 block, multiply by weight[c] and add bias[c] of its map c, "
                      "then apply 1.7159 * tanh(2/3 * a).",
                 name="subsample", forbid=FORBID_SUBSAMPLE)


# ------------------------------------------------------------------ exercise 4: connections
def _random_table(rng: np.random.Generator) -> np.ndarray:
    """A connection table with at least one input per output map."""
    c_in, c_out = int(rng.integers(1, 9)), int(rng.integers(1, 21))
    table = rng.random((c_in, c_out)) < rng.uniform(0.2, 0.9)
    table[rng.integers(0, c_in, c_out), np.arange(c_out)] = True
    return table


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
        Case((np.eye(6, dtype=bool) | np.roll(np.eye(6, dtype=bool), 1, axis=1), 3, 12),
             label="each output map sees two neighbouring input maps"),
        Case((np.ones((3, 4), dtype=bool), 7, 2), label="a full layer"),
        Case((np.ones((40, 9), dtype=bool), 1, 1), label="a fully connected layer seen as a 1x1 convolution"),
        Case((np.eye(5, dtype=bool), 3, 6), label="each output map sees one input map"),
    ]
    return check(
        connections, _reference_connections, cases=edge,
        random_case=lambda rng: Case((_random_table(rng), int(rng.integers(1, 8)), int(rng.integers(1, 30))),
                                     label="random layer"),
        n_random=20,
        hint="a unit has one connection per input it sees plus one for its bias; shared weights still "
             "count once per unit, and an output map has out_size x out_size units.",
        name="connections", forbid=FORBID_COUNT)


# ------------------------------------------------------------------ exercise 5: the modern LeNet
#: What exercises 5 and 6 ask of any network first.
_DIGIT_NET = (("it is a torch.nn.Module", lambda m: isinstance(m, nn.Module)),
              ("a batch (N, 1, 32, 32) gives (N, 10) outputs",
               lambda m: tuple(m(torch.zeros(3, 1, 32, 32)).shape) == (3, 10)))


def _same_layers(model, reference: nn.Module) -> bool:
    ours, theirs = reference.state_dict(), model.state_dict()
    return set(ours) == set(theirs) and all(ours[k].shape == theirs[k].shape for k in ours)


def _forward_matches(model) -> bool:
    """The student's network computes exactly ModernLeNet's function with the student's weights."""
    ref = ModernLeNet(normalize=False)
    ref.load_state_dict(model.state_dict(), strict=True)
    x = torch.rand(5, 1, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return torch.allclose(model(x), ref(x), rtol=1e-5, atol=1e-6)


def _gradients_flow(build, x, y) -> bool:
    """A fresh network: every trainable tensor gets a non-zero gradient from one batch of digits."""
    model = _fresh(build)
    F.cross_entropy(model(x), y).backward()
    return all(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in model.parameters() if p.requires_grad)


def _learns(build, x, y, steps: int = 20) -> bool:
    """A fresh network: ``steps`` full-batch Adam steps (lr 3e-3) at least halve its loss on these digits."""
    model = _fresh(build)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(steps + 1):
        loss = F.cross_entropy(model(x), y)
        losses.append(float(loss.detach()))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return losses[-1] <= losses[0] / 2


@graded
@torch_threads(1)  # small networks: one thread is fastest
def check_modern_lenet(build, data) -> CheckReport:
    """``build()`` returns the modern LeNet (ReLU, max pooling, full C3, 10 logits).

    Its function is compared with ``ModernLeNet``'s on the same weights; then a fresh network from
    ``build()`` must pass gradients to every weight and learn: 20 Adam steps on 64 training digits of
    ``data`` at least halve its loss (a few tenths of a second, seeded).
    """
    require_digits(data)
    x, y = data.x_train[:64], data.y_train[:64]
    properties = [
        *_DIGIT_NET,
        ("it has 61,706 trainable parameters (a full C3: every S2 map feeds every C3 map)",
         lambda m: count_parameters(m) == 61_706),
        ("its layers are named C1, C3, C5, F6, output, with the shapes of helpers.models.lenet.ModernLeNet",
         lambda m: _same_layers(m, ModernLeNet())),
        ("it computes conv-ReLU-maxpool, conv-ReLU-maxpool, conv-ReLU, linear-ReLU, linear (no input scaling)",
         _forward_matches),
        ("a fresh network passes a gradient to every weight and bias (no dead layer)",
         lambda m: _gradients_flow(build, x, y)),
        ("a fresh network learns: 20 Adam steps (lr 3e-3) on 64 digits at least halve its loss",
         lambda m: _learns(build, x, y)),
    ]
    return check_properties(
        build, properties,
        hint="C1 = Conv2d(1, 6, 5), S2 = MaxPool2d(2), C3 = Conv2d(6, 16, 5), ...; apply F.relu after "
             "C1, C3, C5 and F6, flatten before F6, leave the output as raw logits, and keep PyTorch's "
             "initial weights.",
        name="build_modern_lenet", forbid=FORBID_MODERN)


# ------------------------------------------------------------------ exercise 6: LeNet without subsampling
#: Exercise 6: the shifts of the sweep, how many test digits it uses, and the names of its two curves.
EXPERIMENT_SHIFTS = (-4, -2, 0, 2, 4)
EXPERIMENT_TEST_DIGITS = 300
VARIANT_NAME, BASELINE_NAME = "no subsampling", "with subsampling"
_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, nn.LPPool2d,
          nn.FractionalMaxPool2d, Subsampling)


def _conv_sizes(model) -> list[tuple[nn.Conv2d, tuple, tuple]]:
    """(conv, input H x W, output H x W) of every Conv2d, in the order the forward pass calls them."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    calls = _trace(model, convs, torch.zeros(2, 1, 32, 32))
    return [(m, tuple(i.shape[-2:]), tuple(o.shape[-2:])) for m, i, o in calls]


def _no_subsampling(model) -> bool:
    """No pooling module, every convolution at stride 1, and nothing between convolutions shrinks the maps."""
    trace = _conv_sizes(model)
    sizes_in, sizes_out = [s for _, s, _ in trace], [s for _, _, s in trace]
    return (not any(isinstance(m, _POOLS) for m in model.modules()) and bool(trace) and sizes_in[0] == (32, 32)
            and all(tuple(c.stride) == (1, 1) for c, _, _ in trace) and sizes_in[1:] == sizes_out[:-1])


def _lenet_layers(model) -> bool:
    """C1, C3 (5x5 kernels), C5 convolutions and F6, output linear layers, with LeNet's sizes."""
    want = {"C1": (1, 6), "C3": (6, 16), "C5": (16, 120), "F6": (120, 84), "output": (84, 10)}
    m = {name: getattr(model, name, None) for name in want}
    convs = all(isinstance(m[n], nn.Conv2d) and (m[n].in_channels, m[n].out_channels) == want[n]
                for n in ("C1", "C3", "C5"))
    linears = all(isinstance(m[n], nn.Linear) and (m[n].in_features, m[n].out_features) == want[n]
                  for n in ("F6", "output"))
    return convs and linears and all(tuple(m[n].kernel_size) == (5, 5) for n in ("C1", "C3"))


def _variant_forward(model) -> bool:
    """C1-ReLU, C3-ReLU, C5-ReLU, flatten, F6-ReLU, output, recomputed with torch's functions and the weights."""
    x = torch.rand(3, 1, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        h = x
        for conv in (model.C1, model.C3, model.C5):
            h = F.relu(F.conv2d(h, conv.weight, conv.bias))
        h = F.relu(F.linear(h.flatten(1), model.F6.weight, model.F6.bias))
        expected = F.linear(h, model.output.weight, model.output.bias)
        return torch.allclose(model(x), expected, rtol=1e-5, atol=1e-6)


_LAST_EXPERIMENT: dict = {}


def _experiment_result(experiment, build, data):
    """``experiment(data)``. With a hidden seed in force, the hidden re-check reuses the run just made
    by the same functions on the same digits (the experiment is seeded and has no hidden cases)."""
    same = all(_LAST_EXPERIMENT.get(k) is v for k, v in (("experiment", experiment), ("build", build), ("data", data)))
    if hidden_seed() is None or not same:
        _LAST_EXPERIMENT.clear()
        _LAST_EXPERIMENT.update(experiment=experiment, build=build, data=data, result=experiment(data))
    return _LAST_EXPERIMENT["result"]


def _is_variant_curve(result, data) -> bool:
    """The sweep's 'no subsampling' curve is the returned network's: its point at shift 2, measured again."""
    variant, sweep = result
    x, y = data.x_test[:EXPERIMENT_TEST_DIGITS], data.y_test[:EXPERIMENT_TEST_DIGITS]
    mode = variant.training
    try:
        with torch.no_grad():
            variant.eval()
            got = float((variant(perturb(x, dx=2)).argmax(dim=1) == y).double().mean())
    finally:
        variant.train(mode)
    return abs(got - sweep.accuracy[VARIANT_NAME][list(np.asarray(sweep.values)).index(2)]) < 1e-9


def _experiment_properties(build, data) -> list:
    shifts = ", ".join(map(str, EXPERIMENT_SHIFTS))

    def same_network(result) -> bool:
        fresh = _fresh(build)
        # by name: a class defined inside build() is a new class at each call
        same_class = type(result[0]).__qualname__ == type(fresh).__qualname__
        return same_class and _same_layers(result[0], fresh)

    return [
        ("shift_experiment(data) returns (network, sweep), the sweep from helpers.train.robustness_sweep",
         lambda r: isinstance(r, (tuple, list)) and len(r) == 2 and isinstance(r[0], nn.Module)
         and isinstance(r[1], SweepResult)),
        ("the network is one built by build_no_subsampling()", same_network),
        (f"the sweep shifts the first {EXPERIMENT_TEST_DIGITS} test digits horizontally by {shifts} pixels",
         lambda r: r[1].kind == "shift" and [float(v) for v in r[1].values] == list(EXPERIMENT_SHIFTS)
         and r[1].n_digits == EXPERIMENT_TEST_DIGITS),
        (f"the sweep has the two curves {VARIANT_NAME!r} and {BASELINE_NAME!r}",
         lambda r: set(r[1].accuracy) == {VARIANT_NAME, BASELINE_NAME}),
        (f"the curve {VARIANT_NAME!r} is your network's (its point at shift 2, measured again)",
         lambda r: _is_variant_curve(r, data)),
    ]


@graded
@torch_threads(1)  # small networks: one thread is fastest
def check_no_subsampling(build, experiment, data) -> CheckReport:
    """``build()``: LeNet's layers without subsampling; ``experiment(data)`` -> (trained network, shift sweep).

    What is graded here is what can be checked honestly: the architecture (no pooling, stride 1,
    nothing shrinks the maps between convolutions, C5 ends at 1x1, 10 outputs) and that the sweep
    was run on the returned network with the shifts asked. The curve itself is read by a person.
    """
    require_digits(data)
    architecture = check_properties(build, [
        *_DIGIT_NET,
        ("its layers are C1 = Conv2d(1, 6, 5), C3 = Conv2d(6, 16, 5), C5 = Conv2d(16, 120, ...), "
         "F6 = Linear(120, 84), output = Linear(84, 10)", _lenet_layers),
        ("no subsampling: no pooling layer, every convolution at stride 1, nothing between two convolutions "
         "shrinks the maps", _no_subsampling),
        ("C5 turns each digit into 120 numbers: its maps are 1x1",
         lambda m: any(c is m.C5 and s_out == (1, 1) for c, _, s_out in _conv_sizes(m))),
        ("it computes C1-ReLU, C3-ReLU, C5-ReLU, flatten, F6-ReLU, output", _variant_forward),
    ], hint="without S2 and S4 nothing halves the maps: follow their size through C1 and C3, then choose "
            "C5's kernel so that its output is 1x1.",
        name="build_no_subsampling")
    if not architecture:
        return architecture
    run = check_properties(lambda: _experiment_result(experiment, build, data), _experiment_properties(build, data),
                           hint=f"train both networks, then call robustness_sweep({{{VARIANT_NAME!r}: variant, "
                                f"{BASELINE_NAME!r}: baseline}}, x, y, 'shift', SHIFTS) on the first "
                                f"{EXPERIMENT_TEST_DIGITS} test digits, and return (variant, sweep).",
                           name="shift_experiment")
    if not run:
        return run
    n = architecture.n_cases + run.n_cases
    return CheckReport("no_subsampling", True, n, [f"✓ no_subsampling: all {n} properties hold"]
                       + architecture.lines[1:] + run.lines[1:])
