"""helpers.erf against independent oracles: torch autograd per sample, path counts, brute-force offsets."""

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from helpers.counting import count_parameters
from helpers.erf import (
    dilated_footprint,
    effective_radius,
    erf_map,
    gaussian_fit,
    has_holes,
    power_law_exponent,
    random_stack,
    stack_summary,
)
from helpers.receptive import ConvSpec, conv_stack, footprint, gradient_field, receptive_field_size


# =========================================================================== the networks and erf_map
def test_random_stack_is_seeded_and_shrinks_by_the_field():
    a, b = random_stack(3, 5, dilation=2, channels=4, seed=7), random_stack(3, 5, dilation=2, channels=4, seed=7)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(a[0].weight, random_stack(3, 5, dilation=2, channels=4, seed=8)[0].weight)
    assert all(float(m.bias.detach().abs().max()) == 0 for m in a if isinstance(m, nn.Conv2d))
    assert sum(isinstance(m, nn.ReLU) for m in a) == 3
    field = 1 + 3 * 2 * 4
    assert a(torch.zeros(1, 1, field, field)).shape == (1, 4, 1, 1)
    assert not any(isinstance(m, nn.ReLU) for m in random_stack(2, relu=False))


@pytest.mark.parametrize("bad", [dict(depth=0), dict(kernel_size=0), dict(dilation=0), dict(channels=True)])
def test_random_stack_rejects_bad_arguments(bad):
    args = dict(depth=2, kernel_size=3, dilation=1, channels=2) | bad
    with pytest.raises(ValueError, match="is not allowed"):
        random_stack(**args)


@pytest.mark.parametrize("k, d", [(1, 1), (3, 1), (3, 2), (5, 3), (2, 1)])
def test_erf_of_one_linear_layer_is_its_kernel(k, d):
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 3, k, dilation=d, dtype=torch.float64)
    n = d * (k - 1) + 1 + 4
    erf = erf_map(conv, n, n_samples=5)
    m = n - d * (k - 1)  # output size
    c = m // 2
    expected = np.zeros((n, n))
    w = conv.weight.detach().sum(dim=0)[0].abs().numpy()  # y_centre sums the 3 output channels
    expected[c:c + d * (k - 1) + 1:d, c:c + d * (k - 1) + 1:d] = w
    assert np.allclose(erf, expected, atol=1e-12)
    # its support is the footprint of helpers.receptive
    assert np.array_equal(erf > 0, footprint(n, [ConvSpec(k, dilation=d)], (c, c)) > 0)


STACKS = [
    [ConvSpec(3), ConvSpec(3)],
    [ConvSpec(3), ConvSpec(3, dilation=2), ConvSpec(5)],
    [ConvSpec(3, stride=2), ConvSpec(3)],
    [ConvSpec(2, stride=2), ConvSpec(5, padding=1), ConvSpec(3, dilation=3)],
]


