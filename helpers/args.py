"""Argument checks shared by every module: one place, one message template.

Every check raises ``ValueError`` with the message
``"{name}={value!r} is not allowed: expected {what}"``, so a student reads the
argument's name, the value given and what is allowed. ``True`` and ``False``
are not ints here, as they are not kernel sizes or strides.

>>> as_int("stride", 2, 1)
2
>>> as_pair("stride", 2, minimum=1)
(2, 2)
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "is_int",
    "is_number",
    "not_allowed",
    "as_int",
    "as_pair",
    "as_float",
    "as_float_array",
    "one_of",
]


def not_allowed(name: str, value, expected: str) -> ValueError:
    """The one error message: ``name=value is not allowed: expected ...``.

    >>> str(not_allowed("padding", -1, "an int >= 0"))
    'padding=-1 is not allowed: expected an int >= 0'
    """
    return ValueError(f"{name}={value!r} is not allowed: expected {expected}")


def is_int(v) -> bool:
    """An integer that is not a bool (numpy integers count).

    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def is_number(v) -> bool:
    """A finite real number that is not a bool.

    >>> is_number(0.5), is_number(float("nan")), is_number(False)
    (True, False, False)
    """
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and bool(np.isfinite(v))


def as_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]`` (either bound may be None).

    >>> as_int("seed", 0, 0)
    0
    """
    if not is_int(value) or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise not_allowed(name, value, _int_range(minimum, maximum))
    return int(value)


def _int_range(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"an int in [{minimum}, {maximum}]"
    if minimum is not None:
        return f"an int >= {minimum}"
    if maximum is not None:
        return f"an int <= {maximum}"
    return "an int"


def as_pair(name: str, value, *, minimum: int) -> tuple[int, int]:
    """An int or an (h, w) pair of ints, each >= ``minimum``, as a pair.

    >>> as_pair("kernel_size", (3, 5), minimum=1)
    (3, 5)
    """
    if is_int(value):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(is_int(v) for v in value):
        raise not_allowed(name, value, "an int or an (h, w) pair of ints")
    if min(value) < minimum:
        raise not_allowed(name, value, f"every entry >= {minimum}")
    return int(value[0]), int(value[1])


def as_float(name: str, value, low: float = -np.inf, high: float = np.inf) -> float:
    """``value`` as a finite float in ``[low, high]``.

    >>> as_float("angle", 15)
    15.0
    """
    if not is_number(value):
        raise not_allowed(name, value, "a finite number")
    if not low <= value <= high:
        raise not_allowed(name, value, f"a number in [{low}, {high}]")
    return float(value)


def as_float_array(name: str, a) -> np.ndarray:
    """A real numeric array, as floating point (float arrays keep their dtype).

    >>> as_float_array("x", [1, 2]).dtype
    dtype('float64')
    """
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise not_allowed(name, f"<array of dtype {a.dtype}>", "a real numeric array")
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    return a


def one_of(name: str, value, allowed) -> object:
    """``value`` if it is one of ``allowed``.

    >>> one_of("mode", "zeros", ("zeros", "reflect"))
    'zeros'
    """
    if value not in allowed:
        raise not_allowed(name, value, "one of " + ", ".join(map(repr, allowed)))
    return value
