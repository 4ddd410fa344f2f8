"""Training and evaluation loops for the small networks of the course, and one digit through a network.

``fit`` trains with minibatches and shows a progress bar (tqdm). It does not draw: after each epoch
it calls ``callback(epoch, history)``; ``plot=True`` passes the live loss / accuracy plot of
:class:`helpers.figures.base.LivePlot`. It is seeded and leaves torch's global generator alone: the
same model (its initial weights are the caller's), data and seed give the same numbers on every run
(on the same device and torch build).

A model can bring its own loss and decision rule: ``fit`` uses ``model.loss(output, y)`` when the
model defines it (LeNet-5's RBF loss, for example), else cross-entropy, and ``model.predict(output)``
when defined, else the arg-max of the output; likewise ``model.probabilities(output)``, else softmax.

``explore_digit`` perturbs one digit, runs a network on it and returns every map the LeNet-5
widgets draw (:class:`DigitView`); ``robustness_sweep`` does the same for a whole test split.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from helpers.args import as_float, as_int, not_allowed, one_of
from helpers.deform import perturb
from helpers.session import pick_device, torch_threads

__all__ = [
    "History",
    "evaluate",
    "fit",
    "require_digits",
    "predict",
    "class_probabilities",
    "DigitView",
    "explore_digit",
    "SWEEP_KINDS",
    "SweepResult",
    "robustness_sweep",
]

OPTIMIZERS = ("adam", "adamw", "sgd")


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch. ``seconds`` is cumulative training time."""

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    figure: object = None

    @property
    def final_test_acc(self) -> float:
        return self.test_acc[-1] if self.test_acc else float("nan")

    def __repr__(self) -> str:
        if not self.epoch:
            return "History(no epochs)"
        return (f"History({len(self.epoch)} epochs in {self.seconds[-1]:.1f} s: "
                f"train acc {self.train_acc[-1]:.2%}, test acc {self.test_acc[-1]:.2%})")


def _loss_fn(model):
    own = getattr(model, "loss", None)
    return own if callable(own) and not isinstance(own, torch.nn.Module) else F.cross_entropy


def _decide(model, output: torch.Tensor) -> torch.Tensor:
    own = getattr(model, "predict", None)
    return own(output) if callable(own) else output.argmax(dim=1)


def _device(model, device):
    if device is not None:
        return torch.device(device)
    first = next(iter(model.parameters()), None)
    return first.device if first is not None else pick_device()


def require_digits(data) -> None:
    """Raise ``ValueError`` unless ``data`` has ``x_train``, ``y_train``, ``x_test`` and ``y_test``."""
    for name in ("x_train", "y_train", "x_test", "y_test"):
        if not hasattr(data, name):
            raise ValueError(f"data must have x_train, y_train, x_test and y_test (helpers.data.load_digits()); "
                             f"it has no {name!r}")


def _check_xy(x, y, name="x"):
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise not_allowed(name, f"<{type(x).__name__}> with labels <{type(y).__name__}>", "torch tensors")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"{name} has {len(x)} entries and its labels {len(y)}; expected the same non-zero length")


@torch.no_grad()
def _run_eval(model, x, y, batch_size, device):
    was_training = model.training
    model.eval()
    total_loss, correct, decisions = 0.0, 0, []
    loss_fn = _loss_fn(model)
    try:
        for start in range(0, len(x), batch_size):
            xb = x[start:start + batch_size].to(device)
            out = model(xb)
            pred = _decide(model, out).cpu()
            decisions.append(pred)
            if y is not None:
                yb = y[start:start + batch_size].to(device)
                total_loss += float(loss_fn(out, yb)) * len(xb)
                correct += int((pred == yb.cpu()).sum())
    finally:
        model.train(was_training)
    n = len(x)
    return total_loss / n, correct / n, torch.cat(decisions)


