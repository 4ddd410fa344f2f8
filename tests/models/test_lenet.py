"""LeNet-5 against the 1998 paper: Table I, parameter and connection counts, layers and loss.

Oracles: the paper's own numbers (Section II.B), Table I typed in cell by cell, loops that read like
the paper's definitions, torch's cross-entropy, and the dependency pattern of each layer measured
with autograd (for the connection counts).
"""

import copy
import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from helpers.counting import count_connections
from helpers.models.lenet import (
    AMPLITUDE,
    PAPER_CONNECTIONS,
    PAPER_PARAMETERS,
    LeNet5,
    ModernLeNet,
    RBFOutput,
    Subsampling,
    TableConv2d,
    c3_table,
    format_layer_table,
    layer_table,
    map_loss,
    normalize_input,
    scaled_tanh,
)
from helpers.models.prototypes import PROTOTYPES

# Table I of LeCun et al. (1998), typed from the paper: row = S2 map, column = C3 map 0..15.
TABLE_I = [
    "X...XXX..XXXX.XX",
    "XX...XXX..XXXX.X",
    "XXX...XXX..X.XXX",
    ".XXX..XXXX..X.XX",
    "..XXX..XXXX.XX.X",
    "...XXX..XXXX.XXX",
]
# Section II.B, layer by layer.
PAPER_PARAMS = {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48120, "F6": 10164}
PAPER_CONNS = {"C1": 122304, "S2": 5880, "C3": 151600, "S4": 2000, "C5": 48120, "F6": 10164}


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    return LeNet5()


# ------------------------------------------------------------------ Table I
@pytest.mark.parametrize("i", range(6))
@pytest.mark.parametrize("j", range(16))
def test_c3_table_equals_the_paper_cell_by_cell(net, i, j):
    assert bool(net.C3.table[i, j]) == (TABLE_I[i][j] == "X"), f"S2 map {i} -> C3 map {j}"


def test_c3_table_type_and_the_rule(net):
    t = net.C3.table
    assert isinstance(t, np.ndarray) and t.dtype == bool and t.shape == (6, 16)
    assert np.array_equal(t, c3_table())
    ring = lambda cols: any(set(cols) == {(s + k) % 6 for k in range(len(cols))} for s in range(6))  # noqa: E731
    columns = [tuple(np.flatnonzero(t[:, j])) for j in range(16)]
    assert all(len(c) == 3 and ring(c) for c in columns[:6])
    assert all(len(c) == 4 and ring(c) for c in columns[6:12])
    assert all(len(c) == 4 and not ring(c) for c in columns[12:15])
    assert columns[15] == tuple(range(6))
    assert len(set(columns)) == 16, "no two C3 maps see the same S2 maps"
    with pytest.raises(ValueError):
        t[0, 1] = True  # read-only: nobody edits the model's table by accident


# ------------------------------------------------------------------ parameters and connections
@pytest.mark.parametrize("name", list(PAPER_PARAMS))
def test_trainable_parameters_per_layer(net, name):
    n = sum(p.numel() for p in getattr(net, name).parameters() if p.requires_grad)
    assert n == PAPER_PARAMS[name]


def test_total_parameters_and_table(net):
    assert sum(p.numel() for p in net.parameters() if p.requires_grad) == 60_000
    rows = {r.name: r for r in layer_table(net)}
    assert {k: rows[k].parameters for k in PAPER_PARAMS} == PAPER_PARAMS
    assert {k: rows[k].connections for k in PAPER_CONNS} == PAPER_CONNS
    assert rows["output"].parameters == 0 and rows["output"].connections == 840
    assert sum(r.connections for r in rows.values()) == 340_908
    text = format_layer_table(layer_table(net))
    assert "60,000" in text and "340,908" in text and "151,600" in text


def test_paper_constants_match_the_transcription():
    assert {k: PAPER_PARAMETERS[k] for k in PAPER_PARAMS} == PAPER_PARAMS
    assert {k: PAPER_CONNECTIONS[k] for k in PAPER_CONNS} == PAPER_CONNS


