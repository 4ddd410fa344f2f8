"""helpers.train: fit learns, is reproducible, uses a model's own loss and decision rule; evaluate is right;
explore_digit and robustness_sweep agree with the network run directly."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from helpers import deform, train
from helpers.train import class_probabilities, evaluate, explore_digit, fit, predict


def blobs(n=400, seed=0):
    """Two Gaussian blobs in 4-D: a problem a linear model solves."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 4, generator=g) + 2.5 * (2 * y[:, None].float() - 1)
    return SimpleNamespace(x_train=x[: n // 2], y_train=y[: n // 2], x_test=x[n // 2:], y_test=y[n // 2:])


def test_fit_learns_and_records_every_epoch():
    torch.manual_seed(0)
    data = blobs()
    model = torch.nn.Linear(4, 2)
    torch.nn.init.zeros_(model.weight)  # predicts class 0 for everything: about half right
    before = evaluate(model, data.x_test, data.y_test)
    h = fit(model, data, epochs=3, lr=0.05, batch_size=32, plot=False, progress=False)
    assert h.epoch == [1, 2, 3] and len(h.train_loss) == len(h.test_acc) == len(h.seconds) == 3
    assert h.final_test_acc > 0.95 and before < 0.6
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.seconds == sorted(h.seconds)
    # the recorded test accuracy is what evaluate measures, counted by hand
    pred = model(data.x_test).argmax(1)
    assert h.test_acc[-1] == evaluate(model, data.x_test, data.y_test) == float((pred == data.y_test).float().mean())
    np.testing.assert_array_equal(predict(model, data.x_test), pred.numpy())


def _dropout_net():
    """Initial weights from a generator of the test's own: init is the caller's, not fit's."""
    g = torch.Generator().manual_seed(7)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(8, 2))
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(0.3 * torch.randn(p.shape, generator=g))
    return net


def test_fit_same_seed_same_run_and_global_generator_untouched():
    def run(seed):
        model = _dropout_net()  # dropout draws random numbers during training
        state = torch.random.get_rng_state()
        h = fit(model, blobs(), epochs=2, lr=0.05, plot=False, progress=False, seed=seed)
        assert torch.equal(torch.random.get_rng_state(), state)  # fit did not reseed or draw from it
        return h.train_loss, model[0].weight.detach().clone()

    torch.manual_seed(123)
    (l1, w1) = run(0)
    torch.manual_seed(456)  # a different global state must not matter
    (l2, w2) = run(0)
    (l3, w3) = run(1)
    assert l1 == l2 and torch.equal(w1, w2)
    assert l1 != l3 and not torch.equal(w1, w3)  # the seed is really used (batch order and dropout)


def test_fit_calls_the_callback_after_every_epoch():
    seen = []
    h = fit(torch.nn.Linear(4, 2), blobs(), epochs=3, lr=0.05, plot=False, progress=False,
            callback=lambda epoch, history: seen.append((epoch, len(history.test_acc))))
    assert seen == [(1, 1), (2, 2), (3, 3)] and h.figure is None


class Distances(torch.nn.Module):
    """A model whose output is a distance per class: smaller is better, with its own loss."""

    def __init__(self):
        super().__init__()
        self.centres = torch.nn.Parameter(torch.zeros(2, 4))
        self.loss_calls = 0

    def forward(self, x):
        return ((x[:, None, :] - self.centres) ** 2).sum(-1)

    def loss(self, out, y):
        self.loss_calls += 1
        return out.gather(1, y[:, None]).mean()

    def predict(self, out):
        return out.argmin(1)


def test_fit_uses_the_models_own_loss_and_decision_rule():
    torch.manual_seed(0)
    model = Distances()
    data = blobs()
    h = fit(model, data, epochs=2, lr=0.1, plot=False, progress=False)
    assert model.loss_calls > 0
    # with argmax instead of the model's argmin the accuracy would be near 0, not near 1
    assert h.final_test_acc > 0.95
    assert predict(model, data.x_test[:5]).tolist() == model(data.x_test[:5]).argmin(1).tolist()


def test_fit_time_budget_stops_early_and_plot_has_labelled_axes():
    torch.manual_seed(0)
    h = fit(torch.nn.Linear(4, 2), blobs(), epochs=50, time_budget=1e-9, progress=False, plot=True)
    assert h.epoch == [1]
    loss_ax, acc_ax = h.figure.axes
    assert loss_ax.get_xlabel() == "epoch" and acc_ax.get_ylabel() == "accuracy"
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["train", "test"]


@pytest.mark.parametrize("kwargs, name", [
    ({"epochs": 0}, "epochs"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"lr": -1}, "lr"),
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"time_budget": 0}, "time_budget"),
    ({"seed": True}, "seed"),
    ({"callback": "plot"}, "callback"),
])
def test_fit_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        fit(torch.nn.Linear(4, 2), blobs(), plot=False, progress=False, **kwargs)


def test_fit_needs_the_four_arrays():
    with pytest.raises(ValueError, match="x_test"):
        fit(torch.nn.Linear(4, 2), SimpleNamespace(x_train=torch.zeros(2, 4), y_train=torch.zeros(2), x_test=None),
            plot=False, progress=False)
    with pytest.raises(ValueError, match="same non-zero length"):
        evaluate(torch.nn.Linear(4, 2), torch.zeros(3, 4), torch.zeros(2, dtype=torch.long))


