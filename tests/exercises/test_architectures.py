"""The checkers of notebook 08 accept right answers and reject stubs, plausible wrong answers and shortcuts."""

import pytest
import torch
from torch import nn

from helpers.exercises import architectures as ex
from tests.exercises.support import outcome, refused_as_shortcut, rejected, stub


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
    assert not report and "not implemented" in repr(report)


def test_residual_block_refuses_the_library_block():
    from helpers.models.resnet import BasicBlock

    refused_as_shortcut(ex.check_residual_block, lambda c_in, c_out, s: BasicBlock(c_in, c_out, s))


def test_residual_block_hidden_cases_catch_a_shortcut_rule_tuned_to_the_visible_cases():
    """Projects only when the channels change: right on every visible configuration, wrong for (5, 5, 2)."""
    def tuned(c_in, c_out, s):
        return Block(c_in, c_out, 1 if c_in == c_out else s) if c_in == c_out else Block(c_in, c_out, s)

    assert ex.check_residual_block(tuned)
    assert "hidden" in rejected(ex.check_residual_block, tuned, hidden_seed=4)


# ------------------------------------------------------------------ exercise 2: CBAM's channel attention
def mlp(z, w1, b1, w2, b2):
    return torch.relu(z @ w1.T + b1) @ w2.T + b2


def right_attention(x, w1, b1, w2, b2):
    s = torch.sigmoid(mlp(x.mean(dim=(2, 3)), w1, b1, w2, b2) + mlp(x.amax(dim=(2, 3)), w1, b1, w2, b2))
    return x * s[:, :, None, None]


def flat_attention(x, w1, b1, w2, b2):
    """A different right answer: flatten the map, pool, and stack both vectors as one batch of 2N rows."""
    flat = x.flatten(2)
    z = torch.cat([flat.mean(-1), flat.max(-1).values])
    out = mlp(z, w1, b1, w2, b2)
    n = x.shape[0]
    return x * torch.sigmoid(out[:n] + out[n:]).unsqueeze(-1).unsqueeze(-1)


def se(x, w1, b1, w2, b2):
    return x * torch.sigmoid(mlp(x.mean(dim=(2, 3)), w1, b1, w2, b2))[:, :, None, None]


WRONG_ATTENTION = {
    "stub": stub,
    "SE: the mean only": se,
    "the max only": lambda x, w1, b1, w2, b2: x * torch.sigmoid(mlp(x.amax(dim=(2, 3)), w1, b1, w2, b2))[:, :, None, None],
    "pooled vectors added before the MLP": lambda x, w1, b1, w2, b2: x * torch.sigmoid(
        mlp(x.mean(dim=(2, 3)) + x.amax(dim=(2, 3)), w1, b1, w2, b2))[:, :, None, None],
    "a sigmoid on each, then summed": lambda x, w1, b1, w2, b2: x * (
        torch.sigmoid(mlp(x.mean(dim=(2, 3)), w1, b1, w2, b2)) + torch.sigmoid(mlp(x.amax(dim=(2, 3)), w1, b1, w2, b2))
    )[:, :, None, None],
    "the second bias added once": lambda x, w1, b1, w2, b2: x * torch.sigmoid(
        mlp(x.mean(dim=(2, 3)), w1, b1, w2, b2) + mlp(x.amax(dim=(2, 3)), w1, b1, w2, b2) - b2)[:, :, None, None],
    "returns the weights": lambda x, w1, b1, w2, b2: torch.sigmoid(
        mlp(x.mean(dim=(2, 3)), w1, b1, w2, b2) + mlp(x.amax(dim=(2, 3)), w1, b1, w2, b2)),
    "no relu": lambda x, w1, b1, w2, b2: x * torch.sigmoid(
        (x.mean(dim=(2, 3)) + x.amax(dim=(2, 3))) @ w1.T @ w2.T + 2 * (b1 @ w2.T + b2))[:, :, None, None],
}


@pytest.mark.parametrize("answer", [right_attention, flat_attention])
def test_channel_attention_accepts_right_answers(answer):
    assert ex.check_channel_attention(answer)
    assert ex.check_channel_attention(answer, hidden_seed=9)


@pytest.mark.parametrize("name", WRONG_ATTENTION)
def test_channel_attention_rejects_wrong_answers(name):
    rejected(ex.check_channel_attention, WRONG_ATTENTION[name])


def test_channel_attention_refuses_the_library_modules():
    from helpers.models.attention import ChannelAttention

    def library(x, w1, b1, w2, b2):
        params = {"mlp.0.weight": w1, "mlp.0.bias": b1, "mlp.2.weight": w2, "mlp.2.bias": b2}
        return torch.func.functional_call(ChannelAttention(x.shape[1], 1).double(), params, (x,))

    refused_as_shortcut(ex.check_channel_attention, library)


