"""LeNet-5 as published in 1998, and the same layout as it would be built today.

``LeNet5`` follows LeCun, Bottou, Bengio & Haffner (1998), "Gradient-based learning applied to
document recognition", Proc. IEEE 86(11), Section II.B and Appendix A:

======  =====================================================  ===========  ==========
layer   what it computes                                       parameters   connections
======  =====================================================  ===========  ==========
C1      6 maps 28x28, 5x5 convolution, squashed                156          122,304
S2      6 maps 14x14: 2x2 sum x coefficient + bias, squashed   12           5,880
C3      16 maps 10x10, 5x5 convolution over *some* S2 maps     1,516        151,600
S4      16 maps 5x5, as S2                                     32           2,000
C5      120 maps 1x1, 5x5 convolution over all S4 maps         48,120       48,120
F6      84 units, fully connected, squashed                    10,164       10,164
output  10 Euclidean RBF units, fixed ±1 prototypes            0            840
======  =====================================================  ===========  ==========

The squashing function is the paper's scaled tanh ``f(a) = 1.7159 tanh(2a/3)`` (Appendix A): f(±1) = ±1
and the second derivative is largest there. Each output unit computes the squared Euclidean distance
between F6's 84 states and a fixed 7x12 bitmap of its digit (:mod:`helpers.models.prototypes`): small means
"this looks like my digit", so the prediction is the **argmin**.

``ModernLeNet`` keeps the layout and swaps in what is usual today: ReLU, 2x2 max pooling, a full C3,
and ten logits trained with softmax cross-entropy.

``layer_table(net)`` lists each layer's output shape, trainable parameters and connections, computed
from the model (its modules and a forward pass), and ``format_layer_table`` prints it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from helpers.args import as_float, as_int, not_allowed
from helpers.counting import count_connections, count_parameters
from helpers.models.prototypes import prototype_matrix

__all__ = [
    "AMPLITUDE",
    "SLOPE",
    "BACKGROUND",
    "FOREGROUND",
    "scaled_tanh",
    "normalize_input",
    "c3_table",
    "Subsampling",
    "TableConv2d",
    "SquashedConv2d",
    "SquashedLinear",
    "RBFOutput",
    "map_loss",
    "LeNet5",
    "ModernLeNet",
    "LayerRow",
    "layer_table",
    "format_layer_table",
    "PAPER_PARAMETERS",
    "PAPER_CONNECTIONS",
]

#: Amplitude A and slope S of the paper's squashing function f(a) = A tanh(S a) (Appendix A).
AMPLITUDE, SLOPE = 1.7159, 2.0 / 3.0
#: Input levels (Section II.B): white background -> -0.1, black ink -> 1.175 (mean ~0, variance ~1).
BACKGROUND, FOREGROUND = -0.1, 1.175

#: The paper's trainable parameters and connections per layer (Section II.B), for comparisons.
PAPER_PARAMETERS = {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48120, "F6": 10164, "output": 0}
PAPER_CONNECTIONS = {"C1": 122304, "S2": 5880, "C3": 151600, "S4": 2000, "C5": 48120, "F6": 10164, "output": 840}


def scaled_tanh(a: torch.Tensor) -> torch.Tensor:
    """The paper's sigmoid: ``1.7159 * tanh(2a/3)``; maps ±1 to ±1 and saturates at ±1.7159."""
    return AMPLITUDE * torch.tanh(SLOPE * a)


def normalize_input(x: torch.Tensor) -> torch.Tensor:
    """Map pixels in [0, 1] (0 = background) to the paper's levels [-0.1, 1.175]."""
    return BACKGROUND + (FOREGROUND - BACKGROUND) * x


def _uniform_fan_in_(t: torch.Tensor, fan_in) -> torch.Tensor:
    """Appendix A's initialisation: uniform in ±2.4 / F, with F the unit's fan-in."""
    bound = 2.4 / torch.as_tensor(fan_in, dtype=t.dtype)
    with torch.no_grad():
        t.copy_((torch.rand_like(t) * 2 - 1) * bound)
    return t


