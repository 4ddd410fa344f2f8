"""The degradation problem (He et al., CVPR 2016, Fig. 1 and 4): deeper plain nets train worse; residual ones do not.

:func:`degradation_experiment` trains plain and residual :class:`helpers.models.resnet.SmallNet`
of several depths on the same digits with the same budget (the same number of SGD steps on the
same minibatches) and records the training loss of every step. Each plain net starts from the same
weights as its residual twin (the shortcut projections, which only the residual net has, aside).
:func:`gradient_norms` measures, at initialisation, the gradient norm of every convolution's
weights, from the input side to the output side. :func:`train_steps` trains any model for a fixed
number of steps and records its test accuracy along the way (to compare, say, ReLU with tanh).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers.args import as_float, as_int, not_allowed
from helpers.models.resnet import SmallNet

__all__ = [
    "twin_nets",
    "gradient_norms",
    "DegradationResult",
    "degradation_experiment",
    "train_steps",
]


def twin_nets(depth: int, width: int = 4, seed: int = 0, in_channels: int = 1, norm: bool = True):
    """A plain and a residual :class:`SmallNet` of ``depth`` with the same initial weights.

    The residual net is built first from ``seed``; the plain net then copies every weight they
    share (all but the residual net's projection shortcuts).

    Returns:
        ``(plain, residual)``
    """
    torch.manual_seed(as_int("seed", seed, 0))
    residual = SmallNet(depth, residual=True, width=width, norm=norm, in_channels=in_channels)
    plain = SmallNet(depth, residual=False, width=width, norm=norm, in_channels=in_channels)
    shared = {k: v for k, v in residual.state_dict().items() if ".shortcut." not in k}
    plain.load_state_dict(shared, strict=True)
    return plain, residual


def gradient_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """``||dL/dW||`` of every ``Conv2d`` weight (in definition order: input side first), for one batch.

    ``L`` is the mean cross-entropy of ``model(x)`` against ``y``. The model is left unchanged
    (its gradients are cleared afterwards); batch norm uses the batch's statistics, as in training.
    """
    if not isinstance(model, nn.Module):
        raise not_allowed("model", model, "a torch.nn.Module")
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError("the model has no Conv2d layer")
    was_training = model.training
    model.train()
    try:
        loss = F.cross_entropy(model(x), y)
        grads = torch.autograd.grad(loss, [c.weight for c in convs])
    finally:
        model.train(was_training)
    return np.array([float(g.norm()) for g in grads])


@dataclass
class DegradationResult:
    """Training losses of the plain and residual nets, one array per ``(kind, depth)``, kind "plain"/"residual"."""

    depths: tuple[int, ...]
    steps: int
    losses: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0

    def final_loss(self, kind: str, depth: int, last: int = 10) -> float:
        """Mean training loss of the last ``last`` steps (one minibatch is noisy)."""
        return float(self.losses[(kind, depth)][-last:].mean())

    def __repr__(self) -> str:
        lines = [f"{'depth':>5}  {'plain':>6}  {'residual':>8}   (training loss)"]
        for d in self.depths:
            lines.append(f"{d:>5}  {self.final_loss('plain', d):>6.3f}  {self.final_loss('residual', d):>8.3f}")
        lines.append(f"({self.steps} SGD steps each; training loss averaged over the last 10 steps; "
                     f"{self.seconds:.1f} s in all)")
        return "\n".join(lines)


def _train(model, x, y, steps, batch_size, lr, seed) -> np.ndarray:
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    order = torch.Generator().manual_seed(seed)
    losses = np.empty(steps)
    model.train()
    for s in range(steps):
        idx = torch.randint(0, len(x), (batch_size,), generator=order)   # the same minibatches for every net
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses[s] = float(loss.detach())
    return losses


def degradation_experiment(data, depths=(8, 20, 32), steps: int = 60, batch_size: int = 32, lr: float = 0.05,
                           width: int = 4, shrink: int = 2, seed: int = 0) -> DegradationResult:
    """Train plain and residual nets of each depth with the same budget; record every step's training loss.

    Args:
        data: has ``x_train`` and ``y_train`` (``helpers.data.load_digits()``); only they are used.
        depths: depths ``6n + 2`` (8, 14, 20, 26, 32, ...).
        steps: SGD steps (momentum 0.9) for every net, on the same minibatches.
        width: channels of the first stage (then ``2 width`` and ``4 width``).
        shrink: the digits are average-pooled by this factor first (2: 32x32 -> 16x16), to save time.
    """
    as_int("steps", steps, 1)
    as_int("batch_size", batch_size, 1)
    as_float("lr", lr, 0.0)
    k = as_int("shrink", shrink, 1)
    depths = tuple(depths)
    if not depths:
        raise not_allowed("depths", depths, "one or more depths 6n + 2")
    if not (hasattr(data, "x_train") and hasattr(data, "y_train")):
        raise not_allowed("data", type(data).__name__, "an object with x_train and y_train (helpers.data.load_digits())")
    x_train = F.avg_pool2d(data.x_train, k)
    result = DegradationResult(depths, steps)
    start = time.perf_counter()
    for d in depths:
        nets = dict(zip(("plain", "residual"), twin_nets(d, width, seed, in_channels=x_train.shape[1])))
        for kind, net in nets.items():
            result.losses[(kind, d)] = _train(net, x_train, data.y_train, steps, batch_size, lr, seed)
    result.seconds = time.perf_counter() - start
    return result


def train_steps(model: nn.Module, data, steps: int = 300, lr: float = 0.05, batch_size: int = 32,
                eval_every: int = 25, n_test: int = 500, seed: int = 0, optimizer: str = "sgd"):
    """Train for ``steps`` minibatches; the test accuracy every ``eval_every`` steps.

    ``optimizer`` is ``"sgd"`` (momentum 0.9) or ``"adam"``.

    Returns:
        ``(steps, accuracy)``: two arrays, the step numbers and the accuracy on the first
        ``n_test`` test digits after them. The model is left in evaluation mode.
    """
    as_int("steps", steps, 1)
    as_int("eval_every", eval_every, 1)
    as_int("n_test", n_test, 1)
    lr = as_float("lr", lr, 0.0)
    if optimizer not in ("sgd", "adam"):
        raise not_allowed("optimizer", optimizer, "'sgd' or 'adam'")
    opt = (torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9) if optimizer == "sgd"
           else torch.optim.Adam(model.parameters(), lr=lr))
    order = torch.Generator().manual_seed(as_int("seed", seed, 0))
    torch.manual_seed(seed)   # dropout
    x_test, y_test = data.x_test[:n_test], data.y_test[:n_test]
    marks, accuracy = [], []
    for s in range(1, steps + 1):
        model.train()
        idx = torch.randint(0, len(data.x_train), (batch_size,), generator=order)
        loss = F.cross_entropy(model(data.x_train[idx]), data.y_train[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if s % eval_every == 0 or s == steps:
            model.eval()
            with torch.no_grad():
                accuracy.append(float((model(x_test).argmax(1) == y_test).float().mean()))
            marks.append(s)
    return np.array(marks), np.array(accuracy)
