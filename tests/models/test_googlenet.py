"""GoogLeNet against torchvision (6,624,904 parameters, 1.5 GFLOPS) and Inception 3a counted by hand."""

import pytest
import torch

from helpers.models.googlenet import INCEPTION_3A, Inception, googlenet
from tests.models._imagenet import count_and_gmacs


def test_googlenet_matches_torchvision():
    n, gmacs, shape = count_and_gmacs(googlenet)
    assert n == 6_624_904 and shape == (1, 1000)
    assert gmacs == pytest.approx(1.50, rel=0.01)


def test_paper_5x5_branch_has_more_parameters():
    n3, _, _ = count_and_gmacs(googlenet)
    n5, _, _ = count_and_gmacs(googlenet, big_kernel=5)
    # nine modules; each 5x5 branch adds (25 - 9) weights per (reduce, out) pair
    pairs = [(16, 32), (32, 96), (16, 48), (24, 64), (24, 64), (32, 64), (32, 128), (32, 128), (48, 128)]
    assert n5 - n3 == sum(16 * a * b for a, b in pairs)


def _by_hand(c_in, c1, r3, c3, r5, c5, pp, reduce):
    bn = 2  # weight and bias of batch norm per channel; convolutions have no bias
    if reduce:
        return (c_in * c1 + c_in * r3 + 9 * r3 * c3 + c_in * r5 + 25 * r5 * c5 + c_in * pp
                + bn * (c1 + r3 + c3 + r5 + c5 + pp))
    return c_in * c1 + 9 * c_in * c3 + 25 * c_in * c5 + c_in * pp + bn * (c1 + c3 + c5 + pp)


@pytest.mark.parametrize("reduce", [True, False])
def test_inception_3a_parameters_by_hand(reduce):
    module = Inception(*INCEPTION_3A, reduce=reduce)
    assert sum(p.numel() for p in module.parameters()) == _by_hand(*INCEPTION_3A, reduce)
    y = module(torch.zeros(1, 192, 28, 28))
    assert tuple(y.shape) == (1, 64 + 128 + 32 + 32, 28, 28)


def test_inception_concatenates_its_branches():
    torch.manual_seed(0)
    m = Inception(8, 2, 3, 4, 2, 3, 5).eval()
    x = torch.randn(2, 8, 6, 6)
    parts = [m.branch1(x), m.branch2(x), m.branch3(x), m.branch4(x)]
    assert torch.equal(m(x), torch.cat(parts, 1))


def test_even_big_kernel_is_a_value_error():
    with pytest.raises(ValueError, match="big_kernel=4 is not allowed"):
        Inception(*INCEPTION_3A, big_kernel=4)