def evaluate(model, x: torch.Tensor, y: torch.Tensor, batch_size: int = 512, device=None) -> float:
    """Accuracy of ``model`` on ``(x, y)``, in [0, 1] (evaluation mode, no gradients)."""
    _check_xy(x, y)
    return _run_eval(model, x, y, batch_size, _device(model, device))[1]


def predict(model, x: torch.Tensor, batch_size: int = 512, device=None) -> np.ndarray:
    """The model's decisions for ``x`` as an int64 numpy array."""
    if not isinstance(x, torch.Tensor) or len(x) == 0:
        raise not_allowed("x", f"<{type(x).__name__}>", "a non-empty torch tensor")
    return _run_eval(model, x, None, batch_size, _device(model, device))[2].numpy().astype(np.int64)


def class_probabilities(model, output: torch.Tensor) -> torch.Tensor:
    """Class probabilities ``(N, C)`` from a network's output.

    ``model.probabilities(output)`` when the model defines it (LeNet-5 reads its RBF penalties as
    the paper's MAP criterion does, with a "rubbish" class), else the softmax of the logits.

    >>> class_probabilities(torch.nn.Identity(), torch.zeros(1, 4))
    tensor([[0.2500, 0.2500, 0.2500, 0.2500]])
    """
    own = getattr(model, "probabilities", None)
    return own(output) if callable(own) else torch.softmax(output, dim=1)


@dataclass
class DigitView:
    """What the digit widgets show for one input, or a message (then the arrays are None)."""

    image: np.ndarray | None = None  # (32, 32) network input, pixels in [0, 1]
    c1: np.ndarray | None = None  # (6, 28, 28)
    c3: np.ndarray | None = None  # (16, 10, 10)
    f6: np.ndarray | None = None  # (84,)
    scores: np.ndarray | None = None  # (10,) the raw output: RBF penalties (LeNet-5) or logits
    probabilities: np.ndarray | None = None  # (10,) see class_probabilities
    prediction: int | None = None
    message: str = ""


def explore_digit(net, image, **perturbation) -> DigitView:
    """Perturb one ``(32, 32)`` digit, run ``net`` on it and return every layer the widgets show.

    Args:
        net: a LeNet (:class:`helpers.models.lenet.LeNet5` or ``ModernLeNet``): its ``features()``
            gives the C1, C3 and F6 maps.
        image: ``(32, 32)`` pixels in [0, 1].
        perturbation: ``dx``, ``dy``, ``angle``, ``noise``, ... as in :func:`helpers.deform.perturb`.

    Returns:
        A :class:`DigitView`. It never raises for a bad perturbation: the view then holds only a message.
    """
    try:
        x = perturb(np.asarray(image, dtype=np.float32), **perturbation)
    except (ValueError, TypeError) as err:
        return DigitView(message=str(err))
    if x.shape != (32, 32):
        return DigitView(message=f"the network needs a 32x32 image, got shape {x.shape}")
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad(), torch_threads(1):
            t = torch.as_tensor(x, dtype=torch.float32, device=_device(net, None))[None, None]
            feats = net.features(t)
            probs = class_probabilities(net, feats["output"])[0]
            pred = int(_decide(net, feats["output"])[0])
    finally:
        net.train(was_training)
    return DigitView(image=x, c1=feats["C1"][0].cpu().numpy(), c3=feats["C3"][0].cpu().numpy(),
                     f6=feats["F6"][0].cpu().numpy(), scores=feats["output"][0].cpu().numpy(),
                     probabilities=probs.cpu().numpy(), prediction=pred)


def _optimizer(optimizer, params, lr):
    if isinstance(optimizer, torch.optim.Optimizer):
        return optimizer
    if callable(optimizer):
        return optimizer(params)
    if optimizer == "adam":
        return torch.optim.Adam(params, lr=lr)
    if optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr)
    if optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    raise not_allowed("optimizer", optimizer, f"one of {', '.join(map(repr, OPTIMIZERS))}, a torch optimizer or a callable")


