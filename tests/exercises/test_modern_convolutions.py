"""Notebook 07's checkers accept right answers and reject stubs and plausible wrong answers."""

import numpy as np
import pytest

from helpers.exercises import modern_convolutions as ex07
from tests.exercises.support import outcome, refused_as_shortcut, stub


def rejected(report) -> bool:
    return not report and repr(report).startswith("✗")


# ------------------------------------------------------------------ exercise 1: fields by hand
def hand_recursion():
    r, j, fields = 1, 1, []
    for _, k, s, d in ex07.FIELD_STACK:
        r += d * (k - 1) * j
        j *= s
        fields.append(r)
    return fields


WRONG_FIELDS = {
    "stub": stub,
    "None": lambda: None,
    "jump ignored after the pooling": lambda: [3, 7, 8, 10, 14],
    "dilation ignored": lambda: [3, 5, 6, 10, 14],
    "pooling's own stride used": lambda: [3, 7, 9, 13, 21],
    "only the last field": lambda: 20,
    "four numbers": lambda: [3, 7, 8, 12],
    "floats": lambda: [3.0, 7.0, 8.0, 12.0, 20.0],
}


def test_stack_fields_accepts_the_recursion():
    assert hand_recursion() == [3, 7, 8, 12, 20]
    assert outcome(ex07.check_stack_fields, hand_recursion)


@pytest.mark.parametrize("name", WRONG_FIELDS)
def test_stack_fields_rejects(name):
    assert rejected(outcome(ex07.check_stack_fields, WRONG_FIELDS[name])), name


# ------------------------------------------------------------------ exercise 2: a 3x3 stack against one large kernel
def right_stack_vs_single(n, c_in, c_out):
    stack = 9 * c_in * c_out + c_out + (n - 1) * (9 * c_out * c_out + c_out)
    return stack, (2 * n + 1) ** 2 * c_in * c_out + c_out


WRONG_STACK_VS_SINGLE = {
    "stub": stub,
    "no biases": lambda n, ci, co: (9 * ci * co + (n - 1) * 9 * co * co, (2 * n + 1) ** 2 * ci * co),
    "every layer from c_out (c_in ignored)": lambda n, ci, co: right_stack_vs_single(n, co, co),
    "every layer from c_in": lambda n, ci, co: (n * (9 * ci * co + co), right_stack_vs_single(n, ci, co)[1]),
    "single kernel 3n": lambda n, ci, co: (right_stack_vs_single(n, ci, co)[0], (3 * n) ** 2 * ci * co + co),
    "single kernel 2n - 1": lambda n, ci, co: (right_stack_vs_single(n, ci, co)[0], (2 * n - 1) ** 2 * ci * co + co),
    "one bias for the stack": lambda n, ci, co: (right_stack_vs_single(n, ci, co)[0] - (n - 1) * co,
                                                 right_stack_vs_single(n, ci, co)[1]),
    "swapped": lambda n, ci, co: right_stack_vs_single(n, ci, co)[::-1],
    "floats": lambda n, ci, co: tuple(float(v) for v in right_stack_vs_single(n, ci, co)),
}


def test_stack_vs_single_accepts_the_formula():
    assert outcome(ex07.check_stack_vs_single, right_stack_vs_single)
    assert outcome(ex07.check_stack_vs_single, right_stack_vs_single, hidden_seed=4)


@pytest.mark.parametrize("name", WRONG_STACK_VS_SINGLE)
def test_stack_vs_single_rejects(name):
    assert rejected(outcome(ex07.check_stack_vs_single, WRONG_STACK_VS_SINGLE[name])), name


def test_stack_vs_single_refuses_torch_s_counts():
    from torch import nn

    from helpers.counting import count_parameters

    def by_torch(n, c_in, c_out):
        stack = nn.Sequential(*[nn.Conv2d(c_in if i == 0 else c_out, c_out, 3) for i in range(n)])
        return count_parameters(stack), count_parameters(nn.Conv2d(c_in, c_out, 2 * n + 1))

    refused_as_shortcut(ex07.check_stack_vs_single, by_torch)


def test_stack_vs_single_hidden_cases_catch_a_table_of_kernel_sizes():
    sides = {n: 2 * n + 1 for n in range(1, 9)}  # the depths the visible cases draw

    def tuned(n, c_in, c_out):
        stack = right_stack_vs_single(n, c_in, c_out)[0]
        return stack, sides.get(n, 3) ** 2 * c_in * c_out + c_out

    assert outcome(ex07.check_stack_vs_single, tuned)
    assert "hidden" in repr(outcome(ex07.check_stack_vs_single, tuned, hidden_seed=1))