# --------------------------------------------------------------------------- the C3 table
def c3_table() -> np.ndarray:
    """Table I of the paper, built from its rule: which S2 maps (rows) feed each C3 map (columns).

    The rule (Section II.B): C3 maps 0-5 take every *contiguous* subset of three S2 maps (the six
    maps are taken as a ring, so 4-5-0 and 5-0-1 count), maps 6-11 every contiguous subset of four,
    maps 12-14 three *non-contiguous* subsets of four, and map 15 all six.

    Returns:
        A ``(6, 16)`` bool array; ``table[i, j]`` is True when S2 map ``i`` feeds C3 map ``j``.

    >>> t = c3_table()
    >>> t.shape, int(t.sum()), t.sum(axis=0).tolist()
    ((6, 16), 60, [3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 6])
    """
    columns = [[(start + k) % 6 for k in range(3)] for start in range(6)]
    columns += [[(start + k) % 6 for k in range(4)] for start in range(6)]
    # The non-contiguous fours: two adjacent pairs with one gap between them, (0,1)+(3,4) and its
    # rotations by one and two. The paper uses three of these; a fourth rotation would repeat 0-1-3-4.
    columns += [sorted((start + k) % 6 for k in (0, 1, 3, 4)) for start in range(3)]
    columns += [list(range(6))]
    table = np.zeros((6, 16), dtype=bool)
    for j, rows in enumerate(columns):
        table[rows, j] = True
    return table


