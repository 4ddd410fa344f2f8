"""Notebook 07's checkers accept right answers and reject stubs and plausible wrong answers."""

import pytest

from helpers.exercises import modern_convolutions as ex07
from tests.exercises.support import outcome


def stub(*args, **kwargs):
    raise NotImplementedError()


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


# ------------------------------------------------------------------ exercise 2: 3x3 stack vs 7x7
WRONG_VGG = {
    "stub": stub,
    "no biases": lambda C: (27 * C * C, 49 * C * C),
    "one bias for the stack": lambda C: (27 * C * C + C, 49 * C * C + C),
    "one 3x3 layer": lambda C: (9 * C * C + C, 49 * C * C + C),
    "swapped": lambda C: (49 * C * C + C, 3 * (9 * C * C + C)),
    "C instead of C²": lambda C: (3 * (9 * C + C), 49 * C + C),
    "floats": lambda C: (float(3 * (9 * C * C + C)), float(49 * C * C + C)),
}


def test_vgg_parameters_accepts_the_formula():
    assert outcome(ex07.check_vgg_parameters, lambda C: (3 * (9 * C * C + C), 49 * C * C + C))


@pytest.mark.parametrize("name", WRONG_VGG)
def test_vgg_parameters_rejects(name):
    assert rejected(outcome(ex07.check_vgg_parameters, WRONG_VGG[name])), name


# ------------------------------------------------------------------ exercise 3: dilations without holes
@pytest.mark.parametrize("dilations", [(1, 2, 5), (1, 2, 4), (1, 3, 4), [1, 2, 6], (2, 1, 4), (1, 3, 5)])
def test_dilations_accepts_hole_free_stacks_with_a_field_of_15(dilations):
    assert outcome(ex07.check_dilations, lambda: dilations), dilations


WRONG_DILATIONS = {
    "stub": stub,
    "None": lambda: None,
    "gridding 2, 2, 2 (field 13, holes)": lambda: (2, 2, 2),
    "gridding 3, 3, 3 (field 19, holes)": lambda: (3, 3, 3),
    "1, 2, 8 (field 23, holes)": lambda: (1, 2, 8),
    "1, 1, 1 (no holes, field 7)": lambda: (1, 1, 1),
    "1, 2, 3 (no holes, field 13)": lambda: (1, 2, 3),
    "two layers": lambda: (4, 4),
    "zero dilation": lambda: (0, 4, 4),
    "float": lambda: (1.0, 2, 5),
    "huge": lambda: (1, 2, 100),
}


@pytest.mark.parametrize("name", WRONG_DILATIONS)
def test_dilations_rejects(name):
    assert rejected(outcome(ex07.check_dilations, WRONG_DILATIONS[name])), name


# ------------------------------------------------------------------ exercise 4: depthwise separable
def right_separable(c_in, c_out, k):
    return k * k * c_in + c_in * c_out, k * k * c_in * c_out


WRONG_SEPARABLE = {
    "stub": stub,
    "depthwise over the output channels": lambda ci, co, k: (k * k * co + ci * co, k * k * ci * co),
    "k instead of k²": lambda ci, co, k: (k * ci + ci * co, k * ci * co),
    "depthwise counted as a full layer": lambda ci, co, k: (k * k * ci * ci + ci * co, k * k * ci * co),
    "pointwise forgotten": lambda ci, co, k: (k * k * ci, k * k * ci * co),
    "with biases": lambda ci, co, k: (k * k * ci + ci + ci * co + co, k * k * ci * co + co),
    "swapped": lambda ci, co, k: right_separable(ci, co, k)[::-1],
    "only the separable count": lambda ci, co, k: right_separable(ci, co, k)[0],
}


def test_separable_parameters_accepts_the_formula():
    assert outcome(ex07.check_separable_parameters, right_separable)


@pytest.mark.parametrize("name", WRONG_SEPARABLE)
def test_separable_parameters_rejects(name):
    assert rejected(outcome(ex07.check_separable_parameters, WRONG_SEPARABLE[name])), name


def test_stub_reports_say_not_implemented():
    for check in (ex07.check_stack_fields, ex07.check_dilations):
        assert "not implemented" in repr(outcome(check, stub))
    assert "not implemented" in repr(outcome(ex07.check_vgg_parameters, stub))
    assert "not implemented" in repr(outcome(ex07.check_separable_parameters, stub))