# ------------------------------------------------------------------ exercise 3: dilations without holes
@pytest.mark.parametrize("dilations", [(1, 5, 7), (1, 5, 15), [1, 4, 12], (2, 1, 9), (1, 3, 10), (1, 5, 11)])
def test_dilations_accepts_hole_free_stacks_with_a_field_of_29(dilations):
    assert outcome(ex07.check_dilations, lambda: dilations), dilations


WRONG_DILATIONS = {
    "stub": stub,
    "None": lambda: None,
    "copied 1, 2, 5 (field 19)": lambda: (1, 2, 5),
    "copied 1, 2, 4 (field 17)": lambda: (1, 2, 4),
    "gridding 2, 2, 2 (holes)": lambda: (2, 2, 2),
    "1, 6, 8 (a gap of 6 over a field of 5)": lambda: (1, 6, 8),
    "1, 5, 16 (a gap of 16 over a field of 15)": lambda: (1, 5, 16),
    "1, 4, 6 (no holes, field 25)": lambda: (1, 4, 6),
    "two layers": lambda: (4, 4),
    "zero dilation": lambda: (0, 4, 4),
    "float": lambda: (1.0, 5, 7),
    "huge": lambda: (1, 5, 100),
}


@pytest.mark.parametrize("name", WRONG_DILATIONS)
def test_dilations_rejects(name):
    assert rejected(outcome(ex07.check_dilations, WRONG_DILATIONS[name])), name


def test_dilations_refuses_the_footprint_helpers():
    from helpers.erf import dilated_footprint, has_holes

    def search():
        for d3 in range(16, 0, -1):
            if not has_holes(dilated_footprint([5, 3, 3], [1, 5, d3])):
                return 1, 5, d3

    refused_as_shortcut(ex07.check_dilations, search)