def fit(model: torch.nn.Module, data, epochs: int = 5, lr: float = 1e-3, batch_size: int = 64,
        optimizer="adam", device=None, seed: int = 0, plot: bool = True, progress: bool = True,
        time_budget: float | None = None, title: str | None = None, callback=None) -> History:
    """Train ``model`` on ``data.x_train, data.y_train`` and evaluate on ``data.x_test, data.y_test``.

    Args:
        data: any object with ``x_train``, ``y_train``, ``x_test``, ``y_test`` tensors
            (``helpers.data.load_digits()`` returns one).
        epochs: passes over the training set.
        optimizer: ``"adam"``, ``"adamw"``, ``"sgd"`` (momentum 0.9), an optimizer, or a callable
            that takes the parameters and returns one.
        device: where to train; by default where the model's parameters are.
        seed: seeds fit's own ``torch.Generator`` for the minibatch order, and the random draws of
            the model during training (dropout and the like) on a forked copy of torch's generator:
            torch's global generator is the same after ``fit`` as before.
        plot: draw the loss and the accuracy after each epoch (a :class:`helpers.figures.base.LivePlot`).
        time_budget: stop after the first epoch that ends past this many seconds of training
            (then the number of epochs depends on the machine).
        title: the live plot's title.
        callback: called as ``callback(epoch, history)`` after every epoch (after the live plot).

    Returns:
        A ``History``; the model is trained in place and left in training mode. With ``plot=True``,
        ``history.figure`` is the live plot's figure.

    Example:
        >>> from types import SimpleNamespace
        >>> g = torch.Generator().manual_seed(0)
        >>> x = torch.randn(64, 2, generator=g); y = (x[:, 0] > 0).long()
        >>> data = SimpleNamespace(x_train=x, y_train=y, x_test=x, y_test=y)
        >>> model = torch.nn.Linear(2, 2)
        >>> seen = []
        >>> h = fit(model, data, epochs=2, plot=False, progress=False, callback=lambda e, h: seen.append(e))
        >>> seen, h.epoch
        ([1, 2], [1, 2])
    """
    require_digits(data)
    _check_xy(data.x_train, data.y_train, "x_train")
    _check_xy(data.x_test, data.y_test, "x_test")
    epochs, batch_size = as_int("epochs", epochs, 1), as_int("batch_size", batch_size, 1)
    lr, seed = as_float("lr", lr, 0, open_low=True), as_int("seed", seed, 0)
    if time_budget is not None:
        time_budget = as_float("time_budget", time_budget, 0, open_low=True)
    if callback is not None and not callable(callback):
        raise not_allowed("callback", callback, "None or a function callback(epoch, history)")

    device = _device(model, device)
    model.to(device)
    opt = _optimizer(optimizer, [p for p in model.parameters() if p.requires_grad], lr)
    loss_fn = _loss_fn(model)
    order = torch.Generator().manual_seed(seed)
    history = History()
    callbacks = [] if callback is None else [callback]
    if plot:
        # drawing lives with the figures, loaded only when asked
        from helpers.figures.base import LivePlot

        live = LivePlot(title or f"training {type(model).__name__}")
        history.figure = live.fig
        callbacks.insert(0, live)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        steps = -(-len(data.x_train) // batch_size)
        bar = tqdm(total=epochs * steps, desc=f"training {type(model).__name__}", unit="batch")
    cuda = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):  # dropout & co. draw here; the global generator is restored
        torch.manual_seed(seed)
        try:
            _train_epochs(model, data, epochs, batch_size, time_budget, device, opt, loss_fn, order, history,
                          callbacks, bar)
        finally:
            if bar is not None:
                bar.close()
    model.train()
    return history


