"""Notebook 01's checkers accept right answers and reject stubs and plausible wrong answers."""

import numpy as np
import pytest
import torch

from helpers.exercises import motivation as ex01
from tests.exercises.support import refused_as_shortcut, rejected, shortcuts_allowed, stub


# ------------------------------------------------------------------ exercise 1: receptive field size
def right_rf(kernel_sizes, strides, dilations):
    r, j = 1, 1
    for k, s, d in zip(kernel_sizes, strides, dilations):
        r += d * (k - 1) * j
        j *= s
    return r


def rf_current_stride(ks, ss, ds):  # multiplies by the layer's own stride first
    r, j = 1, 1
    for k, s, d in zip(ks, ss, ds):
        j *= s
        r += d * (k - 1) * j
    return r


WRONG_RF = {
    "stub": stub,
    "strides ignored": lambda ks, ss, ds: 1 + sum(d * (k - 1) for k, d in zip(ks, ds)),
    "dilation ignored": lambda ks, ss, ds: right_rf(ks, ss, [1] * len(ds)),
    "uses the layer's own stride": rf_current_stride,
    "sum of kernel sizes": lambda ks, ss, ds: sum(ks),
    "float result": lambda ks, ss, ds: float(right_rf(ks, ss, ds)),
    "effective kernel d*k": lambda ks, ss, ds: right_rf([d * k for k, d in zip(ks, ds)], ss, [1] * len(ds)),
}


def test_receptive_field_accepts_the_recursion():
    assert ex01.check_receptive_field(right_rf)


@pytest.mark.parametrize("name", WRONG_RF)
def test_receptive_field_rejects(name):
    with shortcuts_allowed():
        rejected(ex01.check_receptive_field, WRONG_RF[name])


# ------------------------------------------------------------------ exercise 2: parameter counts
def right_counts(n, c_in, c_out, k):
    m = n - k + 1
    return (c_in * k * k + 1) * c_out, m * m * (c_in * k * k + 1) * c_out, (c_in * n * n + 1) * c_out * m * m


WRONG_COUNTS = {
    "stub": stub,
    "no biases": lambda n, ci, co, k: (ci * k * k * co, (n - k + 1) ** 2 * ci * k * k * co,
                                       ci * n * n * co * (n - k + 1) ** 2),
    "in_channels forgotten": lambda n, ci, co, k: right_counts(n, 1, co, k),
    "unshared uses the input size": lambda n, ci, co, k: (right_counts(n, ci, co, k)[0],
                                                          n * n * (ci * k * k + 1) * co, right_counts(n, ci, co, k)[2]),
    "dense maps to the input size": lambda n, ci, co, k: (*right_counts(n, ci, co, k)[:2], (ci * n * n + 1) * co * n * n),
    "one bias for the dense layer": lambda n, ci, co, k: (*right_counts(n, ci, co, k)[:2],
                                                          ci * n * n * co * (n - k + 1) ** 2 + 1),
    "only two numbers": lambda n, ci, co, k: right_counts(n, ci, co, k)[:2],
}


def test_parameter_counts_accepts_the_formulas():
    assert ex01.check_parameter_counts(right_counts)


@pytest.mark.parametrize("name", WRONG_COUNTS)
def test_parameter_counts_rejects(name):
    with shortcuts_allowed():
        rejected(ex01.check_parameter_counts, WRONG_COUNTS[name])


# ------------------------------------------------------------------ exercise 3: input window
def right_window(ks, ss, ps, index):
    r, j, start = 1, 1, 0
    for k, s, p in zip(ks, ss, ps):
        r += (k - 1) * j
        start -= p * j
        j *= s
    first = start + index * j
    return first, first + r - 1


def window_padding_ignored(ks, ss, ps, index):
    return right_window(ks, ss, [0] * len(ps), index)


def window_padding_unscaled(ks, ss, ps, index):  # subtracts p without the jump
    first, last = right_window(ks, ss, [0] * len(ps), index)
    return first - sum(ps), last - sum(ps)


WRONG_WINDOWS = {
    "stub": stub,
    "padding ignored": window_padding_ignored,
    "padding not scaled by the jump": window_padding_unscaled,
    "last one too far": lambda ks, ss, ps, i: (right_window(ks, ss, ps, i)[0], right_window(ks, ss, ps, i)[1] + 1),
    "clipped at zero": lambda ks, ss, ps, i: tuple(max(0, v) for v in right_window(ks, ss, ps, i)),
    "index times the first stride": lambda ks, ss, ps, i: (lambda f, l: (f - i * (np_prod(ss) - ss[0]),
                                                                          l - i * (np_prod(ss) - ss[0])))(
        *right_window(ks, ss, ps, i)),
}


def np_prod(values):
    out = 1
    for v in values:
        out *= v
    return out


def test_input_window_accepts_the_recursion():
    assert ex01.check_input_window(right_window)


