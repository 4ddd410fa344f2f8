"""Grouped convolution: connectivity, parameter and FLOP counts against torch."""

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from helpers.connectivity import divisors, group_connectivity
from helpers.conv import conv2d
from helpers.counting import conv_flops, conv_params
from helpers.figures.convolution import plot_group_connectivity


@pytest.mark.parametrize("c_in, c_out, groups", [(4, 4, 1), (4, 4, 2), (4, 4, 4), (6, 3, 3), (8, 16, 4), (3, 6, 3)])
def test_connectivity_is_what_torch_computes(c_in, c_out, groups):
    """Input j feeds output o exactly when the gradient of output o reaches input j."""
    conv = torch.nn.Conv2d(c_in, c_out, 3, groups=groups, bias=False, dtype=torch.float64)
    x = torch.randn(1, c_in, 5, 5, dtype=torch.float64, requires_grad=True)
    y = conv(x)
    reached = np.zeros((c_out, c_in), dtype=bool)
    for o in range(c_out):
        (g,) = torch.autograd.grad(y[0, o].sum(), x, retain_graph=True)
        reached[o] = g[0].abs().sum(dim=(1, 2)).numpy() > 0
    assert (group_connectivity(c_in, c_out, groups) == reached).all()


SHAPES = list(itertools.product([4, 8], [4, 8], [1, 2, 4], [1, 3], [(7, 9), 8], [1, 2], [0, 1], [True, False]))


@pytest.mark.parametrize("c_in, c_out, groups, k, size, stride, padding, bias", SHAPES)
def test_params_and_flops_equal_torch(c_in, c_out, groups, k, size, stride, padding, bias):
    conv = torch.nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding, groups=groups, bias=bias)
    h, w = size if isinstance(size, tuple) else (size, size)
    with FlopCounterMode(display=False) as counter:
        conv(torch.zeros(2, c_in, h, w))
    assert conv_params(c_in, c_out, k, groups, bias) == sum(p.numel() for p in conv.parameters())
    assert conv_flops(c_in, c_out, k, size, groups, stride, padding, batch=2) == counter.get_total_flops()


def test_depthwise_is_a_per_channel_convolution():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 3, 6, 6)), rng.standard_normal((3, 1, 3, 3))
    out = conv2d(x, w, groups=3)
    for c in range(3):
        np.testing.assert_allclose(out[0, c], conv2d(x[0, c], w[c, 0]), rtol=1e-12)


def test_divisors_and_errors():
    assert divisors(12) == [1, 2, 3, 4, 6, 12]
    with pytest.raises(ValueError, match="groups=3 is not allowed: expected .*one of \\[1, 2, 4\\]"):
        group_connectivity(4, 8, 3)
    with pytest.raises(ValueError, match="in_channels=0"):
        conv_params(0, 4, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        conv_params(4, 4, 0)


def test_connectivity_figure_draws_one_line_per_link():
    axes = plot_group_connectivity(4)
    assert [ax.get_title().split("\n")[0] for ax in axes] == ["groups=1 (standard)", "groups=2 (grouped)",
                                                               "groups=4 (depthwise)"]
    assert [len(ax.get_lines()) for ax in axes] == [16, 8, 4]
    plt.close(axes[0].figure)
