"""The checkers of notebook 06 accept right answers and reject stubs, plausible wrong answers and shortcuts."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from helpers.data import DigitSplits, load_digits
from helpers.exercises import lenet5 as ex
from helpers.models.lenet import PAPER_CONNECTIONS, PAPER_PARAMETERS, ModernLeNet, c3_table
from helpers.session import torch_threads
from helpers.train import SweepResult, fit, robustness_sweep
from tests.exercises.support import refused_as_shortcut, rejected, shortcuts_allowed, stub


@pytest.fixture(scope="module")
def data():
    return load_digits(source="offline", test_size=1000, pad=2, seed=0)


# ------------------------------------------------------------------ exercise 1: a C3 variant
def loop_table(start_offset=0, wrap=True):
    table = np.zeros((8, 12), dtype=bool)
    for j in range(12):
        for d in range(2 if j < 8 else 4):
            i = j % 8 + d + start_offset
            if wrap or i < 8:
                table[i % 8, j] = True
    return table


def right_variant():
    table = loop_table()
    return table, int(table.sum()) * 3 * 3 + 12


def test_c3_variant_accepts_the_table_and_its_count():
    assert ex.check_c3_variant(right_variant)
    assert ex.check_c3_variant(lambda: (loop_table().astype(int), 300))  # 0/1 entries, the count as a literal
    assert ex.check_c3_variant(lambda: (torch.as_tensor(loop_table()), np.int64(300)))


WRONG_VARIANTS = {
    "stub": (stub, "not implemented"),
    "transposed table": (lambda: (loop_table().T, 300), "transposed"),
    "LeNet-5's own C3 table": (lambda: (c3_table(), 300), "shape (6, 16)"),
    "no wrapping after map 7": (lambda: (loop_table(wrap=False), 300), "column 7"),
    "runs start one map late": (lambda: (loop_table(start_offset=1), 300), "column 0"),
    "no biases": (lambda: (loop_table(), 288), "biases are missing"),
    "5x5 kernels, as C3's": (lambda: (loop_table(), 32 * 25 + 12), "not 5x5"),
    "k instead of k*k": (lambda: (loop_table(), 32 * 3 + 12), "9 weights"),
    "a bias per kernel": (lambda: (loop_table(), 32 * 10), "not one per kernel"),
    "every pair of maps": (lambda: (loop_table(), 96 * 9 + 12), "True cells"),
    "a float count": (lambda: (loop_table(), 300.0), "expected an int"),
    "one value only": (lambda: 300, "returns a pair"),
}


@pytest.mark.parametrize("why", WRONG_VARIANTS)
def test_c3_variant_rejects(why):
    answer, words = WRONG_VARIANTS[why]
    assert words in rejected(ex.check_c3_variant, answer)


def test_c3_variant_refuses_the_library_count():
    from helpers.counting import count_parameters
    from helpers.models.lenet import TableConv2d

    refused_as_shortcut(ex.check_c3_variant, lambda: (loop_table(), count_parameters(TableConv2d(loop_table(), 3))))


# ------------------------------------------------------------------ exercise 2: S4, C5, F6 by hand
def right_counts():
    s4 = (16 * 2, 16 * 5 * 5 * (2 * 2 + 1))
    c5 = (120 * (16 * 5 * 5 + 1), 120 * (16 * 5 * 5 + 1))
    f6 = (84 * (120 + 1), 84 * (120 + 1))
    return {"S4": s4, "C5": c5, "F6": f6}


def test_the_measured_counts_are_the_paper_s():
    layers = ex._measured_layers()
    for name in ex.HAND_LAYERS:
        assert layers[name]["parameters"] == PAPER_PARAMETERS[name]
        assert ex._connections(layers[name]) == PAPER_CONNECTIONS[name]


def test_hand_counts_accepts_the_paper_s_numbers():
    assert ex.check_hand_counts(right_counts)


def counts_with(layer, pair):
    counts = right_counts()
    counts[layer] = pair
    return lambda: counts


WRONG_COUNTS = {
    "stub": (stub, "not implemented"),
    "a list, not a dict": (lambda: list(right_counts().values()), "returns a dict"),
    "S4 without its biases": (counts_with("S4", (16, 2000)), "biases are missing"),
    "S4 with a weight per input": (counts_with("S4", (64, 2000)), "one trainable coefficient"),
    "S4 as one map": (counts_with("S4", (2, 2000)), "S4 has 16 maps"),
    "S4 connections without the bias": (counts_with("S4", (32, 1600)), "connection for its bias"),
    "S4 connections = parameters": (counts_with("S4", (32, 32)), "number of parameters"),
    "S4 connections on its 10x10 input": (counts_with("S4", (32, 8000)), "not of its input maps"),
    "C5 kernels on one S4 map": (counts_with("C5", (3120, 48120)), "all 16 input maps"),
    "C5 without biases": (counts_with("C5", (48000, 48120)), "biases are missing"),
    "C5 as 5x5 maps": (counts_with("C5", (48120, 1_203_000)), "not of its input maps"),
    "F6 without biases": (counts_with("F6", (10080, 10164)), "biases are missing"),
    "F6 connections of one unit": (counts_with("F6", (10164, 121)), "F6 has 84 units"),
    "a float": (counts_with("F6", (10164.0, 10164)), "expected an int"),
    "an unlikely number": (counts_with("C5", (48120, 12345)), "units x (inputs of one unit + 1"),
}


@pytest.mark.parametrize("why", WRONG_COUNTS)
def test_hand_counts_rejects_and_names_the_missed_term(why):
    answer, words = WRONG_COUNTS[why]
    assert words in rejected(ex.check_hand_counts, answer)


def test_hand_counts_refuses_the_library_s_numbers():
    from helpers.models.lenet import layer_table

    refused_as_shortcut(ex.check_hand_counts, lambda: {r.name: (r.parameters, r.connections) for r in layer_table(
        __import__("helpers.models.lenet", fromlist=["LeNet5"]).LeNet5()) if r.name in ex.HAND_LAYERS})
    refused_as_shortcut(ex.check_hand_counts, lambda: {n: (PAPER_PARAMETERS[n], PAPER_CONNECTIONS[n]) for n in ex.HAND_LAYERS})


# ------------------------------------------------------------------ exercise 3: the subsampling layer
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


def test_subsampling_accepts_right_answers():
    with shortcuts_allowed():  # right_subsample is an oracle built on F.avg_pool2d
        assert ex.check_subsampling(right_subsample)
    assert ex.check_subsampling(loop_subsample)
    refused_as_shortcut(ex.check_subsampling, right_subsample)


def _key(args) -> tuple:
    return tuple(np.asarray(a).tobytes() + str(np.shape(a)).encode() if np.ndim(a) else repr(a) for a in args)


def tuned_to_the_visible_cases(checker, right, wrong):
    """An answer that is right on exactly the inputs the visible check uses, and wrong elsewhere."""
    seen = set()

    def recording(*args):
        seen.add(_key(args))
        return right(*args)

    checker(recording)
    return lambda *args: right(*args) if _key(args) in seen else wrong(*args)


def test_subsampling_hidden_cases_catch_an_answer_tuned_to_the_visible_cases():
    tuned = tuned_to_the_visible_cases(ex.check_subsampling, loop_subsample, lambda x, w, b: 0 * loop_subsample(x, w, b))
    assert ex.check_subsampling(tuned)
    assert "hidden" in rejected(ex.check_subsampling, tuned, hidden_seed=3)


# ------------------------------------------------------------------ exercise 4: connections
def right_connections(table, kernel_size, out_size):
    table = np.asarray(table, dtype=bool)
    return (int(table.sum()) * kernel_size**2 + table.shape[1]) * out_size**2


def right_count(table, kernel_size):
    table = np.asarray(table, dtype=bool)
    return int(table.sum()) * kernel_size**2 + table.shape[1]


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


@pytest.mark.parametrize("why", WRONG_CONNECTIONS)
def test_connections_rejects(why):
    rejected(ex.check_connections, WRONG_CONNECTIONS[why])


def test_connections_refuses_the_library_count():
    from helpers.counting import count_connections
    from helpers.models.lenet import TableConv2d

    refused_as_shortcut(ex.check_connections, lambda t, k, o: count_connections(
        TableConv2d(np.asarray(t, dtype=bool), k), (np.shape(t)[1], o, o)))


def test_connections_hidden_cases_catch_an_answer_tuned_to_the_visible_cases():
    tuned = tuned_to_the_visible_cases(ex.check_connections, right_connections,
                                       lambda t, k, o: right_connections(t, k, o) + 1)
    assert ex.check_connections(tuned)
    assert "hidden" in rejected(ex.check_connections, tuned, hidden_seed=11)


# ------------------------------------------------------------------ exercise 5: the modern LeNet
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


def test_modern_lenet_accepts_a_right_network(data):
    report = ex.check_modern_lenet(Modern, data)
    assert report, repr(report)


def modified(change):
    def build():
        m = Modern()
        with torch.no_grad():
            change(m)
        return m
    return build


WRONG_MODERN = {
    "stub": (stub, "not implemented"),
    "tanh instead of ReLU": (lambda: Modern(act=torch.tanh), "computes"),
    "average pooling": (lambda: Modern(pool=F.avg_pool2d), "computes"),
    "C3 sees 3 maps": (lambda: Modern(c3_in=3), "(N, 10)"),
    "no ReLU after F6": (NoF6Relu, "computes"),
    "softmax on the output": (Softmaxed, "computes"),
    "LeNet-5 itself": (lambda: __import__("helpers.models.lenet", fromlist=["LeNet5"]).LeNet5(), "61,706"),
    "not a module": (lambda: "ModernLeNet", "torch.nn.Module"),
    # right layers and forward pass, but every C1 unit starts dead (ReLU of a hugely negative bias)
    "dead C1": (modified(lambda m: m.C1.bias.fill_(-1e3)), "gradient to every weight"),
    "all weights zero": (modified(lambda m: [p.zero_() for p in m.parameters()]), "gradient to every weight"),
    "weights far too large": (modified(lambda m: [p.mul_(300.0) for p in m.parameters()]), "halve its loss"),
}


@pytest.mark.parametrize("why", WRONG_MODERN)
def test_modern_lenet_rejects(why, data):
    answer, words = WRONG_MODERN[why]
    with shortcuts_allowed():
        assert words in rejected(ex.check_modern_lenet, answer, data)


def test_modern_lenet_refuses_the_library_network(data):
    refused_as_shortcut(ex.check_modern_lenet, lambda: ModernLeNet(normalize=False), data)


# ------------------------------------------------------------------ exercise 6: LeNet without subsampling
class NoSubsampling(Modern):
    def __init__(self, c5_kernel=24, normalize=False):
        super().__init__()
        self.C5, self.normalize = nn.Conv2d(16, 120, c5_kernel), normalize

    def forward(self, x):
        x = (x - 0.5) * 2 if self.normalize else x
        x = F.relu(self.C3(F.relu(self.C1(x))))
        return self.output(F.relu(self.F6(F.relu(self.C5(x)).flatten(1))))


def experiment(build):
    def shift_experiment(data):
        small = DigitSplits(data.x_train[:600], data.y_train[:600], data.x_test[:300], data.y_test[:300], "small")
        models = {}
        with torch_threads(1):
            for name, make in (("no subsampling", build), ("with subsampling", lambda: ModernLeNet(normalize=False))):
                torch.manual_seed(0)
                models[name] = make()
                fit(models[name], small, epochs=1, lr=5e-3, batch_size=16, seed=0, plot=False, progress=False)
            sweep = robustness_sweep(models, small.x_test, small.y_test, "shift", list(ex.EXPERIMENT_SHIFTS))
        return models["no subsampling"], sweep
    return shift_experiment


def test_no_subsampling_accepts_the_experiment(data):
    report = ex.check_no_subsampling(NoSubsampling, experiment(NoSubsampling), data)
    assert report, repr(report)


def fake_experiment(build, shifts=ex.EXPERIMENT_SHIFTS, names=(ex.VARIANT_NAME, ex.BASELINE_NAME), n_digits=300,
                    network=None):
    """Returns an untrained network and a sweep made up without running it (cheap, for the wrong answers)."""
    def shift_experiment(data):
        accuracy = {name: np.linspace(0.5, 0.9, len(shifts)) for name in names}
        return (network or build)(), SweepResult("shift", np.asarray(shifts, dtype=float), accuracy, n_digits)
    return shift_experiment


WRONG_BUILDS = {
    "stub": (stub, "not implemented"),
    "LeNet with its pooling": (Modern, "no subsampling"),
    "C5 with a 5x5 kernel": (lambda: NoSubsampling(c5_kernel=5), "(N, 10)"),
    "stride 2 in C1": (lambda: modified_stride(), "no subsampling"),
    "input scaled first": (lambda: NoSubsampling(normalize=True), "computes"),
}


def modified_stride():
    m = NoSubsampling(c5_kernel=10)
    m.C1.stride = (2, 2)
    return m


@pytest.mark.parametrize("why", WRONG_BUILDS)
def test_no_subsampling_rejects_the_architecture(why, data):
    build, words = WRONG_BUILDS[why]
    assert words in rejected(ex.check_no_subsampling, build, fake_experiment(NoSubsampling), data)


class FunctionalPooling(NoSubsampling):
    """Pools with F.max_pool2d between C1 and C3: no pooling module, but the maps shrink between convolutions."""

    def __init__(self):
        super().__init__(c5_kernel=10)

    def forward(self, x):
        x = F.relu(self.C3(F.max_pool2d(F.relu(self.C1(x)), 2)))
        return self.output(F.relu(self.F6(F.relu(self.C5(x)).flatten(1))))


def test_no_subsampling_finds_functional_pooling(data):
    assert "no subsampling" in rejected(ex.check_no_subsampling, FunctionalPooling, fake_experiment(FunctionalPooling), data)


WRONG_EXPERIMENTS = {
    "stub": (stub, "not implemented"),
    "other shifts": (fake_experiment(NoSubsampling, shifts=(-2, 0, 2)), "horizontally"),
    "another digit count": (fake_experiment(NoSubsampling, n_digits=1000), "horizontally"),
    "curves named otherwise": (fake_experiment(NoSubsampling, names=("variant", "LeNet")), "two curves"),
    "another network returned": (fake_experiment(NoSubsampling, network=Modern), "built by build_no_subsampling"),
    "a curve that is not the network's": (fake_experiment(NoSubsampling), "your network's"),
}


@pytest.mark.parametrize("why", WRONG_EXPERIMENTS)
def test_no_subsampling_rejects_the_experiment(why, data):
    run, words = WRONG_EXPERIMENTS[why]
    assert words in rejected(ex.check_no_subsampling, NoSubsampling, run, data)


def test_the_hidden_recheck_reuses_the_experiment_just_run(data):
    calls = []

    def counted(data):
        calls.append(1)
        return fake_experiment(NoSubsampling)(data)

    for _ in range(2):
        rejected(ex.check_no_subsampling, NoSubsampling, counted, data)
    assert len(calls) == 2  # without a hidden seed every check runs the experiment
    rejected(ex.check_no_subsampling, NoSubsampling, counted, data, hidden_seed=5)
    assert len(calls) == 2  # the hidden re-check of the same functions and digits reuses it
    other = SimpleNamespace(**vars(data))
    rejected(ex.check_no_subsampling, NoSubsampling, counted, other, hidden_seed=5)
    assert len(calls) == 3


def test_no_subsampling_accepts_a_class_defined_inside_build(data):
    def build():
        class Inner(NoSubsampling):
            pass
        return Inner()

    # the network passes as one of build's; the made-up curve is the first thing found wrong
    assert "your network's" in rejected(ex.check_no_subsampling, build, fake_experiment(build), data)