# ------------------------------------------------------------------ exercise 4: a separable layer's cost
def right_separable(c_in, c_out, k, size, stride):
    m = (size + 2 * (k // 2) - k) // stride + 1
    weights = k * k * c_in + c_in * c_out
    return weights, 2 * m * m * weights


def _with_side(side):
    def answer(c_in, c_out, k, size, stride):
        weights = k * k * c_in + c_in * c_out
        return weights, 2 * side(size, k, stride) ** 2 * weights
    return answer


WRONG_SEPARABLE = {
    "stub": stub,
    "stride ignored": _with_side(lambda n, k, s: n),
    "size // stride": _with_side(lambda n, k, s: n // s),
    "padding forgotten": _with_side(lambda n, k, s: (n - k) // s + 1),
    "multiply-adds, not FLOPs": lambda ci, co, k, n, s: (right_separable(ci, co, k, n, s)[0],
                                                         right_separable(ci, co, k, n, s)[1] // 2),
    "pointwise on the full-size map": lambda ci, co, k, n, s: (
        k * k * ci + ci * co, 2 * ((n - 1) // s + 1) ** 2 * k * k * ci + 2 * n * n * ci * co),
    "k instead of k²": lambda ci, co, k, n, s: right_separable(ci, co, 1, n, s) if k == 1 else (
        k * ci + ci * co, 2 * ((n - 1) // s + 1) ** 2 * (k * ci + ci * co)),
    "a standard layer": lambda ci, co, k, n, s: (k * k * ci * co, 2 * ((n - 1) // s + 1) ** 2 * k * k * ci * co),
    "swapped": lambda ci, co, k, n, s: right_separable(ci, co, k, n, s)[::-1],
    "only the weights": lambda ci, co, k, n, s: right_separable(ci, co, k, n, s)[0],
}


def test_separable_cost_accepts_the_formula():
    assert outcome(ex07.check_separable_cost, right_separable)
    assert outcome(ex07.check_separable_cost, right_separable, hidden_seed=4)


@pytest.mark.parametrize("name", WRONG_SEPARABLE)
def test_separable_cost_rejects(name):
    assert rejected(outcome(ex07.check_separable_cost, WRONG_SEPARABLE[name])), name


def test_separable_cost_refuses_torch_s_flop_counter_and_the_formula_helpers():
    from helpers.counting import conv_flops

    def by_formula_helper(c_in, c_out, k, size, stride):
        flops = conv_flops(c_in, c_in, k, size, stride=stride, groups=c_in, padding=k // 2)
        m = (size - 1) // stride + 1
        return k * k * c_in + c_in * c_out, flops + conv_flops(c_in, c_out, 1, m)

    def by_flop_counter(c_in, c_out, k, size, stride):
        from torch.utils.flop_counter import FlopCounterMode
        with FlopCounterMode(display=False) as counter:
            pass
        return right_separable(c_in, c_out, k, size, stride)[0], counter.get_total_flops()

    refused_as_shortcut(ex07.check_separable_cost, by_formula_helper)
    refused_as_shortcut(ex07.check_separable_cost, by_flop_counter)


def test_separable_cost_hidden_cases_catch_a_table_of_squares():
    squares = {1: 1, 3: 9, 5: 25, 7: 49}  # the kernel sizes the visible cases use

    def tuned(c_in, c_out, k, size, stride):
        m = (size - 1) // stride + 1
        weights = squares.get(k, k) * c_in + c_in * c_out
        return weights, 2 * m * m * weights

    assert outcome(ex07.check_separable_cost, tuned)
    assert "hidden" in repr(outcome(ex07.check_separable_cost, tuned, hidden_seed=1))


# ------------------------------------------------------------------ exercise 5: design a field
def dilated(*dilations, k=3):
    return [(k, 1, d, d * (k - 1) // 2) for d in dilations]


BEST_DESIGNS = {
    "dilations 1, 3, 9, 27": dilated(1, 3, 9, 27),
    "dilations 1, 3, 9, 7 (exactly 41)": dilated(1, 3, 9, 7),
    "the same layers in another order": dilated(9, 1, 27, 3),
    "tuples as lists": [list(t) for t in dilated(1, 3, 9, 14)],
}
CHEAP_DESIGNS = {  # valid, at most 1.5 times the best
    "doubling dilations 1, 2, 4, 8, 16 (45 C²)": dilated(1, 2, 4, 8, 16),
    "3x3, 5x5 with dilation 3, 3x3 with dilation 15 (43 C²)": dilated(1) + dilated(3, k=5) + dilated(15),
    "six 3x3 layers (54 C²)": dilated(1, 1, 1, 3, 9, 9),
}
VALID_DESIGNS = {  # valid, more than 1.5 times the best
    "one 41x41 layer": [(41, 1, 1, 20)],
    "a 1x1 layer too many": dilated(1, 1, 1, 3, 9, 9) + [(1, 1, 1, 0)],
    "two 5x5 and a 3x3": dilated(1, 5, k=5) + dilated(25),
}
INVALID_DESIGNS = {
    "stub": stub,
    "None": lambda: None,
    "gridding: dilations 2, 2, 6, 12": dilated(2, 2, 6, 12),
    "a gap wider than the field below: 1, 3, 10, 27": dilated(1, 3, 10, 27),
    "too small: doubling 1, 2, 4, 8 (31)": dilated(1, 2, 4, 8),
    "stride 2": [(3, 2, 1, 1)] + dilated(3, 9, 27),
    "no padding (the map shrinks)": [(3, 1, d, 0) for d in (1, 3, 9, 27)],
    "an even kernel": [(2, 1, 2, 1)] + dilated(1, 3, 9, 27),
    "three numbers per layer": [(3, 1, d) for d in (1, 3, 9, 27)],
    "floats": [(3.0, 1, d, d) for d in (1, 3, 9, 27)],
    "twenty 3x3 layers": dilated(*[1] * 20),
    "a window over 121": dilated(1, 3, 9, 27, 81),
    "empty": [],
    "a dict": {"layers": dilated(1, 3, 9, 27)},
}


def as_answer(design):
    return design if callable(design) else (lambda: design)


@pytest.mark.parametrize("name", BEST_DESIGNS)
def test_design_accepts_the_fewest_weights(name):
    answer = as_answer(BEST_DESIGNS[name])
    for check in (ex07.check_design_field, lambda a: ex07.check_design_weights(a, 1.5),
                  lambda a: ex07.check_design_weights(a, 1)):
        assert outcome(check, answer), name


@pytest.mark.parametrize("name", CHEAP_DESIGNS)
def test_design_tiers_a_cheap_design(name):
    answer = as_answer(CHEAP_DESIGNS[name])
    assert outcome(ex07.check_design_field, answer) and outcome(ex07.check_design_weights, answer, 1.5)
    assert rejected(outcome(ex07.check_design_weights, answer, 1)), name


@pytest.mark.parametrize("name", VALID_DESIGNS)
def test_design_tiers_a_valid_but_expensive_design(name):
    answer = as_answer(VALID_DESIGNS[name])
    assert outcome(ex07.check_design_field, answer), name
    assert rejected(outcome(ex07.check_design_weights, answer, 1.5)), name


@pytest.mark.parametrize("name", INVALID_DESIGNS)
def test_design_rejects_an_invalid_design_in_every_tier(name):
    answer = as_answer(INVALID_DESIGNS[name])
    for report in (outcome(ex07.check_design_field, answer), outcome(ex07.check_design_weights, answer, 1.5),
                   outcome(ex07.check_design_weights, answer, 1)):
        assert rejected(report), name


def test_design_reports_name_the_property_that_fails():
    assert "no holes" in repr(outcome(ex07.check_design_field, as_answer(dilated(2, 2, 6, 12))))
    assert "at least 41x41" in repr(outcome(ex07.check_design_field, as_answer(dilated(1, 2, 4, 8))))
    assert "as large as the input" in repr(outcome(ex07.check_design_field, as_answer([(3, 1, 1, 0)] * 12)))
    assert "weights" in repr(outcome(ex07.check_design_weights, as_answer(dilated(1, 2, 4, 8, 16))))


def test_design_field_is_measured_by_autograd_and_agrees_with_the_tap_sums():
    for design in list(BEST_DESIGNS.values()) + list(CHEAP_DESIGNS.values()) + [dilated(2, 2, 6, 12)]:
        offsets = {0}
        for k, _, d, _ in design:
            offsets = {o + d * (t - (k - 1) // 2) for o in offsets for t in range(k)}
        side = max(offsets) - min(offsets) + 1
        assert ex07._measured_field(ex07._as_design(design)) == (side, side * side - len(offsets) ** 2)


def test_design_best_is_the_minimum_among_odd_kernels_at_stride_1():
    """No stack cheaper than four 3x3 layers (36 C²) reaches a hole-free field of 41.

    A layer with k taps per axis multiplies the number of offsets a unit reaches by at most k, and a
    hole-free field of 41 needs 41 offsets: so the kernel sizes need k1·k2·... >= 41. 1x1 layers add cost and
    no offsets. Every multiset of odd kernels >= 3 with sum k² < 36 has a product < 41 (listed below).
    """
    import itertools

    cheaper = [ks for n in range(1, 4) for ks in itertools.combinations_with_replacement((3, 5), n)
               if sum(k * k for k in ks) < 36]
    assert sorted(cheaper) == [(3,), (3, 3), (3, 3, 3), (3, 5), (5,)]
    assert all(np.prod(ks) < ex07.DESIGN_FIELD for ks in cheaper)
    best = ex07._weights(ex07._as_design(dilated(1, 3, 9, 27)))
    assert best == ex07.DESIGN_BEST == 36 * ex07.DESIGN_CHANNELS ** 2
    for ks in cheaper:  # the bound holds on every dilation up to 20, searched
        widest = 0
        for ds in itertools.product(range(1, 21), repeat=len(ks)):
            offsets = {0}
            for k, d in zip(ks, ds):
                offsets = {o + d * t for o in offsets for t in range(k)}
            if len(offsets) == max(offsets) + 1:
                widest = max(widest, len(offsets))
        assert widest == np.prod(ks) < ex07.DESIGN_FIELD


def test_design_refuses_the_library_s_footprints_and_widget():
    from helpers.erf import stack_summary
    from helpers.figures.modern_convolutions import dilated_stack_view

    def search():
        for d in range(1, 30):
            if stack_summary([3] * 4, [1, 3, 9, d]).holes == 0 and d > 7:
                return dilated(1, 3, 9, d)

    def by_widget():
        return dilated(1, 3, 9, 27) if dilated_stack_view("3, 3", "1, 3").summary.holes == 0 else []

    for check in (ex07.check_design_field, ex07.check_design_weights):
        refused_as_shortcut(check, search)
        refused_as_shortcut(check, by_widget)


def test_stub_reports_say_not_implemented():
    for check in (ex07.check_stack_fields, ex07.check_dilations, ex07.check_design_field, ex07.check_design_weights):
        assert "not implemented" in repr(outcome(check, stub))
    assert "not implemented" in repr(outcome(ex07.check_stack_vs_single, stub))
    assert "not implemented" in repr(outcome(ex07.check_separable_cost, stub))


def test_separable_reference_agrees_with_torch_s_flop_counter():
    import torch
    from torch import nn
    from torch.utils.flop_counter import FlopCounterMode

    for c_in, c_out, k, size, stride in [(32, 64, 3, 112, 2), (8, 8, 3, 15, 2), (5, 7, 9, 33, 4)]:
        block = nn.Sequential(nn.Conv2d(c_in, c_in, k, stride, k // 2, groups=c_in, bias=False),
                              nn.Conv2d(c_in, c_out, 1, bias=False)).to("meta")
        with FlopCounterMode(display=False) as counter:
            block(torch.zeros(1, c_in, size, size, device="meta"))
        assert ex07._separable_reference(c_in, c_out, k, size, stride)[1] == counter.get_total_flops()
