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

import math
import numbers

import numpy as np

__all__ = [
    "is_int",
    "is_number",
    "not_allowed",
    "as_int",
    "as_pair",
    "as_ints",
    "as_bool",
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
    t = type(v)
    if t is int:  # the common case first: this check runs on every call of every kernel
        return True
    return t is not bool and isinstance(v, (np.integer, numbers.Integral))


def is_number(v) -> bool:
    """A finite real number that is not a bool.

    >>> is_number(0.5), is_number(float("nan")), is_number(False)
    (True, False, False)
    """
    t = type(v)
    if t is float or t is int:
        return math.isfinite(v)
    return t is not bool and isinstance(v, numbers.Real) and bool(np.isfinite(v))


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


def as_pair(name: str, value, *, minimum: int, pair: str = "(h, w)") -> tuple[int, int]:
    """An int or a pair of ints, each >= ``minimum``, as a pair (``pair`` names its entries).

    >>> as_pair("kernel_size", (3, 5), minimum=1)
    (3, 5)
    >>> as_pair("kernel_size", 2, minimum=1)
    (2, 2)
    """
    return as_ints(name, value, 2, minimum=minimum, entries=pair)


def as_ints(name: str, value, length: int, *, minimum: int, entries: str) -> tuple[int, ...]:
    """An int (repeated ``length`` times) or ``length`` ints, each >= ``minimum``.

    ``entries`` names them in the message, as in ``"(left, right, top, bottom)"``.

    >>> as_ints("pad", 1, 4, minimum=0, entries="(left, right, top, bottom)")
    (1, 1, 1, 1)
    >>> as_ints("pad", (1, 2), 4, minimum=0, entries="(left, right, top, bottom)")
    Traceback (most recent call last):
    ...
    ValueError: pad=(1, 2) is not allowed: expected an int or a (left, right, top, bottom) tuple of ints
    """
    if is_int(value):
        value = (value,) * length
    if not isinstance(value, (tuple, list)) or len(value) != length or not all(is_int(v) for v in value):
        raise not_allowed(name, value, f"an int or a {entries} {'pair' if length == 2 else 'tuple'} of ints")
    if min(value) < minimum:
        raise not_allowed(name, value, f"every entry >= {minimum}")
    return tuple(int(v) for v in value)


def as_bool(name: str, value) -> bool:
    """``value`` if it is True or False (numpy bools count; 0 and 1 do not).

    >>> as_bool("ceil_mode", np.bool_(True))
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise not_allowed(name, value, "True or False")
    return bool(value)


def as_float(name: str, value, low: float = -np.inf, high: float = np.inf, *,
             open_low: bool = False, open_high: bool = False) -> float:
    """``value`` as a finite float in ``[low, high]`` (``open_low`` / ``open_high`` leave the bound out).

    >>> as_float("angle", 15)
    15.0
    >>> as_float("sigma", 0, 0, open_low=True)
    Traceback (most recent call last):
    ...
    ValueError: sigma=0 is not allowed: expected a number > 0
    """
    if not is_number(value):
        raise not_allowed(name, value, "a finite number")
    above = value > low if open_low else value >= low
    below = value < high if open_high else value <= high
    if not (above and below):
        raise not_allowed(name, value, _float_range(low, high, open_low, open_high))
    return float(value)


def _float_range(low, high, open_low, open_high) -> str:
    if np.isfinite(low) and np.isfinite(high):
        return f"a number in {'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
    if np.isfinite(low):
        return f"a number {'>' if open_low else '>='} {low:g}"
    return f"a number {'<' if open_high else '<='} {high:g}"


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