@pytest.mark.parametrize("layers", STACKS, ids=range(len(STACKS)))
def test_erf_of_an_all_ones_stack_counts_the_paths(layers):
    n = receptive_field_size(layers) + 6
    erf = erf_map(conv_stack(layers), n, n_samples=3)
    net = conv_stack(layers)
    m = net(torch.zeros(1, 1, n, n, dtype=torch.float64)).shape[-1]
    assert np.array_equal(erf, footprint(n, layers, (m // 2, m // 2)))


def test_erf_map_averages_per_sample_gradients_of_the_centre_unit():
    net = random_stack(3, 3, channels=4, seed=1)
    x = torch.randn(6, 1, 11, 11, generator=torch.Generator().manual_seed(3))
    loop = np.zeros((11, 11))
    for xi in x:  # the oracle: one input at a time, gradient of the centre unit summed over channels
        xi = xi[None].clone().requires_grad_(True)
        y = net(xi)
        y[0, :, y.shape[2] // 2, y.shape[3] // 2].sum().backward()
        loop += xi.grad[0, 0].abs().numpy() / len(x)
    assert np.allclose(erf_map(net, 11, inputs=x), loop, atol=1e-7)


def test_erf_map_uses_eval_mode_and_restores_training_mode():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Dropout(0.5))
    net.train()
    a, b = erf_map(net, 7, n_samples=4), erf_map(net, 7, n_samples=4)
    assert np.array_equal(a, b) and net.training  # no dropout noise, mode restored


def test_erf_map_rejects_bad_input():
    with pytest.raises(ValueError, match="model"):
        erf_map("not a module", 5)
    with pytest.raises(ValueError, match="input_size"):
        erf_map(nn.Conv2d(1, 1, 3), 0)
    with pytest.raises(ValueError, match="inputs"):
        erf_map(nn.Conv2d(1, 1, 3), 5, inputs=np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="feature map"):
        erf_map(nn.Sequential(nn.Conv2d(1, 1, 3), nn.Flatten()), 5)


# =========================================================================== summaries
def test_effective_radius_of_boxes_and_gaussians():
    for k in (1, 3, 5, 9):
        box = np.zeros((15, 15))
        box[7 - k // 2:8 + k // 2, 7 - k // 2:8 + k // 2] = 2.0
        assert effective_radius(box) == pytest.approx(np.sqrt((k * k - 1) / 12), abs=1e-12)
    r, c = np.indices((61, 61))
    for s in (1.5, 3.0, 6.0):
        g = np.exp(-((r - 30) ** 2 + (c - 30) ** 2) / (2 * s * s))
        assert effective_radius(g) == pytest.approx(s, rel=1e-3)


def test_gaussian_fit_recovers_a_gaussian_and_flags_a_box():
    r, c = np.indices((31, 31))
    g = 3.0 * np.exp(-((r - 14.6) ** 2 + (c - 15.2) ** 2) / (2 * 2.5 ** 2))
    fit = gaussian_fit(g)
    assert fit.amplitude == pytest.approx(3.0, rel=1e-6) and fit.sigma == pytest.approx(2.5, rel=1e-6)
    assert fit.centre == pytest.approx((14.6, 15.2), abs=1e-6) and fit.r2 == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(fit(r, c), g, atol=1e-6)
    box = np.zeros((31, 31))
    box[5:26, 5:26] = 1.0
    assert gaussian_fit(box).r2 < 0.95


@pytest.mark.parametrize("bad", [np.zeros((5, 5)), np.ones(5), -np.ones((3, 3)), np.full((3, 3), np.nan)])
def test_summaries_reject_bad_maps(bad):
    with pytest.raises(ValueError):
        effective_radius(bad)


def test_power_law_exponent():
    x = np.array([1, 2, 4, 8, 16])
    for a in (0.5, 1.0, 2.0):
        assert power_law_exponent(x, 3 * x ** a) == pytest.approx(a)
    for bad in (([1, 2], [1]), ([1], [1]), ([0, 1], [1, 2]), ([1, 2], [-1, 2])):
        with pytest.raises(ValueError):
            power_law_exponent(*bad)


def test_the_erf_grows_like_the_square_root_of_the_depth_for_3x3_but_linearly_for_one_kernel():
    depths = [2, 4, 8, 16]
    small = [effective_radius(erf_map(random_stack(n, 3), 2 * n + 9, n_samples=32)) for n in depths]
    large = [effective_radius(erf_map(random_stack(1, 2 * n + 1), 2 * n + 9, n_samples=32)) for n in depths]
    assert 0.3 <= power_law_exponent(depths, small) <= 0.7
    assert power_law_exponent(depths, large) >= 0.85
    assert all(s < l for s, l in zip(small[1:], large[1:]))
    # Gaussian at depth 16, and far inside the theoretical half-width
    deep = erf_map(random_stack(16, 3), 41, n_samples=32)
    assert gaussian_fit(deep).r2 > 0.9 and 2 * effective_radius(deep) < 16


# =========================================================================== dilated stacks
def _offsets(ks, ds) -> set[int]:
    """The brute-force oracle: every sum of tap offsets m_l d_l, one per layer."""
    return {sum(m * d for m, d in zip(taps, ds)) for taps in itertools.product(*[range(k) for k in ks])}


def random_stacks(n=60, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        L = int(rng.integers(1, 5))
        yield [int(v) for v in rng.integers(1, 6, L)], [int(v) for v in rng.integers(1, 5, L)]


def test_dilated_footprint_equals_index_arithmetic_autograd_and_brute_force():
    for ks, ds in random_stacks():
        fp = dilated_footprint(ks, ds)
        layers = [ConvSpec(k, dilation=d) for k, d in zip(ks, ds)]
        r = receptive_field_size(layers)
        assert fp.shape == (r, r)
        assert np.array_equal(fp, footprint(r, layers, (0, 0)))
        assert np.array_equal(fp, gradient_field(r, layers, (0, 0)))
        seen = _offsets(ks, ds)
        line = fp[np.nonzero(fp.any(axis=1))[0][0]]
        assert set(np.nonzero(line)[0]) == seen
        assert has_holes(fp) == (seen != set(range(r)))


def test_gridding_and_hybrid_dilations():
    assert has_holes(dilated_footprint([3, 3, 3], [2, 2, 2])) and not has_holes(dilated_footprint([3, 3, 3], [1, 2, 5]))
    assert not has_holes(np.zeros((3, 3))) and has_holes(np.array([[1, 0, 1]]))


def test_dilations_double_the_field_and_add_weights_linearly():
    for i in range(6):
        ds = [2 ** l for l in range(i + 1)]
        s = stack_summary([3] * (i + 1), ds, channels=8)
        convs = nn.Sequential(*[nn.Conv2d(8, 8, 3, dilation=d, bias=False) for d in ds])
        assert s.field == 2 ** (i + 2) - 1 and s.holes == 0 and s.seen == s.field ** 2
        assert s.weights == count_parameters(convs) == 9 * (i + 1) * 64


def test_stack_summary_counts_weights_like_torch():
    for ks, ds in random_stacks(20, seed=1):
        convs = nn.Sequential(*[nn.Conv2d(5, 5, k, dilation=d, bias=False) for k, d in zip(ks, ds)])
        s = stack_summary(ks, ds, channels=5)
        fp = dilated_footprint(ks, ds)
        assert s.weights == count_parameters(convs) and s.seen == np.count_nonzero(fp)
        assert s.holes + s.seen == s.field ** 2


@pytest.mark.parametrize("ks, ds, match", [
    ([], [], "at least one layer"),
    ([3, 3], [1], "one dilation per layer"),
    ([3, 0], [1, 1], r"kernel_sizes\[1\]=0"),
    ([3], [0], r"dilations\[0\]=0"),
    ([3.0], [1], "kernel_sizes"),
    (3, [1], "kernel_sizes"),
])
def test_dilated_stacks_reject_bad_lists(ks, ds, match):
    with pytest.raises(ValueError, match=match):
        dilated_footprint(ks, ds)
    with pytest.raises(ValueError, match=match):
        stack_summary(ks, ds)
