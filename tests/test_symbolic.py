"""The slides' symbolic worked examples: the exact terms, and numbers equal to torch's."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from helpers.conv import PADDING_MODES
from helpers.symbolic import (
    cell_sum,
    padded_names,
    size_formula,
    substitute,
    symbol,
    symbolic_conv2d,
    to_latex,
)
from tests.torch_oracle import torch_conv2d, torch_pad


def slide_cell(first_col, rows=(1, 2, 3)):
    """The slide's printed cell: kernel row u meets input row u at columns first_col ... first_col + 2."""
    return " + ".join(f"a{r}{first_col + v}·k{u}{v + 1}" for u, r in zip((1, 2, 3), rows) for v in range(3))


def test_stride_1_example_is_the_slides():
    t = symbolic_conv2d(4, 4, 3, stride=1)
    assert (len(t), len(t[0])) == (2, 2)
    assert cell_sum(t[0][0]) == slide_cell(1)  # a11·k11 + a12·k12 + a13·k13 + a21·k21 + ...
    assert cell_sum(t[0][1]) == slide_cell(2)  # a12·k11 + a13·k12 + a14·k13 + ...
    assert cell_sum(t[1][0]) == slide_cell(1, rows=(2, 3, 4))


def test_stride_2_example_is_the_slides():
    t = symbolic_conv2d(5, 5, 3, stride=2)
    assert (len(t), len(t[0])) == (2, 2)
    assert cell_sum(t[0][0]) == slide_cell(1)
    assert cell_sum(t[0][1]) == slide_cell(3)  # a13·k11 + a14·k12 + a15·k13 + ...
    assert cell_sum(t[1][1]) == slide_cell(3, rows=(3, 4, 5))


@given(rows=st.integers(1, 7), cols=st.integers(1, 7), k=st.integers(1, 4), stride=st.integers(1, 3),
       padding=st.integers(0, 2), dilation=st.integers(1, 2), seed=st.integers(0, 2**16))
def test_substituted_numbers_equal_torch(rows, cols, k, stride, padding, dilation, seed):
    span = dilation * (k - 1) + 1
    if span > min(rows, cols) + 2 * padding:
        with pytest.raises(ValueError):
            symbolic_conv2d(rows, cols, k, stride, padding, dilation)
        return
    rng = np.random.default_rng(seed)
    a, kern = rng.integers(-5, 6, (rows, cols)).astype(float), rng.integers(-3, 4, (k, k)).astype(float)
    ours = substitute(symbolic_conv2d(rows, cols, k, stride, padding, dilation), a, kern)
    expected = torch_conv2d(a[None, None], kern[None, None], stride=stride, padding=padding, dilation=dilation)[0, 0]
    np.testing.assert_array_equal(ours, expected)


def test_padding_terms_are_left_out():
    t = symbolic_conv2d(3, 3, 3, padding=1)
    assert cell_sum(t[0][0]) == "a11·k22 + a12·k23 + a21·k32 + a22·k33"
    assert cell_sum([]) == "0"


def test_names_of_large_grids_stay_unambiguous():
    assert symbol("a", 0, 0) == "a11" and symbol("a", 10, 1) == "a11,2" and symbol("a", 0, 9) == "a1,10"
    t = symbolic_conv2d(12, 12, 3)
    a = np.arange(144.0).reshape(12, 12)
    np.testing.assert_array_equal(substitute(t, a, np.eye(3)),
                                  torch_conv2d(a[None, None], np.eye(3)[None, None])[0, 0])


def test_latex_has_the_three_grids():
    tex = to_latex(4, 4, 3, 1)
    assert tex.count(r"\begin{array}") == 3 and "a_{44}" in tex and "k_{33}" in tex
    assert r"a_{12}k_{11} + a_{13}k_{12} + a_{14}k_{13}" in tex


@pytest.mark.parametrize("bad", [{"rows": 0}, {"stride": 0}, {"padding": -1}, {"kernel_size": 1.5}, {"dilation": True}])
def test_bad_arguments_are_value_errors(bad):
    args = {"rows": 4, "cols": 4, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1, **bad}
    with pytest.raises(ValueError, match=next(iter(bad))):
        symbolic_conv2d(**args)


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_padded_names_name_the_entry_that_torch_copies(mode):
    index = np.arange(1.0, 26.0).reshape(5, 5)  # 1-based index of a_ij, 0 for zero padding
    for p in range(5):  # reflect pads a 5x5 grid by at most 4
        names = padded_names(5, p, mode)
        copied = torch_pad(index, p, mode).astype(int)
        expected = np.array([["0" if v == 0 else f"a{(v - 1) // 5 + 1}{(v - 1) % 5 + 1}" for v in row]
                             for row in copied])
        assert (names == expected).all()


def test_size_formula_fills_in_the_numbers():
    text, out = size_formula(28, 3, 2, 1, 2)
    assert out == 13 == torch.nn.Conv2d(1, 1, 3, stride=2, padding=1, dilation=2)(torch.zeros(1, 1, 28, 28)).shape[-1]
    assert "(28 + 2·1 − 2·(3−1) − 1) / 2" in text and text.endswith("= 13")
    text, out = size_formula(5, 3, 1, 0, 3)
    assert out is None and "no output" in text