def test_channel_attention_hidden_cases_catch_an_answer_tuned_to_small_maps():
    """Pools over the first 8 rows only: right on every visible map (at most 7 rows), wrong on the hidden 9 x 3 map."""
    def tuned(x, w1, b1, w2, b2):
        return right_attention(x[:, :, :8], w1, b1, w2, b2) if x.shape[2] <= 8 else x * 0 + right_attention(
            x[:, :, :8], w1, b1, w2, b2).mean()

    assert ex.check_channel_attention(tuned)
    assert "hidden" in rejected(ex.check_channel_attention, tuned, hidden_seed=9)


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


def test_inception_refuses_counting_torch_modules():
    def by_torch(c_in, c1, r3, c3, r5, c5, pool_proj, reduce):
        convs = [nn.Conv2d(c_in, c1, 1), nn.Conv2d(c_in, pool_proj, 1)]
        convs += ([nn.Conv2d(c_in, r3, 1), nn.Conv2d(r3, c3, 3), nn.Conv2d(c_in, r5, 1), nn.Conv2d(r5, c5, 5)]
                  if reduce else [nn.Conv2d(c_in, c3, 3), nn.Conv2d(c_in, c5, 5)])
        return sum(p.numel() for m in convs for p in m.parameters())

    refused_as_shortcut(ex.check_inception_parameters, by_torch)


def test_inception_hidden_cases_catch_an_answer_tuned_to_the_visible_cases():
    """Right on exactly the inputs the visible check uses (recorded), one too many elsewhere."""
    seen = set()

    def recording(*args):
        seen.add(args)
        return right_inception(*args)

    ex.check_inception_parameters(recording)

    def tuned(*args):
        return right_inception(*args) + (0 if args in seen else 1)

    assert ex.check_inception_parameters(tuned)
    assert "hidden" in rejected(ex.check_inception_parameters, tuned, hidden_seed=2)


# ------------------------------------------------------------------ exercise 4: a dense block's parameters
def right_dense(c_in, n_layers, k, bn_size):
    total = 0
    for layer in range(n_layers):
        c = c_in + layer * k                                   # every earlier map is concatenated
        total += 2 * c + c * bn_size * k + 2 * bn_size * k + 9 * bn_size * k * k
    return total


def closed_form_dense(c_in, n, k, b):
    """A different right answer: the sum over the layers done by hand."""
    seen = n * c_in + k * n * (n - 1) // 2                     # sum of the layers' input channels
    return (2 + b * k) * seen + n * (2 * b * k + 9 * b * k * k)


WRONG_DENSE = {
    "stub": stub,
    "every layer sees c_in (no concatenation)": lambda c, n, k, b: n * (2 * c + c * b * k + 2 * b * k + 9 * b * k * k),
    "layer l sees c_in + (l + 1) k": lambda c, n, k, b: right_dense(c + k, n, k, b),
    "no batch norms": lambda c, n, k, b: right_dense(c, n, k, b) - sum(2 * (c + i * k) + 2 * b * k for i in range(n)),
    "one parameter per batch-norm channel": lambda c, n, k, b: right_dense(c, n, k, b)
    - sum((c + i * k) + b * k for i in range(n)),
    "the 3x3 reads all the input channels": lambda c, n, k, b: sum(
        2 * (c + i * k) + (c + i * k) * b * k + 2 * b * k + 9 * (c + i * k) * k for i in range(n)),
    "convolutions with biases": lambda c, n, k, b: right_dense(c, n, k, b) + n * (b * k + k),
    "no bottleneck (bn_size ignored)": lambda c, n, k, b: right_dense(c, n, k, 4),
    "DenseNet-121's first block, always": lambda *a: right_dense(64, 6, 32, 4),
}


@pytest.mark.parametrize("answer", [right_dense, closed_form_dense])
def test_dense_block_accepts_right_counts(answer):
    assert ex.check_dense_block_parameters(answer)
    assert ex.check_dense_block_parameters(answer, hidden_seed=8)


@pytest.mark.parametrize("name", WRONG_DENSE)
def test_dense_block_rejects_wrong_counts(name):
    rejected(ex.check_dense_block_parameters, WRONG_DENSE[name])


def test_dense_block_refuses_the_library_block():
    from helpers.counting import count_parameters
    from helpers.models.densenet import DenseBlock

    refused_as_shortcut(ex.check_dense_block_parameters, lambda c, n, k, b: count_parameters(DenseBlock(n, c, k, b)))


def test_dense_block_hidden_cases_catch_an_answer_tuned_to_the_visible_cases():
    """Caps the layer count at 20 (every visible block is smaller): wrong on DenseNet-121's third block."""
    def tuned(c_in, n, k, b):
        return right_dense(c_in, min(n, 20), k, b)

    assert ex.check_dense_block_parameters(tuned)
    assert "hidden" in rejected(ex.check_dense_block_parameters, tuned, hidden_seed=8)