# ------------------------------------------------------------------ explore_digit: the whole grid
def _grid(demo):
    """Every value each control of a demo can take (the widget's slider ranges)."""
    if demo == "shift":
        return [{"dx": dx, "dy": dy} for dx in range(-10, 11) for dy in range(-10, 11)]
    if demo == "rotate":
        return [{"angle": float(a)} for a in np.arange(-90, 91, 5)]
    if demo == "noise":
        return [{"noise": k, "level": float(v), "seed": s} for k in deform.NOISE_KINDS
                for v in np.round(np.arange(0, 1.001, 0.05), 2) for s in (0, 7)]
    return [{"alpha": float(a), "seed": s} for a in np.arange(0, 4.001, 0.25) for s in range(0, 21)]


@pytest.mark.parametrize("demo", ["shift", "rotate", "noise", "distort"])
def test_explore_digit_sweeps_every_control_value(demo, lenet_nets, lenet_digits):
    image = lenet_digits[0][3, 0].numpy()
    net = lenet_nets["LeNet-5"]
    grid = _grid(demo)
    batch, views = [], []
    for params in grid:
        v = explore_digit(net, image, **params)
        assert v.message == "", (params, v.message)
        assert v.image.shape == (32, 32) and v.c1.shape == (6, 28, 28) and v.c3.shape == (16, 10, 10)
        assert v.f6.shape == (84,) and v.scores.shape == (10,) and 0 <= v.prediction <= 9
        assert np.all(np.isfinite(v.scores)) and np.all(v.scores >= 0)
        batch.append(deform.perturb(image, **params))
        views.append(v)
    # oracle: the same perturbed digits through the network as one batch
    with torch.no_grad():
        out = net(torch.as_tensor(np.stack(batch))[:, None])
    assert [v.prediction for v in views] == out.argmin(1).tolist()
    np.testing.assert_allclose(np.stack([v.scores for v in views]), out.numpy(), rtol=1e-4, atol=1e-3)


def test_explore_digit_modern_net(lenet_nets, lenet_digits):
    v = explore_digit(lenet_nets["modern"], lenet_digits[0][0, 0], dx=2)
    assert v.message == "" and abs(v.probabilities.sum() - 1) < 1e-5
    assert v.prediction == int(np.argmax(v.scores)) and v.c1.min() >= 0  # after ReLU


@pytest.mark.parametrize("bad", [{"angle": float("inf")}, {"dx": 32}, {"noise": "speckle"},
                                 {"noise": "salt and pepper", "level": 2.0}, {"alpha": -1.0}])
def test_explore_digit_never_raises(bad, lenet_nets, lenet_digits):
    v = explore_digit(lenet_nets["LeNet-5"], lenet_digits[0][0, 0], **bad)
    assert v.message and v.image is None and v.prediction is None


def test_explore_digit_needs_32x32(lenet_nets):
    v = explore_digit(lenet_nets["LeNet-5"], np.zeros((28, 28)))
    assert "32x32" in v.message


def test_explore_digit_restores_threads_and_mode(lenet_nets, lenet_digits):
    threads = torch.get_num_threads()
    net = lenet_nets["LeNet-5"].train()
    explore_digit(net, lenet_digits[0][0, 0])
    assert net.training and torch.get_num_threads() == threads
    net.eval()


def test_class_probabilities(lenet_nets):
    y = torch.tensor([[0.5, 3.0] + [50.0] * 8])
    p = class_probabilities(lenet_nets["LeNet-5"], y)[0]
    z = np.exp(-0.1) + np.exp(-0.5) + np.exp(-3.0) + 8 * np.exp(-50.0)
    assert abs(float(p[0]) - np.exp(-0.5) / z) < 1e-6 and float(p.sum()) < 1  # the rest is "rubbish"
    logits = torch.randn(3, 10)
    torch.testing.assert_close(class_probabilities(lenet_nets["modern"], logits), torch.softmax(logits, 1))


# ------------------------------------------------------------------ robustness sweep
def test_robustness_sweep_matches_a_direct_evaluation(lenet_nets, lenet_digits):
    x, y = lenet_digits
    r = train.robustness_sweep(lenet_nets, x, y, "shift", [-4, 0, 3])
    for name, net in lenet_nets.items():
        with torch.no_grad():
            for i, s in enumerate([-4, 0, 3]):
                pred = net.predict(net(deform.shift(x, 0, s)))
                assert r.accuracy[name][i] == pytest.approx((pred == y).float().mean().item())
    assert r.n_digits == len(x) and "horizontal shift" in r.table()


@pytest.mark.parametrize("kind, values", [("shift y", [0, 2]), ("rotate", [0, 45]), ("gaussian", [0, 0.5]),
                                          ("salt and pepper", [0, 0.2])])
def test_robustness_sweep_every_kind(kind, values, lenet_nets, lenet_digits):
    x, y = lenet_digits
    r = train.robustness_sweep({"LeNet-5": lenet_nets["LeNet-5"]}, x[:50], y[:50], kind, values)
    with torch.no_grad():
        clean = (lenet_nets["LeNet-5"](x[:50]).argmin(1) == y[:50]).float().mean().item()
    assert r.accuracy["LeNet-5"][0] == pytest.approx(clean)  # value 0 changes nothing
    assert r.accuracy["LeNet-5"].shape == (2,)


@pytest.mark.parametrize("kwargs, match", [({"kind": "blur"}, "kind"), ({"values": []}, "values"),
                                           ({"values": [0.5]}, "whole pixels"), ({"models": {}}, "models")])
def test_robustness_sweep_rejects(kwargs, match, lenet_nets, lenet_digits):
    args = {"models": lenet_nets, "x": lenet_digits[0][:5], "y": lenet_digits[1][:5], "kind": "shift", "values": [0, 1]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        train.robustness_sweep(**args)
