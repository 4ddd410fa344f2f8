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


def test_fit_is_reproducible():
    def run():
        torch.manual_seed(0)
        model = torch.nn.Linear(4, 2)
        h = fit(model, blobs(), epochs=2, lr=0.05, plot=False, progress=False)
        return h.train_loss, model.weight.detach().clone()

    (l1, w1), (l2, w2) = run(), run()
    assert l1 == l2 and torch.equal(w1, w2)


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
