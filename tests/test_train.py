"""helpers.train: fit learns, is reproducible, uses a model's own loss and decision rule; evaluate is right."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from helpers.train import evaluate, fit, predict


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
