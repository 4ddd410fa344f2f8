"""helpers.args: the one argument check. Each rule against a plain statement of it, and the one template."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.args import (
    as_bool,
    as_float,
    as_float_array,
    as_int,
    as_ints,
    as_pair,
    is_int,
    is_number,
    not_allowed,
    one_of,
)

TEMPLATE = re.compile(r"^(\w+)=(.+) is not allowed: expected (.+)$")


def message(call) -> str:
    with pytest.raises(ValueError) as info:
        call()
    text = str(info.value)
    assert TEMPLATE.match(text), text  # one template everywhere
    return text


@given(v=st.integers(-5, 5), lo=st.none() | st.integers(-3, 3), hi=st.none() | st.integers(-3, 3))
def test_as_int_accepts_exactly_the_ints_in_range(v, lo, hi):
    inside = (lo is None or v >= lo) and (hi is None or v <= hi)
    if inside:
        assert as_int("n", v, lo, hi) == v and type(as_int("n", np.int64(v), lo, hi)) is int
    else:
        text = message(lambda: as_int("n", v, lo, hi))
        assert text.startswith(f"n={v} is not allowed: expected an int")


@pytest.mark.parametrize("bad", [True, False, 2.0, "2", None, np.float64(2.0)])
def test_bools_floats_and_strings_are_not_ints(bad):
    assert not is_int(bad)
    assert message(lambda: as_int("stride", bad, 1)) == f"stride={bad!r} is not allowed: expected an int >= 1"


def test_int_range_wording():
    assert message(lambda: as_int("k", 9, 1, 7)).endswith("expected an int in [1, 7]")
    assert message(lambda: as_int("k", 9, maximum=7)).endswith("expected an int <= 7")
    assert message(lambda: as_int("k", "a")).endswith("expected an int")


def test_pairs_and_tuples():
    assert as_pair("kernel_size", 3, minimum=1) == (3, 3)
    assert as_pair("padding", [0, 2], minimum=0) == (0, 2)
    assert "every entry >= 1" in message(lambda: as_pair("stride", (1, 0), minimum=1))
    assert "(h, w) pair of ints" in message(lambda: as_pair("stride", (1, True), minimum=1))
    assert "(h, w) pair" in message(lambda: as_pair("stride", (1, 2, 3), minimum=1))
    assert as_ints("pad", (1, 2, 3, 4), 4, minimum=0, entries="(l, r, t, b)") == (1, 2, 3, 4)
    assert "(l, r, t, b) tuple" in message(lambda: as_ints("pad", (1, 2), 4, minimum=0, entries="(l, r, t, b)"))


@given(v=st.floats(-10, 10), lo=st.floats(-5, 5), width=st.floats(0, 5), open_low=st.booleans(), open_high=st.booleans())
def test_as_float_bounds(v, lo, width, open_low, open_high):
    hi = lo + width
    ok = (v > lo if open_low else v >= lo) and (v < hi if open_high else v <= hi)
    if ok:
        assert as_float("x", v, lo, hi, open_low=open_low, open_high=open_high) == v
    else:
        message(lambda: as_float("x", v, lo, hi, open_low=open_low, open_high=open_high))


def test_float_wording_and_non_numbers():
    assert message(lambda: as_float("sigma", 0, 0, open_low=True)).endswith("expected a number > 0")
    assert message(lambda: as_float("p", 1.5, 0, 1)).endswith("expected a number in [0, 1]")
    assert message(lambda: as_float("g", 1, 0, 1, open_high=True)).endswith("expected a number in [0, 1)")
    assert message(lambda: as_float("lr", -1, 0)).endswith("expected a number >= 0")
    for bad in (float("nan"), float("inf"), True, "1", None):
        assert not is_number(bad)
        assert message(lambda: as_float("lr", bad)).endswith("expected a finite number")


def test_bool_one_of_and_arrays():
    assert as_bool("ceil_mode", np.bool_(False)) is False
    for bad in (0, 1, "True", None):
        assert message(lambda: as_bool("ceil_mode", bad)).endswith("expected True or False")
    assert one_of("mode", "same", ("valid", "same")) == "same"
    assert message(lambda: one_of("mode", "full", ("valid", "same"))) == \
        "mode='full' is not allowed: expected one of 'valid', 'same'"
    assert as_float_array("x", np.arange(3, dtype=np.float32)).dtype == np.float32
    assert as_float_array("x", [True, False]).dtype == np.float64
    assert "a real numeric array" in message(lambda: as_float_array("x", ["a"]))
    assert str(not_allowed("a", 1, "b")) == "a=1 is not allowed: expected b"
