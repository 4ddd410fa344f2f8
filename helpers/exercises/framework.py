"""The exercise framework: Case, check, check_properties and the report they return."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np
from helpers.checks import _to_numpy, rel_error

__all__ = [
    "Case",
    "CheckReport",
    "check",
    "check_properties",
]


@dataclass
class Case:
    """One test case for :func:`check`: positional and keyword arguments, and a label."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""

    def describe(self) -> str:
        parts = [_short(a) for a in self.args] + [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        return ", ".join(parts)


@dataclass
class CheckReport:
    """What :func:`check` found. True when every case passed; its repr is the report."""

    name: str
    passed: bool
    n_cases: int
    lines: list[str]

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return "\n".join(self.lines)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython display
        p.text(repr(self))


def _short(v, limit: int = 60) -> str:
    if isinstance(v, np.ndarray):
        if v.size <= 12:
            text = np.array2string(v, precision=3, separator=", ").replace("\n", "")
        else:
            text = f"array of shape {v.shape}"
    else:
        text = repr(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _difference(got, expected, rtol: float, atol: float) -> str | None:
    """None when ``got`` matches ``expected``; else how it differs, without revealing ``expected``."""
    if isinstance(expected, (tuple, list)) and not isinstance(got, np.ndarray):
        if not isinstance(got, (tuple, list)):
            return f"returned a {type(got).__name__}; expected a {type(expected).__name__} of {len(expected)} items"
        if len(got) != len(expected):
            return f"returned {len(got)} items; expected {len(expected)}"
        for k, (g, e) in enumerate(zip(got, expected)):
            d = _difference(g, e, rtol, atol)
            if d:
                return f"item {k}: {d}"
        return None
    if isinstance(expected, (bool, np.bool_)):
        return None if isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected) else "wrong answer"
    if isinstance(expected, numbers.Integral):
        if not isinstance(got, numbers.Integral) or isinstance(got, bool):
            if isinstance(got, numbers.Real) and float(got).is_integer():
                return f"returned {got!r}, a {type(got).__name__}; expected an int (use // for floor division)"
            return f"returned {_short(got)} of type {type(got).__name__}; expected an int"
        return None if int(got) == int(expected) else "wrong value"
    if isinstance(expected, str):
        return None if got == expected else "wrong answer"
    exp = np.asarray(expected)
    if got is None:
        return "returned None (did you forget `return`?)"
    try:
        g = _to_numpy(got)
    except (TypeError, ValueError):
        return f"returned {type(got).__name__}, which is not a number or an array"
    if g.shape != exp.shape:
        return f"result has shape {g.shape}; expected shape {exp.shape}"
    if not np.all(np.isfinite(g)):
        return "result contains NaN or infinity"
    if np.allclose(g, exp, rtol=rtol, atol=atol):
        return None
    bad = np.argwhere(~np.isclose(g, exp, rtol=rtol, atol=atol))
    where = f" first at index {tuple(int(i) for i in bad[0])}" if g.ndim else ""
    return f"values differ: {len(bad)} of {max(g.size, 1)} entries wrong,{where}; max relative error {rel_error(g, exp):.2g}"


def _report(name, n_total, failure, hint, n_edge, n_random, unit="case") -> CheckReport:
    if failure is None:
        mix = f" ({n_edge} edge, {n_random} random)" if n_random else ""
        return CheckReport(name, True, n_total, [f"✓ {name}: all {n_total} {unit}s passed{mix}"])
    k, case, problem = failure
    label = f" ({case.label})" if case is not None and case.label else ""
    lines = [f"✗ {name}: failed on {unit} {k} of {n_total}{label}"]
    if case is not None and (case.args or case.kwargs):
        lines.append(f"    input:   {case.describe()}")
    lines.append(f"    problem: {problem}")
    if hint:
        lines.append(f"    hint:    {hint}")
    return CheckReport(name, False, n_total, lines)


def _run(fn, case: Case):
    """Call the student's function; returns (result, problem)."""
    try:
        return fn(*case.args, **case.kwargs), None
    except NotImplementedError:
        return None, "not implemented yet (the function raises NotImplementedError)"
    except Exception as e:  # a student's bug is reported, not raised
        return None, f"raised {type(e).__name__}: {_short(str(e), 120)}"


def check(
    answer,
    reference,
    cases: Iterable[Case | tuple] = (),
    random_case: Callable[[np.random.Generator], Case | tuple] | None = None,
    n_random: int = 25,
    seed: int = 0,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    hint: str = "",
    name: str | None = None,
) -> CheckReport:
    """Check a student's function or value against a reference.

    Args:
        answer: the student's function, or a value.
        reference: the reference function (called on the same cases), or the expected value.
        cases: edge cases, each a :class:`Case` or a tuple of positional arguments.
        random_case: draws one more case from a numpy Generator; called ``n_random`` times.
        seed: seeds the generator, so a report is the same on every run.
        rtol, atol: tolerance for numeric results (``numpy.allclose``).
        hint: shown under a failure.
        name: what the report calls the exercise (default: the function's name).

    Returns:
        A :class:`CheckReport`: truthy when everything passed; shown in a
        notebook as ✓, or as ✗ with the first failing case and the hint.
    """
    if not callable(answer):
        name = name or "answer"
        expected = reference() if callable(reference) else reference
        if answer is None or answer is Ellipsis:
            problem = "not answered yet"
        else:
            problem = _difference(answer, expected, rtol, atol)
        return _report(name, 1, None if problem is None else (1, None, problem), hint, 1, 0)

    name = name or getattr(answer, "__name__", "answer")
    edge = [c if isinstance(c, Case) else Case(tuple(c)) for c in cases]
    rng = np.random.default_rng(seed)
    drawn = []
    if random_case is not None:
        for _ in range(n_random):
            c = random_case(rng)
            drawn.append(c if isinstance(c, Case) else Case(tuple(c), label="random"))
    all_cases = edge + drawn
    if not all_cases:
        raise ValueError("check() needs at least one case: pass cases=... or random_case=...")
    for k, case in enumerate(all_cases, start=1):
        expected = reference(*case.args, **case.kwargs)
        got, problem = _run(answer, case)
        if problem is None:
            problem = _difference(got, expected, rtol, atol)
        if problem is not None:
            return _report(name, len(all_cases), (k, case, problem), hint, len(edge), len(drawn))
    return _report(name, len(all_cases), None, hint, len(edge), len(drawn))


def check_properties(
    answer,
    properties: Sequence[tuple[str, Callable[[Any], bool]]],
    hint: str = "",
    name: str = "answer",
) -> CheckReport:
    """Check an answer that has many right forms by the properties it must have.

    Args:
        answer: the student's value (for example a kernel), or a function of
            no arguments that returns it (so that a stub is reported, not raised).
        properties: ``(description, predicate)`` pairs; a predicate gets the
            answer and returns True when the property holds. They run in
            order and the first one that fails is reported.
    """
    if callable(answer):
        answer, problem = _run(answer, Case())
        if problem is not None:
            return _report(name, len(properties), (1, None, problem), hint, 0, 0, unit="property")
    if answer is None or answer is Ellipsis:
        return _report(name, len(properties), (1, None, "not answered yet"), hint, 0, 0, unit="property")
    for k, (description, predicate) in enumerate(properties, start=1):
        try:
            ok = bool(predicate(answer))
            problem = None if ok else f"does not hold: {description}"
        except Exception as e:
            problem = f"could not test '{description}': {type(e).__name__}: {_short(str(e), 100)}"
        if problem is not None:
            return _report(name, len(properties), (k, None, problem), hint, 0, 0, unit="property")
    lines = [f"✓ {name}: all {len(properties)} properties hold"] + [f"    ✓ {d}" for d, _ in properties]
    return CheckReport(name, True, len(properties), lines)