def _inputs_of(layer_name):
    """A random input of the right shape for the layer (what the previous layer produces)."""
    shapes = {"C1": (1, 1, 32, 32), "S2": (1, 6, 28, 28), "C3": (1, 6, 14, 14), "S4": (1, 16, 10, 10),
              "C5": (1, 16, 5, 5), "F6": (1, 120), "output": (1, 84)}
    return torch.randn(shapes[layer_name], dtype=torch.float64, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("name", list(PAPER_CONNS) + ["output"])
def test_connections_equal_the_measured_dependencies(net, name):
    """Independent count: which inputs each unit depends on (autograd Jacobian), plus its bias."""
    layer = copy.deepcopy(getattr(net, name)).double()
    x = _inputs_of(name)
    jac = torch.autograd.functional.jacobian(lambda v: layer(v).flatten(), x).reshape(-1, x.numel())
    n_units = jac.shape[0]
    has_bias = getattr(layer, "bias", None) is not None
    measured = int((jac != 0).sum()) + (n_units if has_bias else 0)
    out_shape = tuple(layer(x).shape[1:])
    assert count_connections(layer, out_shape) == measured
    assert measured == PAPER_CONNECTIONS[name]


def test_connections_of_modern_layers():
    m = ModernLeNet()
    rows = {r.name: r for r in layer_table(m)}
    assert rows["C3"].parameters == 6 * 16 * 25 + 16 == 2416
    assert rows["C3"].connections == 2416 * 100
    assert rows["S2"].parameters == 0 and rows["S2"].connections == 6 * 14 * 14 * 4
    assert sum(r.parameters for r in rows.values()) == sum(p.numel() for p in m.parameters()) == 61_706
    with pytest.raises(ValueError, match="no rule"):
        count_connections(torch.nn.ReLU(), (3,))


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize("model", [LeNet5, ModernLeNet])
def test_output_shapes(model):
    torch.manual_seed(0)
    feats = model().features(torch.rand(3, 1, 32, 32))
    assert {k: tuple(v.shape) for k, v in feats.items()} == {
        "C1": (3, 6, 28, 28), "S2": (3, 6, 14, 14), "C3": (3, 16, 10, 10), "S4": (3, 16, 5, 5),
        "C5": (3, 120, 1, 1), "F6": (3, 84), "output": (3, 10)}


# ------------------------------------------------------------------ layers against loops
def test_scaled_tanh_constants():
    a = torch.tensor([-1.0, 0.0, 1.0, 50.0], dtype=torch.float64)
    f = scaled_tanh(a)
    assert torch.allclose(f[:3], torch.tensor([-1.0, 0.0, 1.0], dtype=torch.float64), atol=1e-4)  # f(±1) ≈ ±1
    assert abs(float(f[3]) - 1.7159) < 1e-9 and AMPLITUDE == 1.7159
    # the second derivative of A tanh(S a) is extremal at a = ±1 (Appendix A's reason for the constants)
    grid = torch.linspace(0.2, 3, 2801, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(scaled_tanh(grid).sum(), grid, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), grid)
    assert abs(float(grid.detach()[h.abs().argmax()]) - 0.988) < 0.01


def test_normalize_input_levels():
    x = torch.tensor([0.0, 1.0])
    assert torch.allclose(normalize_input(x), torch.tensor([-0.1, 1.175]))


def test_subsampling_equals_a_hand_oracle():
    torch.manual_seed(3)
    layer = Subsampling(3).double()
    x = torch.randn(2, 3, 6, 7, dtype=torch.float64)  # odd width: the last column is dropped
    out = layer(x)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    xn = x.numpy()
    expected = np.zeros((2, 3, 3, 3))
    for n in range(2):
        for c in range(3):
            for i in range(3):
                for j in range(3):
                    s = xn[n, c, 2 * i, 2 * j] + xn[n, c, 2 * i + 1, 2 * j] + xn[n, c, 2 * i, 2 * j + 1] + xn[n, c, 2 * i + 1, 2 * j + 1]
                    expected[n, c, i, j] = 1.7159 * math.tanh(2 / 3 * (w[c] * s + b[c]))
    assert out.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)


def test_partial_conv_equals_a_loop_over_the_table():
    torch.manual_seed(4)
    layer = TableConv2d(c3_table(), kernel_size=5).double()
    x = torch.randn(2, 6, 14, 14, dtype=torch.float64)
    w = layer.full_weight().detach()
    out = layer(x)
    for j in range(16):
        a = layer.bias[j].detach() + sum(
            F.conv2d(x[:, i:i + 1], w[j:j + 1, i:i + 1]) for i in range(6) if c3_table()[i, j])
        torch.testing.assert_close(out[:, j:j + 1], 1.7159 * torch.tanh(2 / 3 * a))
    # the kernels outside the table are exactly zero: no hidden parameters
    assert torch.all(w[torch.as_tensor(~c3_table().T)] == 0)
    # an S2 map outside a column's table does not change that C3 map
    x2 = x.clone()
    x2[:, 1] += 5.0  # S2 map 1 does not feed C3 maps 0, 3, 4, 8, 9, 14
    changed = (layer(x2) - out).abs().amax(dim=(0, 2, 3)) > 0
    assert changed.tolist() == c3_table()[1].tolist()


def test_partial_conv_rejects_bad_tables():
    with pytest.raises(ValueError, match="bool"):
        TableConv2d(np.ones((6, 16)))
    with pytest.raises(ValueError, match="without any input"):
        TableConv2d(np.zeros((6, 2), dtype=bool))
    with pytest.raises(ValueError, match="kernel_size"):
        TableConv2d(c3_table(), kernel_size=0)
    with pytest.raises(ValueError, match="channels"):
        Subsampling(0)


