"""The checkers of notebook 06 accept right answers and reject stubs and plausible wrong answers."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from helpers.exercises import lenet5 as ex
from tests.exercises.support import refused_as_shortcut, rejected, shortcuts_allowed


def stub(*args, **kwargs):
    raise NotImplementedError()


# ------------------------------------------------------------------ exercise 1: C3's parameters
def right_count(table, kernel_size):
    table = np.asarray(table, dtype=bool)
    return int(table.sum()) * kernel_size**2 + table.shape[1]


WRONG_COUNTS = {
    "stub": stub,
    "no biases": lambda t, k: int(np.sum(t)) * k * k,
    "a bias per connection": lambda t, k: int(np.sum(t)) * (k * k + 1),
    "every input map connected": lambda t, k: np.shape(t)[0] * np.shape(t)[1] * k * k + np.shape(t)[1],
    "k instead of k*k": lambda t, k: int(np.sum(t)) * k + np.shape(t)[1],
    "a bias per input map": lambda t, k: int(np.sum(t)) * k * k + np.shape(t)[0],
    "a float": lambda t, k: float(right_count(t, k)),
    "the paper's number, always": lambda t, k: 1516,
}


def test_c3_parameters_accepts_the_count():
    assert ex.check_c3_parameters(right_count)


# ------------------------------------------------------------------ exercise 2: the subsampling layer
def right_subsample(x, weight, bias):
    s = F.avg_pool2d(x, 2) * 4
    return 1.7159 * torch.tanh(2 / 3 * (s * weight[:, None, None] + bias[:, None, None]))


def loop_subsample(x, weight, bias):
    """A different right answer: explicit slicing instead of pooling."""
    h, w = x.shape[-2] // 2 * 2, x.shape[-1] // 2 * 2
    x = x[..., :h, :w]
    s = x[..., 0::2, 0::2] + x[..., 1::2, 0::2] + x[..., 0::2, 1::2] + x[..., 1::2, 1::2]
    return 1.7159 * torch.tanh(2 / 3 * (weight.view(1, -1, 1, 1) * s + bias.view(1, -1, 1, 1)))


WRONG_SUBSAMPLES = {
    "stub": stub,
    "average, not sum": lambda x, w, b: 1.7159 * torch.tanh(2 / 3 * (F.avg_pool2d(x, 2) * w[:, None, None] + b[:, None, None])),
    "max pooling": lambda x, w, b: 1.7159 * torch.tanh(2 / 3 * (F.max_pool2d(x, 2) * w[:, None, None] + b[:, None, None])),
    "no squashing": lambda x, w, b: F.avg_pool2d(x, 2) * 4 * w[:, None, None] + b[:, None, None],
    "plain tanh": lambda x, w, b: torch.tanh(F.avg_pool2d(x, 2) * 4 * w[:, None, None] + b[:, None, None]),
    "bias inside the product": lambda x, w, b: 1.7159 * torch.tanh(2 / 3 * ((F.avg_pool2d(x, 2) * 4 + b[:, None, None]) * w[:, None, None])),
    "overlapping 2x2 windows (stride 1)": lambda x, w, b: 1.7159 * torch.tanh(
        2 / 3 * (F.avg_pool2d(x, 2, stride=1) * 4 * w[:, None, None] + b[:, None, None])),
    "ceil mode keeps the odd border": lambda x, w, b: 1.7159 * torch.tanh(
        2 / 3 * (F.avg_pool2d(x, 2, ceil_mode=True) * 4 * w[:, None, None] + b[:, None, None])),
}


@pytest.mark.parametrize("answer", [right_subsample, loop_subsample])
def test_subsampling_accepts_right_answers(answer):
    with shortcuts_allowed():  # right_subsample is an oracle built on F.avg_pool2d
        assert ex.check_subsampling(answer)
    assert ex.check_subsampling(loop_subsample)
    refused_as_shortcut(ex.check_subsampling, right_subsample)


# ------------------------------------------------------------------ exercise 3: connections
def right_connections(table, kernel_size, out_size):
    table = np.asarray(table, dtype=bool)
    return (int(table.sum()) * kernel_size**2 + table.shape[1]) * out_size**2


WRONG_CONNECTIONS = {
    "stub": stub,
    "parameters only (shared weights counted once)": lambda t, k, o: right_count(t, k),
    "no biases": lambda t, k, o: int(np.sum(t)) * k * k * o * o,
    "out_size not squared": lambda t, k, o: right_count(t, k) * o,
    "every input map connected": lambda t, k, o: (np.shape(t)[0] * np.shape(t)[1] * k * k + np.shape(t)[1]) * o * o,
    "input size instead of output size": lambda t, k, o: right_count(t, k) * (o + k - 1) ** 2,
}


def test_connections_accepts_the_count():
    assert ex.check_connections(right_connections)


WRONG_ANSWERS = [
    pytest.param(checker, answer, id=f"{checker.__name__}: {why}")
    for checker, wrong in ((ex.check_c3_parameters, WRONG_COUNTS), (ex.check_subsampling, WRONG_SUBSAMPLES),
                           (ex.check_connections, WRONG_CONNECTIONS))
    for why, answer in wrong.items()
]


@pytest.mark.parametrize("checker, answer", WRONG_ANSWERS)
def test_checkers_reject_wrong_answers(checker, answer):
    with shortcuts_allowed():
        rejected(checker, answer)


# ------------------------------------------------------------------ exercise 4: the modern LeNet
class Modern(nn.Module):
    def __init__(self, act=F.relu, pool=F.max_pool2d, c3_in=6):
        super().__init__()
        self.act, self.pool = act, pool
        self.C1 = nn.Conv2d(1, 6, 5)
        self.C3 = nn.Conv2d(c3_in, 16, 5)
        self.C5 = nn.Conv2d(16, 120, 5)
        self.F6 = nn.Linear(120, 84)
        self.output = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(self.act(self.C1(x)), 2)
        x = self.pool(self.act(self.C3(x)), 2)
        x = self.act(self.C5(x)).flatten(1)
        return self.output(self.act(self.F6(x)))


class NoF6Relu(Modern):
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.C1(x)), 2)
        x = F.max_pool2d(F.relu(self.C3(x)), 2)
        return self.output(self.F6(F.relu(self.C5(x)).flatten(1)))


class Softmaxed(Modern):
    def forward(self, x):
        return F.softmax(super().forward(x), dim=1)


@pytest.fixture(scope="module")
def data():
    from helpers.data import load_digits

    return load_digits(source="offline", test_size=1000, pad=2, seed=0)


def test_modern_lenet_accepts_a_right_network(data):
    report = ex.check_modern_lenet(Modern, data)
    assert report, repr(report)


WRONG_MODERN = {
    "stub": stub,
    "tanh instead of ReLU": lambda: Modern(act=torch.tanh),
    "average pooling": lambda: Modern(pool=F.avg_pool2d),
    "C3 sees 3 maps": lambda: Modern(c3_in=3),
    "no ReLU after F6": NoF6Relu,
    "softmax on the output": Softmaxed,
    "LeNet-5 itself": lambda: __import__("helpers.models.lenet", fromlist=["LeNet5"]).LeNet5(),
    "not a module": lambda: "ModernLeNet",
}


@pytest.mark.parametrize("name", WRONG_MODERN)
def test_modern_lenet_rejects(name, data):
    with shortcuts_allowed():
        rejected(ex.check_modern_lenet, WRONG_MODERN[name], data)


def test_modern_lenet_rejects_a_network_that_does_not_learn(data):
    """Right layers and forward pass, but every C1 unit starts dead (ReLU of a hugely negative
    bias): no gradient reaches the convolutions, so only the training property can catch it."""
    def dead():
        m = Modern()
        with torch.no_grad():
            m.C1.bias.fill_(-1e3)
        return m

    message = rejected(ex.check_modern_lenet, dead, data)
    assert "reaches 95% test accuracy" in message, message
