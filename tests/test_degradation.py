"""helpers.degradation: fair twins, gradient norms against autograd by hand, a deterministic experiment."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.degradation import degradation_experiment, gradient_norms, train_steps, twin_nets


@pytest.fixture(scope="module")
def tiny_data():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 1, 16, 16, generator=g)
    y = torch.randint(0, 10, (64,), generator=g)
    return SimpleNamespace(x_train=x, y_train=y)


def test_twins_share_every_weight_but_the_shortcuts():
    plain, residual = twin_nets(14, width=4, seed=3)
    p, r = plain.state_dict(), residual.state_dict()
    assert set(p) <= set(r) and all(torch.equal(p[k], r[k]) for k in p)
    assert all(".shortcut." in k for k in set(r) - set(p)) and set(r) - set(p)


def test_twins_of_depth_2_are_the_same_function(tiny_data):
    plain, residual = twin_nets(2, width=4)   # no blocks: nothing to skip
    assert torch.equal(plain(tiny_data.x_train), residual(tiny_data.x_train))
    res = degradation_experiment(tiny_data, depths=(2,), steps=4, batch_size=8, shrink=1)
    assert np.array_equal(res.losses[("plain", 2)], res.losses[("residual", 2)])


def test_residual_twin_adds_the_shortcut(tiny_data):
    plain, residual = twin_nets(8, width=4)
    plain.eval(), residual.eval()
    x = tiny_data.x_train[:4]
    block_p, block_r = plain.blocks[0], residual.blocks[0]     # identity shortcut: same shape
    h = plain.stem(x)
    assert torch.allclose(block_r(h), F.relu(block_p.body(h) + h))
    assert torch.allclose(block_p(h), F.relu(block_p.body(h)))


def test_gradient_norms_by_hand(tiny_data):
    plain, _ = twin_nets(8, width=4)
    x, y = tiny_data.x_train[:16], tiny_data.y_train[:16]
    norms = gradient_norms(plain, x, y)
    plain.zero_grad()
    F.cross_entropy(plain(x), y).backward()
    convs = [m for m in plain.modules() if isinstance(m, torch.nn.Conv2d)]
    assert np.allclose(norms, [float(c.weight.grad.norm()) for c in convs])
    assert len(norms) == 7   # 1 + 6n convolutions, n = 1


def test_experiment_is_deterministic_and_complete(tiny_data):
    a = degradation_experiment(tiny_data, depths=(8, 14), steps=3, batch_size=8, shrink=2)
    b = degradation_experiment(tiny_data, depths=(8, 14), steps=3, batch_size=8, shrink=2)
    assert set(a.losses) == {(k, d) for k in ("plain", "residual") for d in (8, 14)}
    assert all(np.array_equal(a.losses[k], b.losses[k]) and len(a.losses[k]) == 3 for k in a.losses)
    assert "depth" in repr(a) and a.final_loss("plain", 8, last=3) == pytest.approx(a.losses[("plain", 8)].mean())


@pytest.mark.parametrize("kwargs, match", [
    (dict(depths=(9,)), "depth=9 is not allowed"),
    (dict(depths=()), "depths=() is not allowed"),
    (dict(steps=0), "steps=0 is not allowed"),
    (dict(shrink=0), "shrink=0 is not allowed"),
])
def test_bad_input_is_a_value_error(tiny_data, kwargs, match):
    with pytest.raises(ValueError, match=match.replace("(", r"\(").replace(")", r"\)")):
        degradation_experiment(tiny_data, **kwargs)


def test_gradient_norms_needs_a_conv():
    with pytest.raises(ValueError, match="no Conv2d"):
        gradient_norms(torch.nn.Linear(3, 2), torch.zeros(1, 3), torch.zeros(1, dtype=torch.long))


def test_train_steps_is_deterministic_and_evaluates_on_schedule(tiny_data):
    from helpers.models.attention import DigitAttentionNet

    data = SimpleNamespace(x_train=F.pad(tiny_data.x_train, (8, 8, 8, 8)), y_train=tiny_data.y_train,
                           x_test=F.pad(tiny_data.x_train[:20], (8, 8, 8, 8)), y_test=tiny_data.y_train[:20])
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        runs.append(train_steps(DigitAttentionNet("se", width=2), data, steps=7, eval_every=3, batch_size=4))
    (steps, acc), (steps2, acc2) = runs
    assert steps.tolist() == steps2.tolist() == [3, 6, 7] and np.array_equal(acc, acc2) and ((acc >= 0) & (acc <= 1)).all()
    with pytest.raises(ValueError, match="optimizer='rmsprop' is not allowed"):
        train_steps(DigitAttentionNet("se", width=2), data, steps=1, optimizer="rmsprop")
