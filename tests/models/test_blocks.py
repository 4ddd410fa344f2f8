"""LocallyConnected2d against a loop oracle and nn.Conv2d; connectivity and parameter counts."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from torch import nn

from helpers.connectivity import connectivity_1d
from helpers.counting import count_parameters
from helpers.models.alexnet import alexnet
from helpers.models.blocks import LocallyConnected2d


def loop_oracle(lc: LocallyConnected2d, x: torch.Tensor) -> np.ndarray:
    """The definition, one output value at a time."""
    xp = np.pad(x.detach().numpy(), ((0, 0), (0, 0), (lc.padding,) * 2, (lc.padding,) * 2))
    w = lc.weight.detach().numpy()
    b = None if lc.bias is None else lc.bias.detach().numpy()
    N, k, s, H = x.shape[0], lc.kernel_size, lc.stride, lc.output_size
    out = np.zeros((N, lc.out_channels, H, H))
    for n in range(N):
        for o in range(lc.out_channels):
            for i in range(H):
                for j in range(H):
                    patch = xp[n, :, i * s:i * s + k, j * s:j * s + k]
                    out[n, o, i, j] = np.sum(patch * w[i, j, o]) + (0.0 if b is None else b[o, i, j])
    return out


@given(c_in=st.integers(1, 3), c_out=st.integers(1, 3), n=st.integers(3, 9), k=st.integers(1, 4),
       s=st.integers(1, 3), p=st.integers(0, 2), bias=st.booleans())
def test_locally_connected_matches_the_loop_oracle(c_in, c_out, n, k, s, p, bias):
    assume(k <= n + 2 * p)  # the kernel fits
    torch.manual_seed(0)
    lc = LocallyConnected2d(c_in, c_out, n, k, s, p, bias=bias).double()
    x = torch.randn(2, c_in, n, n, dtype=torch.float64)
    assert np.allclose(lc(x).detach().numpy(), loop_oracle(lc, x), rtol=1e-12, atol=1e-12)


@given(c_in=st.integers(1, 3), c_out=st.integers(1, 3), n=st.integers(3, 9), k=st.integers(1, 4),
       s=st.integers(1, 3), p=st.integers(0, 2))
def test_with_shared_weights_it_is_a_convolution(c_in, c_out, n, k, s, p):
    assume(k <= n + 2 * p)  # the kernel fits
    torch.manual_seed(1)
    conv = nn.Conv2d(c_in, c_out, k, s, p, dtype=torch.float64)
    lc = LocallyConnected2d.from_conv(conv, n)
    x = torch.randn(2, c_in, n, n, dtype=torch.float64)
    assert torch.allclose(lc(x), conv(x), rtol=1e-12, atol=1e-12)


def test_untied_weights_differ_from_a_convolution():
    torch.manual_seed(0)
    lc = LocallyConnected2d(1, 1, 6, 3)
    x = torch.ones(1, 1, 6, 6)
    out = lc(x)[0, 0]
    assert out.std() > 0.05  # a convolution would give the same value everywhere on a constant input


def test_lenet_c1_numbers_from_the_slide():
    assert count_parameters(nn.Conv2d(1, 6, 5)) == (5 * 5 + 1) * 6 == 156
    assert count_parameters(LocallyConnected2d(1, 6, 32, 5)) == 28 * 28 * (5 * 5 + 1) * 6 == 122_304
    assert count_parameters(nn.Linear(32 * 32, 28 * 28 * 6)) == (32 * 32 + 1) * (28 * 28) * 6 == 4_821_600


def test_gradient_flows_to_every_local_kernel():
    lc = LocallyConnected2d(2, 3, 5, 3)
    lc(torch.randn(1, 2, 5, 5)).sum().backward()
    assert lc.weight.grad.shape == lc.weight.shape and torch.all(lc.weight.grad.abs().sum(dim=(2, 3, 4, 5)) > 0)


@given(n=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 3))
def test_connectivity_equals_torchs_jacobian(n, k, s, p, d):
    assume(d * (k - 1) + 1 <= n + 2 * p)  # the kernel fits
    conv = nn.Conv1d(1, 1, k, s, p, d, bias=False, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.fill_(1.0)
    jac = torch.autograd.functional.jacobian(lambda v: conv(v[None, None])[0, 0], torch.zeros(n, dtype=torch.float64))
    assert np.array_equal(connectivity_1d(n, k, s, p, d), jac.numpy() != 0)


def test_connection_counts_dense_against_conv():
    assert connectivity_1d(5).sum() == 25
    assert connectivity_1d(5, 3, padding=1).sum() == 13  # 5 outputs x 3 taps, minus the 2 taps on padding
    assert connectivity_1d(5, 3).sum() == 9
    # m outputs, k taps each: O(k n) instead of O(n^2)
    assert connectivity_1d(1000, 3, padding=1).sum() == 3 * 1000 - 2


def test_alexnet_layout_and_its_parameter_count():
    net = alexnet()
    convs = [m for m in net if isinstance(m, nn.Conv2d)]
    dense = [m for m in net if isinstance(m, nn.Linear)]
    assert len(convs) == 5 and len(dense) == 3
    assert count_parameters(net) == 61_100_840  # torchvision's documented AlexNet count
    assert net(torch.zeros(1, 3, 224, 224)).shape == (1, 1000)


@pytest.mark.parametrize("call, match", [
    (lambda: LocallyConnected2d(0, 1, 8, 3), "in_channels=0"),
    (lambda: LocallyConnected2d(1, 1, 4, 7), "kernel_size=7"),
    (lambda: LocallyConnected2d(1, 1, 8, 3)(torch.zeros(1, 2, 8, 8)), r"x has shape \(1, 2, 8, 8\)"),
    (lambda: LocallyConnected2d.from_conv(nn.Conv2d(2, 2, 3, groups=2), 8), "groups=1"),
    (lambda: connectivity_1d(0, 3), "n_in=0"),
    (lambda: count_parameters("conv"), "module='conv'"),
    (lambda: alexnet(0), "num_classes=0"),
])
def test_bad_arguments_are_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