@pytest.mark.parametrize("name", WRONG_WINDOWS)
def test_input_window_rejects(name):
    with shortcuts_allowed():
        rejected(ex01.check_input_window, WRONG_WINDOWS[name])


# ------------------------------------------------------------------ exercise 4: predict a dilated field
def test_dilated_field_accepts_the_prediction():
    assert ex01.check_dilated_field(lambda: (11, 81))
    assert ex01.check_dilated_field((11, 81))  # a plain value is read too


def test_dilated_field_reference_is_the_sum_set_of_the_taps():
    """Independent of autograd: the offsets seen are the sums of one tap per layer (one axis)."""
    offsets = {a + b for a in (-2, 0, 2) for b in (-3, 0, 3)}
    assert ex01._dilated_field_reference() == (max(offsets) - min(offsets) + 1, len(offsets) ** 2)


WRONG_PREDICTIONS = {
    "stub": stub,
    "no holes": lambda: (11, 121),
    "only the top layer's taps": lambda: (11, 9),
    "dilations multiplied": lambda: (13, 81),
    "one axis only": lambda: (11, 9 * 1),
    "swapped": lambda: (81, 11),
    "floats": lambda: (11.0, 81.0),
    "the field alone": lambda: 11,
}


@pytest.mark.parametrize("name", WRONG_PREDICTIONS)
def test_dilated_field_rejects(name):
    rejected(ex01.check_dilated_field, WRONG_PREDICTIONS[name])


def test_dilated_field_refuses_autograd_and_the_footprint_helpers():
    from helpers.erf import dilated_footprint
    from helpers.receptive import ConvSpec, gradient_field

    def by_autograd():
        g = gradient_field(11, [ConvSpec(3, dilation=2), ConvSpec(3, dilation=3)], (0, 0))
        return 11, int((g > 0).sum())

    def by_footprint():
        return 11, int((dilated_footprint([3, 3], [2, 3]) > 0).sum())

    refused_as_shortcut(ex01.check_dilated_field, by_autograd)
    refused_as_shortcut(ex01.check_dilated_field, by_footprint)


# ------------------------------------------------------------------ exercise 5: shifts
def right_commutes(op, x, dy, dx, margin):
    a = op(torch.roll(x, (dy, dx), dims=(0, 1)))
    b = torch.roll(op(x), (dy, dx), dims=(0, 1))
    H, W = x.shape
    return bool(torch.allclose(a[margin:H - margin, margin:W - margin], b[margin:H - margin, margin:W - margin]))


def commutes_with(compare):
    """An answer that rolls like right_commutes and then compares the two images with ``compare``."""
    def answer(op, x, dy, dx, margin):
        a = op(torch.roll(x, (dy, dx), dims=(0, 1)))
        b = torch.roll(op(x), (dy, dx), dims=(0, 1))
        return compare(a, b, x, margin)
    return answer


def _inner(t, m, shape):
    return t[m:shape[0] - m, m:shape[1] - m]