# --------------------------------------------------------------------------- layers
class Subsampling(nn.Module):
    """The paper's trainable subsampling (S2, S4): ``f(w_c * sum of a 2x2 block + b_c)``.

    Each output unit adds the four inputs of its non-overlapping 2x2 block, multiplies by the
    map's trainable coefficient ``weight[c]``, adds the map's trainable bias ``bias[c]`` and squashes
    with :func:`scaled_tanh`: 2 parameters per map.

    Args:
        channels: number of feature maps.
        kernel_size: side of the pooled block (2 in LeNet-5); the stride equals it.

    Shape:
        ``(N, C, H, W) -> (N, C, floor(H / k), floor(W / k))``.

    >>> Subsampling(6)(torch.zeros(1, 6, 28, 28)).shape
    torch.Size([1, 6, 14, 14])
    """

    def __init__(self, channels: int, kernel_size: int = 2):
        super().__init__()
        self.channels, self.kernel_size = as_int("channels", channels, 1), as_int("kernel_size", kernel_size, 1)
        self.weight = nn.Parameter(torch.empty(channels))
        self.bias = nn.Parameter(torch.empty(channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        fan_in = self.kernel_size**2
        _uniform_fan_in_(self.weight, fan_in)
        _uniform_fan_in_(self.bias, fan_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k = self.kernel_size
        h, w = x.shape[-2] // k, x.shape[-1] // k  # an odd last row or column is dropped
        blocks = x[..., : h * k, : w * k].reshape(*x.shape[:-2], h, k, w, k)
        block_sum = blocks.sum(dim=(-3, -1))  # (N, C, H/k, W/k): the sum of each k x k block
        return scaled_tanh(block_sum * self.weight[:, None, None] + self.bias[:, None, None])

    def connections(self, out_shape) -> int:
        """Each output unit: k*k inputs and a bias."""
        return math.prod(out_shape) * (self.kernel_size**2 + 1)

    def extra_repr(self) -> str:
        return f"{self.channels}, kernel_size={self.kernel_size}"


class TableConv2d(nn.Module):
    """A convolution in which output map ``j`` sees only the input maps ``i`` with ``table[i, j]``.

    Only the kernels the table allows exist as parameters (LeNet-5's C3: 60 kernels of 5x5 and 16
    biases = 1,516 parameters, not the 2,416 of a full layer). ``full_weight()`` scatters them into
    the usual ``(C_out, C_in, k, k)`` weight, zero where the table has no connection, and the
    forward pass is one ordinary convolution with it.

    Args:
        table: ``(C_in, C_out)`` bool array, exposed as ``self.table``.
        kernel_size: side of the square kernels.
        squash: apply :func:`scaled_tanh` to the result (as in LeNet-5).

    Shape:
        ``(N, C_in, H, W) -> (N, C_out, H - k + 1, W - k + 1)``.
    """

    def __init__(self, table, kernel_size: int = 5, squash: bool = True):
        super().__init__()
        table = np.asarray(table)
        if table.ndim != 2 or table.dtype != bool:
            raise ValueError(f"table has dtype {table.dtype} and shape {table.shape}; expected a 2-D bool array (C_in, C_out)")
        if not table.any(axis=0).all():
            empty = np.flatnonzero(~table.any(axis=0)).tolist()
            raise ValueError(f"table leaves output maps {empty} without any input; every column needs a True")
        kernel_size = as_int("kernel_size", kernel_size, 1)
        self.table = table.copy()
        self.table.flags.writeable = False
        self.in_channels, self.out_channels = table.shape
        self.kernel_size, self.squash = kernel_size, squash
        out_idx, in_idx = np.nonzero(table.T)  # one kernel per True cell, ordered by output map
        self.register_buffer("_out_idx", torch.as_tensor(out_idx, dtype=torch.long), persistent=False)
        self.register_buffer("_in_idx", torch.as_tensor(in_idx, dtype=torch.long), persistent=False)
        self.weight = nn.Parameter(torch.empty(len(out_idx), kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(self.out_channels))
        self.reset_parameters()

    def fan_in(self) -> np.ndarray:
        """Inputs per unit of each output map: (connected input maps) x k x k."""
        return self.table.sum(axis=0) * self.kernel_size**2

    def reset_parameters(self) -> None:
        fan = torch.as_tensor(self.fan_in(), dtype=torch.float32)
        _uniform_fan_in_(self.weight, fan[self._out_idx][:, None, None])
        _uniform_fan_in_(self.bias, fan)

    def full_weight(self) -> torch.Tensor:
        """The ``(C_out, C_in, k, k)`` weight, with zeros where the table has no connection."""
        k = self.kernel_size
        w = self.weight.new_zeros(self.out_channels, self.in_channels, k, k)
        return w.index_put((self._out_idx, self._in_idx), self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = F.conv2d(x, self.full_weight(), self.bias)
        return scaled_tanh(a) if self.squash else a

    def connections(self, out_shape) -> int:
        """Each unit of output map j: (inputs of j) x k x k weights and a bias."""
        h, w = out_shape[-2:]
        return int((self.fan_in() + 1).sum()) * h * w

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"connected pairs={int(self.table.sum())} of {self.table.size}")


class SquashedConv2d(nn.Conv2d):
    """``nn.Conv2d`` followed by the scaled tanh, initialised as in the paper (±2.4 / fan-in)."""

    def reset_parameters(self) -> None:
        fan_in = self.in_channels // self.groups * math.prod(self.kernel_size)
        _uniform_fan_in_(self.weight, fan_in)
        if self.bias is not None:
            _uniform_fan_in_(self.bias, fan_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return scaled_tanh(super().forward(x))


class SquashedLinear(nn.Linear):
    """``nn.Linear`` followed by the scaled tanh, initialised as in the paper (±2.4 / fan-in)."""

    def reset_parameters(self) -> None:
        _uniform_fan_in_(self.weight, self.in_features)
        if self.bias is not None:
            _uniform_fan_in_(self.bias, self.in_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return scaled_tanh(super().forward(x))


class RBFOutput(nn.Module):
    """Euclidean radial basis function units with fixed prototypes.

    ``y_i = sum_j (x_j - w_ij)^2``: the squared distance between the input vector and prototype
    ``i``. The prototypes are a registered buffer (saved with the model, moved by ``.to()``, never
    trained and not counted as parameters).

    Args:
        prototypes: ``(n_classes, n_features)`` array; default the ten 7x12 digit bitmaps.

    Shape:
        ``(N, n_features) -> (N, n_classes)``: a penalty per class, lower is better.
    """

    def __init__(self, prototypes=None):
        super().__init__()
        p = prototype_matrix() if prototypes is None else np.asarray(prototypes, dtype=np.float32)
        if p.ndim != 2:
            raise ValueError(f"prototypes has shape {p.shape}; expected (n_classes, n_features)")
        self.register_buffer("prototypes", torch.as_tensor(p))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ((x[:, None, :] - self.prototypes[None, :, :]) ** 2).sum(dim=-1)

    def connections(self, out_shape) -> int:
        """Each output unit: one connection per input, no bias."""
        return math.prod(out_shape) * self.prototypes.shape[1]

    def extra_repr(self) -> str:
        n, d = self.prototypes.shape
        return f"{d} -> {n}, fixed prototypes"


def map_loss(penalties: torch.Tensor, target: torch.Tensor, j: float = 0.1) -> torch.Tensor:
    """The paper's MAP criterion (eq. 9), averaged over the batch.

    ``E = y_D + log(exp(-j) + sum_i exp(-y_i))``, with ``y_D`` the correct class's penalty. The first
    term alone is the plain RBF loss (eq. 8): pull F6 towards the right prototype. The second term
    pushes the *wrong* classes' penalties up, but only those below about ``j``: a competition
    between classes, like a softmax whose extra "rubbish" class has the fixed score ``-j``.

    Args:
        penalties: ``(N, 10)`` RBF outputs (non-negative distances).
        target: ``(N,)`` int64 labels.
        j: the positive constant of eq. 9.
    """
    if penalties.dim() != 2 or target.shape != penalties.shape[:1]:
        raise ValueError(f"penalties has shape {tuple(penalties.shape)} and target {tuple(target.shape)}; expected (N, C) and (N,)")
    j = as_float("j", j, 0, open_low=True)
    y_correct = penalties.gather(1, target[:, None])[:, 0]
    rubbish = torch.full_like(penalties[:, :1], -float(j))
    competition = torch.logsumexp(torch.cat([rubbish, -penalties], dim=1), dim=1)
    return (y_correct + competition).mean()


# --------------------------------------------------------------------------- the networks
class LeNet5(nn.Module):
    """LeNet-5 as in LeCun et al. (1998): trainable subsampling, the C3 table, RBF outputs.

    The input is a batch of 32x32 grey images with pixels in [0, 1] (0 = background), e.g.
    ``helpers.data.load_digits()``; the first step maps them to the paper's levels -0.1 (background)
    and 1.175 (ink), which makes the mean input about 0 and its variance about 1.

    Args:
        j: the constant of the MAP loss (:func:`map_loss`).
        normalize: map [0, 1] inputs to [-0.1, 1.175] first (set False if yours already are).

    Shape:
        ``(N, 1, 32, 32) -> (N, 10)``: one penalty (squared distance) per digit; lower is better.

    >>> net = LeNet5()
    >>> net(torch.zeros(2, 1, 32, 32)).shape, count_parameters(net)
    (torch.Size([2, 10]), 60000)
    """

    def __init__(self, j: float = 0.1, normalize: bool = True):
        super().__init__()
        self.j, self.normalize = float(j), normalize
        self.C1 = SquashedConv2d(1, 6, kernel_size=5)  # 1@32x32 -> 6@28x28
        self.S2 = Subsampling(6)  # 6@28x28 -> 6@14x14
        self.C3 = TableConv2d(c3_table(), kernel_size=5)  # 6@14x14 -> 16@10x10, Table I
        self.S4 = Subsampling(16)  # 16@10x10 -> 16@5x5
        self.C5 = SquashedConv2d(16, 120, kernel_size=5)  # 16@5x5 -> 120@1x1
        self.F6 = SquashedLinear(120, 84)  # 120 -> 84
        self.output = RBFOutput()  # 84 -> 10 distances to the digit bitmaps

    def features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every layer's output, by name (for the feature-map figures)."""
        if self.normalize:
            x = normalize_input(x)
        out = {}
        for name in ("C1", "S2", "C3", "S4", "C5"):
            x = out[name] = getattr(self, name)(x)
        x = out["F6"] = self.F6(x.flatten(1))
        out["output"] = self.output(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)["output"]

    def loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The MAP criterion of eq. 9 (see :func:`map_loss`)."""
        return map_loss(output, target, self.j)

    @staticmethod
    def predict(output: torch.Tensor) -> torch.Tensor:
        """The digit whose prototype is nearest: argmin of the penalties."""
        return output.argmin(dim=1)

    def probabilities(self, output: torch.Tensor) -> torch.Tensor:
        """Class probabilities ``(N, 10)`` from the penalties ``y_i``, read as the MAP criterion does.

        ``p_i = exp(-y_i) / (exp(-j) + sum_k exp(-y_k))``: the missing mass belongs to the
        "rubbish" class (none of the digits), whose score is ``-j`` (:func:`map_loss`).
        """
        rubbish = torch.full_like(output[:, :1], -self.j)
        return torch.softmax(torch.cat([-output, rubbish], dim=1), dim=1)[:, :-1]


class ModernLeNet(nn.Module):
    """The same layout with today's choices: ReLU, 2x2 max pooling, a full C3, ten logits.

    Trained with softmax cross-entropy (``helpers.train.fit``'s default) and predicted by argmax.
    The input is normalised as in :class:`LeNet5`, so the two see the same numbers.

    Shape:
        ``(N, 1, 32, 32) -> (N, 10)`` logits.
    """

    def __init__(self, normalize: bool = True):
        super().__init__()
        self.normalize = normalize
        self.C1 = nn.Conv2d(1, 6, kernel_size=5)  # 1@32x32 -> 6@28x28, then ReLU
        self.S2 = nn.MaxPool2d(2)  # 6@28x28 -> 6@14x14
        self.C3 = nn.Conv2d(6, 16, kernel_size=5)  # 6@14x14 -> 16@10x10 (every S2 map), then ReLU
        self.S4 = nn.MaxPool2d(2)  # 16@10x10 -> 16@5x5
        self.C5 = nn.Conv2d(16, 120, kernel_size=5)  # 16@5x5 -> 120@1x1, then ReLU
        self.F6 = nn.Linear(120, 84)  # 120 -> 84, then ReLU
        self.output = nn.Linear(84, 10)  # 84 -> 10 logits

    def features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every layer's output, by name (after its ReLU where it has one)."""
        if self.normalize:
            x = normalize_input(x)
        out = {}
        x = out["C1"] = F.relu(self.C1(x))
        x = out["S2"] = self.S2(x)
        x = out["C3"] = F.relu(self.C3(x))
        x = out["S4"] = self.S4(x)
        x = out["C5"] = F.relu(self.C5(x))
        x = out["F6"] = F.relu(self.F6(x.flatten(1)))
        out["output"] = self.output(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)["output"]

    def loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Softmax cross-entropy."""
        return F.cross_entropy(output, target)

    @staticmethod
    def predict(output: torch.Tensor) -> torch.Tensor:
        """The class with the largest logit."""
        return output.argmax(dim=1)


# --------------------------------------------------------------------------- parameters and connections
LAYERS = ("C1", "S2", "C3", "S4", "C5", "F6", "output")


@dataclass
class LayerRow:
    """One row of :func:`layer_table`."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    parameters: int
    connections: int


def layer_table(net: nn.Module, input_size: int = 32) -> list[LayerRow]:
    """Per layer: output shape, trainable parameters and connections, measured on ``net``.

    The output shapes come from one forward pass of a ``(1, 1, input_size, input_size)`` batch through
    ``net.features``; parameters are counted with ``requires_grad``; connections with
    :func:`count_connections`.
    """
    if not hasattr(net, "features"):
        raise not_allowed("net", f"<{type(net).__name__}>",
                          "a network with a features() method that returns each layer's output (LeNet5, ModernLeNet)")
    param = next(net.parameters())
    with torch.no_grad():
        outs = net.features(torch.zeros(1, 1, input_size, input_size, device=param.device, dtype=param.dtype))
    rows = []
    for name in LAYERS:
        module = getattr(net, name)
        shape = tuple(outs[name].shape[1:])
        rows.append(LayerRow(name, type(module).__name__, shape, count_parameters(module),
                             count_connections(module, shape)))
    return rows


def format_layer_table(rows: list[LayerRow], paper: bool = True) -> str:
    """The table as text, with totals and (``paper=True``) the paper's numbers beside ours."""
    head = ["layer", "type", "output", "parameters", "connections"] + (["paper params", "paper conns"] if paper else [])
    body = []
    for r in rows:
        shape = "x".join(map(str, r.output_shape))
        line = [r.name, r.kind, shape, f"{r.parameters:,}", f"{r.connections:,}"]
        if paper:
            line += [f"{PAPER_PARAMETERS[r.name]:,}", f"{PAPER_CONNECTIONS[r.name]:,}"]
        body.append(line)
    total = ["total", "", "", f"{sum(r.parameters for r in rows):,}", f"{sum(r.connections for r in rows):,}"]
    if paper:
        total += [f"{sum(PAPER_PARAMETERS.values()):,}", f"{sum(PAPER_CONNECTIONS.values()):,}"]
    widths = [max(len(line[k]) for line in [head, *body, total]) for k in range(len(head))]

    def fmt(line):
        return "  ".join(c.rjust(w) if k >= 3 else c.ljust(w) for k, (c, w) in enumerate(zip(line, widths))).rstrip()

    rule = "-" * len(fmt(head))
    return "\n".join([fmt(head), rule, *map(fmt, body), rule, fmt(total)])
