"""The checking kit: relative error, numerical gradients, comparison tables, exercise checks.

Notebooks import these instead of pasting their own::

    from helpers.checks import rel_error, compare
from helpers.exercises.framework import check

``check`` is the exercise checker: it runs a student's function (or value)
against a reference on edge cases and random cases and returns a short
✓ / ✗ report with the first failing case and a hint. It never prints the
reference's answer: a failure says *how* the result is wrong (shape, type,
size of the error), not what the right numbers are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from helpers.args import as_float, as_int
from helpers.conv import conv2d, conv2d_naive

__all__ = [
    "rel_error",
    "rel_change",
    "numerical_gradient",
    "gradient_check",
    "compare",
    "time_calls",
    "best_time",
    "Timing",
    "time_implementations",
]


# --------------------------------------------------------------------------- numbers
def _to_numpy(a) -> np.ndarray:
    if hasattr(a, "detach"):  # a torch tensor, without importing torch here
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=np.float64)


def rel_error(x, y, eps: float = 1e-12) -> float:
    """Relative error relative to the arrays' scale: ``max|x - y| / max(|x|, |y|)``.

    Accepts numpy arrays, torch tensors and numbers. Measuring against the
    largest magnitude (not entry by entry) keeps entries that are zero up to
    rounding, as in an edge map, from looking wrong. About ``1e-7`` or less
    means agreement to float32 precision, ``1e-12`` or less to float64.

    Raises:
        ValueError: when the shapes differ.
    """
    a, b = _to_numpy(x), _to_numpy(y)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs equal shapes, got x of shape {a.shape} and y of shape {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), eps)
    return float(np.max(np.abs(a - b))) / scale


def rel_change(a, b, eps: float = 1e-12) -> float:
    """How much ``a`` differs from the reference ``b``: ``||a - b|| / ||b||`` (Frobenius norms).

    Unlike :func:`rel_error` (worst entry, symmetric), this is an average size of a change
    relative to ``b``: 0.1 means "a 10% change". Accepts numpy arrays, torch tensors and numbers.

    Example:
        >>> rel_change([3.0, 4.0], [0.0, 5.0])   # ||(3, -1)|| / ||(0, 5)|| = sqrt(10) / 5
        0.6324555320336759
    """
    x, y = _to_numpy(a), _to_numpy(b)
    if x.shape != y.shape:
        raise ValueError(f"a has shape {x.shape} and b {y.shape}; expected equal shapes")
    # sums of squares, not np.linalg.norm: BLAS threads would cost more than the sum on a busy machine
    return float(np.sqrt(np.sum((x - y) ** 2)) / max(np.sqrt(np.sum(y * y)), eps))


def numerical_gradient(f: Callable[[np.ndarray], Any], x, df=None, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of ``sum(f(x) * df)`` with respect to ``x``.

    ``f`` may return a scalar (then ``df`` defaults to 1) or an array (then
    ``df`` is the upstream gradient, by default all ones). ``x`` is not
    changed: every coordinate is nudged by ``±h`` on a float64 copy.

    Cost: two calls of ``f`` per entry of ``x``: use small inputs.
    """
    x = np.array(x, dtype=np.float64)  # a copy
    h = as_float("h", h, 0, open_low=True)
    grad = np.zeros_like(x)
    upstream = None if df is None else _to_numpy(df)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = _to_numpy(f(x))
        x[i] = old - h
        minus = _to_numpy(f(x))
        x[i] = old
        w = np.ones_like(plus) if upstream is None else upstream
        if w.shape != plus.shape:
            raise ValueError(f"df has shape {w.shape} but f(x) has shape {plus.shape}; they must match")
        grad[i] = np.sum((plus - minus) * w) / (2 * h)
    return grad


def gradient_check(f: Callable[[np.ndarray], Any], x, analytic_grad, df=None, h: float = 1e-5) -> float:
    """Relative error between an analytic gradient and :func:`numerical_gradient`.

    Below about 1e-7 (float64) the analytic gradient is almost surely right.
    """
    return rel_error(analytic_grad, numerical_gradient(f, x, df=df, h=h))