WRONG_COMMUTES = {
    "stub": stub,
    "always True": lambda op, x, dy, dx, m: True,
    "margin ignored": commutes_with(lambda a, b, x, m: bool(torch.allclose(a, b))),
    "margin on the top and left only": commutes_with(lambda a, b, x, m: bool(torch.allclose(a[m:, m:], b[m:, m:]))),
    "height and width swapped": commutes_with(
        lambda a, b, x, m: bool(torch.allclose(a[m:x.shape[1] - m, m:x.shape[0] - m], b[m:x.shape[1] - m, m:x.shape[0] - m]))),
    "invariance instead of equivariance": lambda op, x, dy, dx, m: bool(torch.allclose(
        _inner(op(torch.roll(x, (dy, dx), dims=(0, 1))), m, x.shape), _inner(op(x), m, x.shape))),
    "output rolled back the other way": lambda op, x, dy, dx, m: bool(torch.allclose(
        _inner(op(torch.roll(x, (dy, dx), dims=(0, 1))), m, x.shape),
        _inner(torch.roll(op(x), (-dy, -dx), dims=(0, 1)), m, x.shape))),
    "dy and dx swapped on one side": lambda op, x, dy, dx, m: bool(torch.allclose(
        _inner(op(torch.roll(x, (dy, dx), dims=(0, 1))), m, x.shape),
        _inner(torch.roll(op(x), (dx, dy), dims=(0, 1)), m, x.shape))),
    "a tensor, not a bool": commutes_with(lambda a, b, x, m: (_inner(a, m, x.shape) - _inner(b, m, x.shape)).abs().max() < 1e-9),
    "only the centre pixel": commutes_with(lambda a, b, x, m: bool(torch.isclose(a[x.shape[0] // 2, x.shape[1] // 2],
                                                                                b[x.shape[0] // 2, x.shape[1] // 2]))),
}


def test_shift_commutes_accepts_the_roll_and_compare():
    assert ex01.check_shift_commutes(right_commutes)
    assert ex01.check_shift_commutes(right_commutes, hidden_seed=3)


@pytest.mark.parametrize("name", WRONG_COMMUTES)
def test_shift_commutes_rejects(name):
    rejected(ex01.check_shift_commutes, WRONG_COMMUTES[name])


def test_shift_commutes_refuses_the_library_s_shifts():
    from helpers.deform import roll
    from helpers.equivariance import interior_mask

    def with_deform_roll(op, x, dy, dx, margin):
        a = op(torch.as_tensor(roll(x.numpy(), dy, dx)))
        return bool(torch.allclose(a, torch.as_tensor(roll(op(x).numpy(), dy, dx))))

    def with_interior_mask(op, x, dy, dx, margin):
        keep = torch.as_tensor(interior_mask(tuple(x.shape), margin))
        a, b = op(torch.roll(x, (dy, dx), (0, 1))), torch.roll(op(x), (dy, dx), (0, 1))
        return bool(torch.allclose(a[keep], b[keep]))

    refused_as_shortcut(ex01.check_shift_commutes, with_deform_roll)
    refused_as_shortcut(ex01.check_shift_commutes, with_interior_mask)


def test_shift_commutes_hidden_cases_catch_an_answer_that_knows_only_the_visible_operations():
    def by_name(op, x, dy, dx, margin):  # right on the operations it was tried on, else a guess
        return right_commutes(op, x, dy, dx, margin) if op.name in ex01.SHIFT_OPS else True

    assert ex01.check_shift_commutes(by_name)
    assert "hidden" in rejected(ex01.check_shift_commutes, by_name, hidden_seed=1)


def equivariant_by(shifts, margin=lambda s: 3 + max(abs(s[0]), abs(s[1])), image=None):
    """An answer that tries ``shifts`` on one image, with right_commutes."""
    def answer(ops):
        x = torch.randn(20, 20, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) \
            if image is None else image
        return [all(right_commutes(op, x, dy, dx, margin((dy, dx))) for dy, dx in shifts) for op in ops.values()]
    return answer


def test_equivariant_ops_accepts_a_few_shifts_with_a_wide_enough_margin():
    assert ex01.check_equivariant_ops(equivariant_by([(0, 1), (1, 0)]))
    assert ex01.check_equivariant_ops(equivariant_by([(1, 0), (0, 1), (2, 3)]), hidden_seed=5)


def test_equivariant_ops_truth_is_the_analytic_one():
    """The reference's torch.roll numerics agree with what the operations are, on paper."""
    from helpers.exercises import hidden

    expected = {"blur 3x3": True, "square every pixel": True, "mirror left-right": False,
                "add the column number": False, "keep every 2nd pixel, repeat it 2x2": False,
                "subtract the image's mean": True, "transpose (square images)": False,
                "max of each 3x3 window": True, "a 3x3 kernel with dilation 3": True, "conv, ReLU, conv": True,
                "subtract the top-left pixel": False, "multiply by a fixed random pattern": False,
                "keep every 3rd pixel, repeat it 3x3": False, "add the row number": False,
                "rotate by 180 degrees": False}
    for ops in (ex01.SHIFT_OPS, hidden._shift_ops()):
        assert dict(zip(ops, ex01._equivariant_reference(ops))) == {k: expected[k] for k in ops}


WRONG_EQUIVARIANT = {
    "stub": stub,
    "one diagonal even shift": equivariant_by([(2, 2)]),
    "vertical shifts only": equivariant_by([(1, 0), (2, 0), (3, 0)]),
    "no margin": equivariant_by([(0, 1), (1, 0)], margin=lambda s: 0),
    "a constant image": equivariant_by([(0, 1), (1, 0)], image=torch.ones(20, 20, dtype=torch.float64)),
    "names, not bools": lambda ops: [n for n, ok in zip(ops, equivariant_by([(0, 1), (1, 0)])(ops)) if ok],
}


@pytest.mark.parametrize("name", WRONG_EQUIVARIANT)
def test_equivariant_ops_rejects(name):
    rejected(ex01.check_equivariant_ops, WRONG_EQUIVARIANT[name])


def test_equivariant_ops_hidden_cases_catch_a_memorized_answer():
    known = dict(zip(ex01.SHIFT_OPS, ex01._equivariant_reference(ex01.SHIFT_OPS)))

    def memorized(ops):
        return [known.get(name, True) for name in ops]

    assert ex01.check_equivariant_ops(memorized)
    assert "hidden" in rejected(ex01.check_equivariant_ops, memorized, hidden_seed=2)


def test_equivariant_ops_refuses_the_library_s_measurement():
    from helpers.equivariance import shift_equivariance

    def by_library(ops):
        x = torch.randn(20, 20, dtype=torch.float64).numpy()
        return [shift_equivariance(x, np.ones((3, 3)), 1, 0).interior_norm < 1e-9 for _ in ops]

    refused_as_shortcut(ex01.check_equivariant_ops, by_library)
