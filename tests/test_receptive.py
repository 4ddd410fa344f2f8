"""Receptive fields: the closed-form recursion, index arithmetic and torch autograd agree."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from helpers.receptive import (
    ConvSpec,
    conv_stack,
    field_stats,
    footprint,
    footprint_1d,
    gradient_field,
    input_window,
    output_sizes,
    receptive_field_size,
    uniform_stack,
)

specs = st.builds(ConvSpec, kernel_size=st.integers(1, 5), stride=st.integers(1, 3), padding=st.integers(0, 2),
                  dilation=st.integers(1, 3))


def brute_force_field(n, layers, index):
    """Input positions that reach output unit `index`, by pushing explicit sets down the stack (no recursion)."""
    sizes = output_sizes(n, layers)
    units = {index}
    for s, n_below in zip(reversed(layers), reversed(sizes[:-1])):
        units = {u * s.stride - s.padding + m * s.dilation for u in units for m in range(s.kernel_size)}
        units = {x for x in units if 0 <= x < n_below}
    return units


def fits(n, layers):
    try:
        output_sizes(n, layers)
        return True
    except ValueError:
        return False


@given(layers=st.lists(specs, min_size=1, max_size=4), n=st.integers(8, 40), data=st.data())
def test_gradient_equals_closed_form_path_counts(layers, n, data):
    assume(fits(n, layers))
    m = output_sizes(n, layers)[-1]
    unit = (data.draw(st.integers(0, m - 1)), data.draw(st.integers(0, m - 1)))
    grad = gradient_field(n, layers, unit)
    counts = footprint(n, layers, unit)
    assert np.array_equal(grad, counts)  # exact: integers in float64
    assert counts.sum() > 0 or any(s.padding for s in layers)
    # the field lies inside the recursion's window
    (r0, r1), (c0, c1) = input_window(layers, unit[0]), input_window(layers, unit[1])
    rows, cols = np.nonzero(counts)
    assert rows.size == 0 or (rows.min() >= r0 and rows.max() <= r1 and cols.min() >= c0 and cols.max() <= c1)
    assert set(np.nonzero(footprint_1d(n, layers, unit[0]))[0]) == brute_force_field(n, layers, unit[0])


@given(layers=st.lists(specs.map(lambda s: ConvSpec(s.kernel_size, s.stride, 0, s.dilation)), min_size=1,
                       max_size=4), n=st.integers(8, 60), data=st.data())
def test_without_padding_the_window_is_the_fields_bounding_box(layers, n, data):
    assume(fits(n, layers))
    m = output_sizes(n, layers)[-1]
    i = data.draw(st.integers(0, m - 1))
    support = np.nonzero(gradient_field(n, layers, (i, 0))[:, 0])[0]
    first, last = input_window(layers, i)
    assert (support.min(), support.max()) == (first, last)
    assert last - first + 1 == receptive_field_size(layers)
    # the counts are the product of the per-layer (dilated, upsampled) kernels: their sum is prod(k)
    assert footprint_1d(n, layers, i).sum() == np.prod([s.kernel_size for s in layers])


@pytest.mark.parametrize("layers, size", [
    (uniform_stack(1, 3), 3),
    (uniform_stack(2, 3), 5),           # VGG: two 3x3 see 5x5
    (uniform_stack(3, 3), 7),           # three see 7x7
    (uniform_stack(1, 3, dilation=2), 5),
    (uniform_stack(3, 3, dilation=2), 13),
    ([ConvSpec(5), ConvSpec(2, 2), ConvSpec(5), ConvSpec(2, 2), ConvSpec(5)], 32),  # LeNet-5 C1..C5 see 32x32
    ([ConvSpec(11, 4), ConvSpec(3, 2)], 19),
])
def test_known_field_sizes(layers, size):
    assert receptive_field_size(layers) == size


def test_lenet5_c5_sees_the_whole_input():
    layers = [ConvSpec(5), ConvSpec(2, 2), ConvSpec(5), ConvSpec(2, 2), ConvSpec(5)]
    assert output_sizes(32, layers) == [32, 28, 14, 10, 5, 1]
    assert input_window(layers, 0) == (0, 31)
    assert np.all(footprint(32, layers, (0, 0)) > 0)


def test_stats_follow_the_recursion_and_holes_appear():
    stats = field_stats([ConvSpec(3, 2, 1), ConvSpec(3, 2, 1)])
    assert [(s.size, s.jump, s.start) for s in stats] == [(1, 1, 0), (3, 2, -1), (7, 4, -3)]
    # stride larger than the kernel: the window has holes
    layers = [ConvSpec(1, 2), ConvSpec(2)]
    assert receptive_field_size(layers) == 3
    assert list(footprint_1d(8, layers, 0)[:3]) == [1, 0, 1]


def test_padding_in_the_middle_cuts_paths():
    # an input pixel that only a padded intermediate position would reach is not in the field
    layers = [ConvSpec(3, 1, 0, 2), ConvSpec(2, 1, 1, 3)]
    assert sorted(brute_force_field(10, layers, 0)) == [2, 4, 6]
    assert list(np.nonzero(footprint_1d(10, layers, 0))[0]) == [2, 4, 6]
    first, last = input_window(layers, 0)
    assert (first, last) == (-1, 6)  # the window is larger: it includes the padded path


def test_conv_stack_is_all_ones_and_float64():
    model = conv_stack(uniform_stack(2, 3, stride=2))
    assert all(torch.all(c.weight == 1) and c.bias is None for c in model)
    assert model(torch.ones(1, 1, 9, 9, dtype=torch.float64)).shape == (1, 1, 1, 1)


@pytest.mark.parametrize("call, match", [
    (lambda: ConvSpec(0), "kernel_size=0"),
    (lambda: ConvSpec(3, stride=0), "stride=0"),
    (lambda: ConvSpec(3, padding=-1), "padding=-1"),
    (lambda: ConvSpec(3, dilation=1.5), "dilation=1.5"),
    (lambda: uniform_stack(0, 3), "n_layers=0"),
    (lambda: uniform_stack(1, 3, padding="full"), "padding='full'"),
    (lambda: field_stats([3, 3]), r"layers\[0\]=3"),
    (lambda: output_sizes(4, uniform_stack(2, 3)), "layer 2 does not fit"),
    (lambda: footprint_1d(8, uniform_stack(1, 3), 6), "index=6"),
    (lambda: gradient_field(8, uniform_stack(1, 3), (0, 6)), "col=6"),
    (lambda: footprint(8, uniform_stack(1, 3), 0), "unit=0"),
    (lambda: input_window(uniform_stack(1, 3), -1), "index=-1"),
])
def test_bad_arguments_are_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