def _shape_of(a) -> str:
    shape = getattr(a, "shape", None)
    return str(tuple(shape)) if shape is not None else "scalar"


def compare(pairs: dict[str, tuple[Any, Any]], tol: float = 1e-6, show: bool = True) -> bool:
    """Print a small table comparing ours against a reference; True when every row agrees.

    Args:
        pairs: ``{"what was compared": (ours, reference), ...}``; arrays,
            tensors or numbers of equal shape.
        tol: a row passes when its relative error is at most ``tol``.
        show: print the table.

    Example:
        >>> ok = compare({"2 + 2": (4.0, 4.0)})  # doctest: +NORMALIZE_WHITESPACE
        what    shape    max |diff|  rel error  ok
        2 + 2   scalar   0.0e+00     0.0e+00    ✓
    """
    rows, ok_all = [], True
    for name, (ours, ref) in pairs.items():
        a, b = _to_numpy(ours), _to_numpy(ref)
        if a.shape != b.shape:
            rows.append((name, f"{a.shape} vs {b.shape}", "-", "-", "✗ shape"))
            ok_all = False
            continue
        diff = float(np.max(np.abs(a - b))) if a.size else 0.0
        err = rel_error(a, b)
        ok = err <= tol
        ok_all &= ok
        rows.append((name, _shape_of(ours), f"{diff:.1e}", f"{err:.1e}", "✓" if ok else "✗"))
    if show:
        header = ("what", "shape", "max |diff|", "rel error", "ok")
        widths = [max(len(str(r[k])) for r in rows + [header]) for k in range(5)]
        for r in [header] + rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return ok_all


# --------------------------------------------------------------------------- exercise checks


# --------------------------------------------------------------------------- timing
def time_calls(fn: Callable[[], Any], repeat: int = 3, warmup: int = 0, min_time: float = 0.0) -> np.ndarray:
    """Seconds of each call of ``fn()``: ``warmup`` untimed calls, then at least ``repeat`` timed
    ones (more while their total is under ``min_time`` seconds). The one timing loop of the course.

    Example:
        >>> len(time_calls(lambda: sum(range(100)), repeat=4, warmup=1))
        4
    """
    repeat, warmup = as_int("repeat", repeat, 1), as_int("warmup", warmup, 0)
    min_time = as_float("min_time", min_time, 0)
    for _ in range(warmup):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < repeat or time.perf_counter() - start < min_time:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return np.array(times)


def best_time(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn()`` (the least disturbed by other work).

    Example:
        >>> best_time(lambda: sum(range(100))) < 1.0
        True
    """
    return float(time_calls(fn, repeat).min())


@dataclass
class Timing:
    """Seconds per call (best of ``repeat``) and the output of one implementation."""

    name: str
    seconds: float
    output: np.ndarray


def time_implementations(x, weight, bias=None, repeat: int = 3, **conv_args) -> list[Timing]:
    """Run loops (:func:`conv2d_naive`), vectorised numpy (:func:`conv2d`) and torch on the same input.

    The loops run once (they are slow); the others ``repeat`` times, best time kept.
    torch runs on the CPU in float64, so that the three can be compared to rounding.
    """
    import torch
    import torch.nn.functional as F

    xt, wt = torch.as_tensor(np.asarray(x, dtype=np.float64)), torch.as_tensor(np.asarray(weight, dtype=np.float64))
    bt = None if bias is None else torch.as_tensor(np.asarray(bias, dtype=np.float64))
    timings = []
    for name, fn, n in (
        ("loops (conv2d_naive)", lambda: conv2d_naive(x, weight, bias, **conv_args), 1),
        ("numpy (conv2d)", lambda: conv2d(x, weight, bias, **conv_args), repeat),
        ("torch (F.conv2d)", lambda: F.conv2d(xt, wt, bt, **conv_args).numpy(), repeat),
    ):
        outputs = []  # the last call's output, without calling the slow loops once more
        seconds = best_time(lambda: outputs.append(fn()), n)
        timings.append(Timing(name, seconds, np.asarray(outputs[-1])))
    return timings
