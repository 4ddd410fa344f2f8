"""helpers.deform against independent oracles (index arithmetic, torch.roll, torchvision-free rotation facts)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from helpers import deform
from helpers.deform import elastic, gaussian_noise, roll, rotate, salt_and_pepper, shift


@given(h=st.integers(1, 9), w=st.integers(1, 9), dy=st.integers(-10, 10), dx=st.integers(-10, 10))
def test_shift_matches_index_arithmetic(h, w, dy, dx):
    x = np.arange(1, h * w + 1, dtype=float).reshape(h, w)
    out = shift(x, dy, dx, fill=-1.0)
    for i in range(h):
        for j in range(w):
            si, sj = i - dy, j - dx
            want = x[si, sj] if 0 <= si < h and 0 <= sj < w else -1.0
            assert out[i, j] == want


@given(dy=st.integers(-12, 12), dx=st.integers(-12, 12))
def test_roll_equals_torch_roll_on_batches(dy, dx):
    x = torch.arange(2 * 3 * 5 * 7, dtype=torch.float32).reshape(2, 3, 5, 7)
    assert torch.equal(roll(x, dy, dx), torch.roll(x, (dy, dx), dims=(-2, -1)))


def test_types_devices_and_inputs_are_kept():
    x = torch.rand(2, 1, 6, 6)
    before = x.clone()
    for out in (shift(x, 1, 1), roll(x, 1, 1), rotate(x, 10), gaussian_noise(x, 0.1), salt_and_pepper(x, 0.1),
                elastic(x, 1.0)):
        assert isinstance(out, torch.Tensor) and out.dtype == x.dtype and out.shape == x.shape
    assert torch.equal(x, before)
    a = np.random.default_rng(0).random((6, 6)).astype(np.float32)
    assert shift(a, 0, 0).dtype == np.float32 and np.array_equal(shift(a, 0, 0), a)


def test_rotate_quarter_turns_and_zero():
    x = np.zeros((7, 7))
    x[1, 3] = 1.0  # above the centre
    np.testing.assert_allclose(rotate(x, 90), np.rot90(x, 1), atol=1e-12)   # counter-clockwise
    np.testing.assert_allclose(rotate(x, -90), np.rot90(x, -1), atol=1e-12)
    np.testing.assert_allclose(rotate(x, 0), x, atol=1e-12)
    b = np.random.default_rng(1).random((3, 9, 9))
    np.testing.assert_allclose(rotate(b, 180), b[:, ::-1, ::-1], atol=1e-12)


def test_noise_statistics_and_seeds():
    x = np.full((200, 200), 0.5)
    noisy = gaussian_noise(x, 0.2, seed=3)
    assert abs(float((noisy - x).std()) - 0.2) < 0.01 and abs(float((noisy - x).mean())) < 0.01
    assert np.array_equal(noisy, gaussian_noise(x, 0.2, seed=3))
    assert not np.array_equal(noisy, gaussian_noise(x, 0.2, seed=4))
    sp = salt_and_pepper(x, 0.3, seed=0)
    changed = sp != 0.5
    assert abs(changed.mean() - 0.3) < 0.01
    assert set(np.unique(sp[changed])) == {0.0, 1.0} and abs((sp[changed] == 1.0).mean() - 0.5) < 0.03


def test_elastic_is_small_smooth_and_seeded():
    x = np.zeros((28, 28))
    x[8:20, 12:16] = 1.0
    assert np.allclose(elastic(x, 0.0), x)
    moved = elastic(x, 2.0, sigma=4.0, seed=0)
    assert np.array_equal(moved, elastic(x, 2.0, sigma=4.0, seed=0))
    assert 0.0 < np.abs(moved - x).mean() < 0.2          # a deformation, not a new picture
    assert abs(moved.sum() - x.sum()) / x.sum() < 0.25    # ink roughly preserved
    batch = np.stack([x, x])
    out = elastic(batch, 2.0, seed=0)
    assert not np.allclose(out[0], out[1])                # one field per image


@pytest.mark.parametrize("call, name", [
    (lambda: shift(np.zeros((3, 3)), 1.5, 0), "dy"),
    (lambda: roll(np.zeros((3, 3)), 0, "1"), "dx"),
    (lambda: shift(np.zeros(3), 1, 0), "x"),
    (lambda: rotate(np.zeros((3, 3)), float("nan")), "degrees"),
    (lambda: gaussian_noise(np.zeros((3, 3)), -0.1), "sigma"),
    (lambda: salt_and_pepper(np.zeros((3, 3)), 1.5), "amount"),
    (lambda: elastic(np.zeros((3, 3)), 1.0, sigma=0), "sigma"),
])
def test_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ------------------------------------------------------------------ perturb: what the LeNet-5 demos apply
def test_perturb_defaults_change_nothing(lenet_digits):
    x = lenet_digits[0][:5]
    assert torch.equal(deform.perturb(x), x)
    img = x[0, 0].numpy()
    assert np.array_equal(deform.perturb(img), img)


def test_perturb_matches_deform_and_keeps_type(lenet_digits):
    x = lenet_digits[0][:4]
    torch.testing.assert_close(deform.perturb(x, dx=3, dy=-2), deform.shift(x, -2, 3))
    torch.testing.assert_close(deform.perturb(x, angle=30.0), deform.rotate(x, 30.0).clamp(0, 1))
    noisy = deform.perturb(x[0, 0].numpy(), noise="gaussian", level=0.5, seed=1)
    assert isinstance(noisy, np.ndarray) and noisy.shape == (32, 32)
    assert noisy.min() >= 0 and noisy.max() <= 1  # clipped to pixel range
    sp = deform.perturb(x, noise="salt and pepper", level=0.3, seed=2)
    assert isinstance(sp, torch.Tensor) and sp.shape == x.shape
    changed = (sp != x).float().mean().item()
    assert 0.05 < changed < 0.3  # about the fraction asked (some hits land on equal values)
    assert torch.equal(deform.perturb(x, noise="gaussian", level=0.2, seed=5),
                       deform.perturb(x, noise="gaussian", level=0.2, seed=5))  # seeded


@pytest.mark.parametrize("kwargs, name", [
    ({"dx": 1.5}, "dx"), ({"dy": 40}, "dy"), ({"angle": float("nan")}, "angle"), ({"noise": "blur"}, "noise"),
    ({"noise": "salt and pepper", "level": 1.5}, "level"), ({"level": -0.1}, "level"), ({"alpha": 11.0}, "alpha"),
    ({"seed": -1}, "seed"), ({"angle": "30"}, "angle"),
])
def test_perturb_rejects_bad_values_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        deform.perturb(np.zeros((32, 32)), **kwargs)