def _train_epochs(model, data, epochs, batch_size, time_budget, device, opt, loss_fn, order, history,
                  callbacks, bar) -> None:
    """fit's loop: one pass over the shuffled training set per epoch, then the test set, then the callbacks."""
    x, y = data.x_train, data.y_train
    n = len(x)
    steps = (n + batch_size - 1) // batch_size
    elapsed = 0.0
    for epoch in range(1, epochs + 1):
        model.train()
        start = time.perf_counter()
        perm = torch.randperm(n, generator=order)
        total_loss, correct = 0.0, 0
        for i in range(steps):
            idx = perm[i * batch_size:(i + 1) * batch_size]
            xb, yb = x[idx].to(device), y[idx].to(device)
            out = model(xb)
            loss = loss_fn(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total_loss += float(loss.detach()) * len(idx)
            correct += int((_decide(model, out.detach()) == yb).sum())
            if bar is not None:
                bar.update(1)
        elapsed += time.perf_counter() - start
        test_loss, test_acc, _ = _run_eval(model, data.x_test, data.y_test, 512, device)
        history.epoch.append(epoch)
        history.train_loss.append(total_loss / n)
        history.train_acc.append(correct / n)
        history.test_loss.append(test_loss)
        history.test_acc.append(test_acc)
        history.seconds.append(elapsed)
        if bar is not None:
            bar.set_postfix(loss=f"{total_loss / n:.3f}", test_acc=f"{test_acc:.2%}")
        for call in callbacks:
            call(epoch, history)
        if time_budget is not None and elapsed >= time_budget:
            break


#: What :func:`robustness_sweep` can vary, and the x-axis label of each.
SWEEP_KINDS = {
    "shift": "horizontal shift (pixels)",
    "shift y": "vertical shift (pixels)",
    "rotate": "rotation (degrees)",
    "gaussian": "Gaussian noise σ",
    "salt and pepper": "salt-and-pepper fraction",
}


@dataclass
class SweepResult:
    """Test accuracy per perturbation value, one array per network."""

    kind: str
    values: np.ndarray
    accuracy: dict[str, np.ndarray] = field(default_factory=dict)
    n_digits: int = 0

    def table(self) -> str:
        """The numbers as a small text table."""
        names = list(self.accuracy)
        head = f"{SWEEP_KINDS[self.kind]:>28} | " + " | ".join(f"{n:>12}" for n in names)
        lines = [head, "-" * len(head)]
        for i, v in enumerate(self.values):
            lines.append(f"{v:>28g} | " + " | ".join(f"{self.accuracy[n][i]:>12.1%}" for n in names))
        return "\n".join(lines)


def _perturbation(kind: str, value) -> dict:
    if kind == "shift":
        return {"dx": int(value)}
    if kind == "shift y":
        return {"dy": int(value)}
    if kind == "rotate":
        return {"angle": float(value)}
    return {"noise": kind, "level": float(value)}


def robustness_sweep(models: dict, x: torch.Tensor, y: torch.Tensor, kind: str, values, seed: int = 0) -> SweepResult:
    """Accuracy of each network on the whole test split ``(x, y)`` perturbed by each value.

    Args:
        models: ``{name: network}``; each is evaluated in eval mode on the same perturbed digits.
        x, y: test digits ``(N, 1, 32, 32)`` in [0, 1] and their labels.
        kind: one of :data:`SWEEP_KINDS` (shift and shift y in whole pixels, rotate in degrees,
            gaussian = noise σ, salt and pepper = fraction of pixels).
        values: the values to try.
        seed: the noise's seed (the same noise for every network).
    """
    one_of("kind", kind, tuple(SWEEP_KINDS))
    if not models:
        raise ValueError("models is empty: pass {name: network}")
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"values has shape {values.shape}; expected a non-empty 1-D list of numbers")
    if kind.startswith("shift") and not np.all(values == np.round(values)):
        raise ValueError(f"values={values.tolist()} is not allowed for {kind!r}: shifts are whole pixels")
    result = SweepResult(kind, values, {name: np.zeros(len(values)) for name in models}, n_digits=len(x))
    for i, v in enumerate(values):
        xv = perturb(x, seed=seed, **_perturbation(kind, v))
        for name, net in models.items():
            result.accuracy[name][i] = evaluate(net, xv, y)
    return result