def test_initialisation_within_the_papers_range(net):
    """Appendix A: uniform in ±2.4 / fan-in."""
    assert net.C1.weight.abs().max() <= 2.4 / 25
    assert net.S2.weight.abs().max() <= 2.4 / 4
    assert net.C5.weight.abs().max() <= 2.4 / 400
    assert net.F6.weight.abs().max() <= 2.4 / 120
    fan = torch.as_tensor(net.C3.fan_in(), dtype=torch.float32)  # 75, 100 or 150 inputs per unit
    assert torch.all(net.C3.bias.abs() <= 2.4 / fan)
    assert net.C3.weight.abs().amax(dim=(1, 2)).max() > 2.4 / 150  # not all drawn with the widest fan-in


# ------------------------------------------------------------------ RBF output and loss
def test_prototypes_are_a_fixed_buffer(net):
    p = net.output.prototypes
    assert tuple(p.shape) == (10, 84)
    assert set(p.unique().tolist()) == {-1.0, 1.0}
    assert np.array_equal(p.numpy().reshape(10, 12, 7), PROTOTYPES)
    assert "output.prototypes" in net.state_dict()
    assert all(q is not p for q in net.parameters()) and not p.requires_grad
    assert sum(q.numel() for q in net.output.parameters()) == 0


def test_rbf_is_the_squared_distance():
    rbf = RBFOutput()
    x = torch.randn(4, 84, generator=torch.Generator().manual_seed(2))
    expected = torch.cdist(x, rbf.prototypes) ** 2
    torch.testing.assert_close(rbf(x), expected, rtol=1e-5, atol=1e-4)
    # F6 drawing digit 7's bitmap exactly: penalty 0 for 7, the argmin
    y = rbf(rbf.prototypes[7:8])
    assert float(y[0, 7]) == 0.0 and int(LeNet5.predict(y)) == 7


def test_map_loss_matches_a_hand_computed_value():
    y = torch.tensor([[3.0, 0.5, 2.0], [1.0, 4.0, 0.2]], dtype=torch.float64)
    target = torch.tensor([1, 0])
    j = 0.1
    e0 = 0.5 + math.log(math.exp(-j) + math.exp(-3.0) + math.exp(-0.5) + math.exp(-2.0))
    e1 = 1.0 + math.log(math.exp(-j) + math.exp(-1.0) + math.exp(-4.0) + math.exp(-0.2))
    assert abs(float(map_loss(y, target, j)) - (e0 + e1) / 2) < 1e-12


def test_map_loss_is_cross_entropy_with_a_rubbish_class():
    """Eq. 9 equals softmax cross-entropy over the logits (-y_0, ..., -y_9, -j)."""
    g = torch.Generator().manual_seed(5)
    y = torch.rand(8, 10, generator=g, dtype=torch.float64) * 20
    target = torch.randint(0, 10, (8,), generator=g)
    logits = torch.cat([-y, torch.full((8, 1), -0.1, dtype=torch.float64)], dim=1)
    torch.testing.assert_close(map_loss(y, target, 0.1), F.cross_entropy(logits, target))
    with pytest.raises(ValueError, match="j="):
        map_loss(y, target, 0.0)
    with pytest.raises(ValueError, match="penalties"):
        map_loss(y[0], target)


def test_predict_is_argmin_and_loss_is_used(net):
    out = torch.tensor([[5.0, 1.0, 3.0], [0.1, 2.0, 0.3]])
    assert LeNet5.predict(out).tolist() == [1, 0]
    assert ModernLeNet.predict(out).tolist() == [0, 1]
    z = torch.randn(4, 10)
    t = torch.tensor([1, 2, 3, 4])
    torch.testing.assert_close(ModernLeNet().loss(z, t), F.cross_entropy(z, t))
    torch.testing.assert_close(net.loss(z.abs(), t), map_loss(z.abs(), t, net.j))


@pytest.mark.parametrize("model", [LeNet5, ModernLeNet])
def test_gradients_reach_every_parameter(model):
    torch.manual_seed(0)
    m = model()
    x = torch.rand(8, 1, 32, 32)
    y = torch.arange(8) % 10
    m.loss(m(x), y).backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, name


def test_numerical_gradient_of_the_subsampling_layer():
    """Autograd's gradients of S2 with respect to its input, coefficient and bias = finite differences."""
    torch.manual_seed(6)
    layer = Subsampling(2).double()
    x = torch.randn(1, 2, 4, 4, dtype=torch.float64, requires_grad=True)
    w = layer.weight.detach().clone().requires_grad_()
    b = layer.bias.detach().clone().requires_grad_()
    f = lambda x, w, b: torch.func.functional_call(layer, {"weight": w, "bias": b}, (x,))  # noqa: E731
    assert torch.autograd.gradcheck(f, (x, w, b))


def test_layer_table_needs_features():
    with pytest.raises(ValueError, match="features"):
        layer_table(torch.nn.Linear(3, 2))
