"""The checkers of notebook 08 accept right answers and reject stubs and plausible wrong answers."""

import pytest
import torch
from torch import nn

from helpers.exercises import architectures as ex
from tests.exercises.support import outcome


def stub(*args, **kwargs):
    raise NotImplementedError()


# ------------------------------------------------------------------ exercise 1: residual block
class Block(nn.Module):
    """A right answer, with switches for the plausible mistakes."""

    def __init__(self, c_in, c_out, stride, mistake=""):
        super().__init__()
        self.mistake = mistake
        self.conv1 = nn.Conv2d(c_in, c_out, 3, 1 if mistake == "stride in conv2" else stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, stride if mistake == "stride in conv2" else 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        if stride == 1 and c_in == c_out and mistake != "always project":
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.mistake == "relu before the addition":
            return torch.relu(out) + self.shortcut(x)
        if self.mistake == "no shortcut (plain)":
            return torch.relu(out)
        if self.mistake == "bn after the addition":
            return torch.relu(self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))) + self.shortcut[0](x)
                              if not isinstance(self.shortcut, nn.Identity) else out + x)
        return torch.relu(out + self.shortcut(x))


def test_residual_block_accepts_a_right_block():
    assert outcome(ex.check_residual_block, lambda c_in, c_out, s: Block(c_in, c_out, s))


@pytest.mark.parametrize("mistake", ["stride in conv2", "always project", "relu before the addition",
                                     "no shortcut (plain)", "bn after the addition"])
def test_residual_block_rejects_plausible_mistakes(mistake):
    report = outcome(ex.check_residual_block, lambda c_in, c_out, s: Block(c_in, c_out, s, mistake))
    assert not report and "✗" in repr(report)


def test_residual_block_rejects_a_stub():
    report = outcome(ex.check_residual_block, stub)
    assert not report and "NotImplementedError" in repr(report)


# ------------------------------------------------------------------ exercise 2: SE block
def right_se(x, w1, b1, w2, b2):
    z = x.mean(dim=(2, 3))
    s = torch.sigmoid(torch.relu(z @ w1.T + b1) @ w2.T + b2)
    return x * s[:, :, None, None]


WRONG_SE = {
    "stub": stub,
    "max instead of mean": lambda x, w1, b1, w2, b2: x * torch.sigmoid(
        torch.relu(x.amax(dim=(2, 3)) @ w1.T + b1) @ w2.T + b2)[:, :, None, None],
    "no sigmoid": lambda x, w1, b1, w2, b2: x * (torch.relu(x.mean(dim=(2, 3)) @ w1.T + b1) @ w2.T + b2)[:, :, None, None],
    "no relu": lambda x, w1, b1, w2, b2: x * torch.sigmoid((x.mean(dim=(2, 3)) @ w1.T + b1) @ w2.T + b2)[:, :, None, None],
    "returns the weights": lambda x, w1, b1, w2, b2: torch.sigmoid(torch.relu(x.mean(dim=(2, 3)) @ w1.T + b1) @ w2.T + b2),
    "sum instead of mean": lambda x, w1, b1, w2, b2: x * torch.sigmoid(
        torch.relu(x.sum(dim=(2, 3)) @ w1.T + b1) @ w2.T + b2)[:, :, None, None],
    "returns x": lambda x, w1, b1, w2, b2: x,
}


def test_se_block_accepts_the_right_answer():
    assert outcome(ex.check_se_block, right_se)


@pytest.mark.parametrize("name", WRONG_SE)
def test_se_block_rejects_wrong_answers(name):
    assert not outcome(ex.check_se_block, WRONG_SE[name])


# ------------------------------------------------------------------ exercise 3: Inception parameters
def right_inception(c_in, c1, r3, c3, r5, c5, pool_proj, reduce):
    def conv(k, a, b):
        return k * k * a * b + b
    if reduce:
        return (conv(1, c_in, c1) + conv(1, c_in, r3) + conv(3, r3, c3) + conv(1, c_in, r5) + conv(5, r5, c5)
                + conv(1, c_in, pool_proj))
    return conv(1, c_in, c1) + conv(3, c_in, c3) + conv(5, c_in, c5) + conv(1, c_in, pool_proj)


WRONG_INCEPTION = {
    "stub": stub,
    "no biases": lambda c_in, c1, r3, c3, r5, c5, pp, reduce: right_inception(c_in, c1, r3, c3, r5, c5, pp, reduce)
    - (c1 + c3 + c5 + pp + (r3 + r5 if reduce else 0)),
    "no pooling projection": lambda c_in, c1, r3, c3, r5, c5, pp, reduce: right_inception(
        c_in, c1, r3, c3, r5, c5, pp, reduce) - (c_in * pp + pp),
    "ignores reduce": lambda c_in, c1, r3, c3, r5, c5, pp, reduce: right_inception(c_in, c1, r3, c3, r5, c5, pp, True),
    "3x3 in the 5x5 branch (torchvision's slip)": lambda c_in, c1, r3, c3, r5, c5, pp, reduce: right_inception(
        c_in, c1, r3, c3, r5, c5, pp, reduce) - 16 * (r5 if reduce else c_in) * c5,
    "3a's number, always": lambda *a: 163_696,
}


def test_inception_accepts_the_right_count():
    assert outcome(ex.check_inception_parameters, right_inception)
    assert right_inception(192, 64, 96, 128, 16, 32, 32, True) == 163_696


@pytest.mark.parametrize("name", WRONG_INCEPTION)
def test_inception_rejects_wrong_counts(name):
    assert not outcome(ex.check_inception_parameters, WRONG_INCEPTION[name])


# ------------------------------------------------------------------ exercise 4: DenseNet channels
def right_channels(c0, block_config, growth_rate):
    out, c = [], c0
    for i, n in enumerate(block_config):
        c += n * growth_rate
        if i < len(block_config) - 1:
            c //= 2
        out.append(c)
    return out


def _halve_last_too(c0, blocks, k):
    out, c = [], c0
    for n in blocks:
        c = (c + n * k) // 2
        out.append(c)
    return out


def _no_halving(c0, blocks, k):
    out, c = [], c0
    for n in blocks:
        c += n * k
        out.append(c)
    return out


def _one_layer_short(c0, blocks, k):
    return right_channels(c0, [max(n - 1, 0) for n in blocks], k)


WRONG_CHANNELS = {
    "stub": stub,
    "halves after the last block too": _halve_last_too,
    "no transitions": _no_halving,
    "one layer short per block": _one_layer_short,
    "before the transition": lambda c0, blocks, k: _no_halving(c0, blocks[:1], k) + right_channels(c0, blocks, k)[1:],
    "DenseNet-121's numbers, always": lambda *a: [128, 256, 512, 1024],
}


def test_densenet_accepts_the_right_channels():
    assert outcome(ex.check_densenet_channels, right_channels)
    assert right_channels(64, (6, 12, 24, 16), 32) == [128, 256, 512, 1024]


@pytest.mark.parametrize("name", WRONG_CHANNELS)
def test_densenet_rejects_wrong_channels(name):
    assert not outcome(ex.check_densenet_channels, WRONG_CHANNELS[name])
