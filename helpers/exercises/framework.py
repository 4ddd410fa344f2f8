"""The exercise framework: Case, check, check_properties and the report they return.

A checker that compares by itself (to give a hint for each likely mistake) gets the answer's
value with :func:`answer_value` and reports a mistake with :func:`wrong_answer`.

Three things make a check fit for grading:

* **It fails.** A checker decorated with :func:`graded` raises :class:`ExerciseFailed` (an
  ``AssertionError``) whose message is the ✗ report, so that a graded cell fails. When the
  answer is right it returns the ✓ report, which the notebook shows.
* **No shortcuts.** ``check(..., forbid=[...])`` names what the answer must not call (the
  library's own solution). The answer's code is read (its bytecode, and the code of every
  function or class of the student's that it uses), and while the answer runs the forbidden
  functions refuse to run. Either finding gives "uses the library's own solution: write it
  yourself" (:class:`ShortcutRefused`).
* **Hidden cases.** With a hidden seed (the grader sets the environment variable
  ``CNN_COURSE_HIDDEN_SEED``, or a hidden-test cell passes ``hidden_seed=...``), every check
  also runs cases drawn with that seed, and the checker's ``hidden_cases``: an answer tuned to
  the visible cases fails.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import numbers
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from helpers.checks import _to_numpy, rel_error
from helpers.exercises.shortcuts import Forbid, _Guard, _ShortcutCalled

__all__ = [
    "Case",
    "CheckReport",
    "ExerciseFailed",
    "Forbid",
    "HIDDEN_SEED_ENV",
    "ShortcutRefused",
    "check",
    "check_properties",
    "answer_value",
    "graded",
    "hidden_seed",
    "wrong_answer",
]

#: The environment variable that switches the hidden cases on (the grader sets it).
HIDDEN_SEED_ENV = "CNN_COURSE_HIDDEN_SEED"

_HIDDEN: contextvars.ContextVar[int | None] = contextvars.ContextVar("hidden_seed", default=None)
_CHECKER: contextvars.ContextVar[str] = contextvars.ContextVar("checker", default="")


def _grader_cases(key: str) -> list:
    """The grader's hidden cases for the checker ``key`` (none in the student edition)."""
    try:
        from helpers.exercises import hidden
    except ImportError:
        return []
    make = hidden.CASES.get(key)
    return list(make()) if make else []


class ExerciseFailed(AssertionError):
    """A graded check found a wrong answer; the message is the ✗ report."""


class ShortcutRefused(ExerciseFailed):
    """A graded check found that the answer calls the library's own solution."""


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
    shortcut: bool = False

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


def _run(fn, case: Case, guard: "_Guard | None" = None):
    """Call the student's function; returns (result, problem)."""
    try:
        with guard if guard is not None else contextlib.nullcontext():
            result = fn(*case.args, **case.kwargs)
    except _ShortcutCalled:
        return None, None  # the guard recorded it
    except NotImplementedError:
        return None, "not implemented yet (the function raises NotImplementedError)"
    except Exception as e:  # a student's bug is reported, not raised
        if guard is not None and guard.used:
            return None, None
        return None, f"raised {type(e).__name__}: {_short(str(e), 120)}"
    if guard is not None and guard.used:  # the student caught our refusal: still a shortcut
        return None, None
    return result, None


# --------------------------------------------------------------------------- no shortcuts


def _shortcut_report(name, n_total, label, unit="case") -> CheckReport:
    return CheckReport(name, False, n_total,
                       [f"✗ {name}: uses the library's own solution ({label}): write it yourself"], shortcut=True)


# --------------------------------------------------------------------------- hidden cases
def hidden_seed() -> int | None:
    """The seed of the hidden cases now in force (None: only the visible cases run)."""
    seed = _HIDDEN.get()
    if seed is not None:
        return seed
    env = os.environ.get(HIDDEN_SEED_ENV, "").strip()
    return int(env) if env else None


def graded(checker):
    """Make a checker fit for grading: raise :class:`ExerciseFailed` on a ✗ report.

    The decorated checker takes one more keyword, ``hidden_seed``: an int switches on the
    hidden cases (as the environment variable :data:`HIDDEN_SEED_ENV` does). A right answer
    returns the ✓ report (shown by the notebook); a wrong one raises, the message being the ✗
    report; an answer that calls the library's own solution raises :class:`ShortcutRefused`.
    """

    @functools.wraps(checker)
    def run(*args, hidden_seed: int | None = None, **kwargs):
        __tracebackhide__ = True  # noqa: F841  (IPython and pytest hide this frame)
        token = _HIDDEN.set(hidden_seed) if hidden_seed is not None else None
        key = _CHECKER.set(f"{checker.__module__.rpartition('.')[2]}.{checker.__name__}")
        try:
            report = checker(*args, **kwargs)
        finally:
            _CHECKER.reset(key)
            if token is not None:
                _HIDDEN.reset(token)
        if isinstance(report, CheckReport) and not report.passed:
            raise (ShortcutRefused if report.shortcut else ExerciseFailed)(repr(report)) from None
        return report

    run.graded = True
    return run


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
    forbid: Sequence[Forbid | str] = (),
    hidden_cases: Iterable[Case | tuple] = (),
    hidden_random_case: Callable[[np.random.Generator], Case | tuple] | None = None,
    n_hidden: int | None = None,
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
        forbid: what the answer must not call (:class:`Forbid` or dotted names).
        hidden_cases: more cases, run only when a hidden seed is set (:func:`hidden_seed`).
        hidden_random_case: draws the hidden random cases (default ``random_case``), with
            the hidden seed, ``n_hidden`` times (default ``n_random``).

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
    secret = hidden_seed()
    if secret is not None:
        for c in list(hidden_cases) + (_grader_cases(_CHECKER.get()) if _CHECKER.get() else []):
            c = c if isinstance(c, Case) else Case(tuple(c))
            edge.append(Case(c.args, c.kwargs, label=f"hidden: {c.label}" if c.label else "hidden"))
        draw = hidden_random_case or random_case
        if draw is not None:
            hidden_rng = np.random.default_rng([int(secret) & 0xFFFFFFFF, seed])
            for _ in range(n_random if n_hidden is None else n_hidden):
                c = draw(hidden_rng)
                c = c if isinstance(c, Case) else Case(tuple(c))
                drawn.append(Case(c.args, c.kwargs, label="hidden random"))
    all_cases = edge + drawn
    if not all_cases:
        raise ValueError("check() needs at least one case: pass cases=... or random_case=...")
    guard = _Guard(answer, forbid) if forbid else None
    if guard is not None:
        label = guard.scan()
        if label:
            return _shortcut_report(name, len(all_cases), label)
    for k, case in enumerate(all_cases, start=1):
        expected = reference(*case.args, **case.kwargs)
        got, problem = _run(answer, case, guard)
        if guard is not None and guard.used:
            return _shortcut_report(name, len(all_cases), guard.used)
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
    forbid: Sequence[Forbid | str] = (),
    hidden_properties: Sequence[tuple[str, Callable[[Any], bool]]] = (),
) -> CheckReport:
    """Check an answer that has many right forms by the properties it must have.

    Args:
        answer: the student's value (for example a kernel), or a function of
            no arguments that returns it (so that a stub is reported, not raised).
        properties: ``(description, predicate)`` pairs; a predicate gets the
            answer and returns True when the property holds. They run in
            order and the first one that fails is reported.
        forbid: what the answer (a function) must not call, as in :func:`check`.
        hidden_properties: more properties, tested only when a hidden seed is set.
    """
    properties = list(properties)
    if hidden_seed() is not None:
        properties += [(f"{d} (hidden)", p) for d, p in hidden_properties]
    if callable(answer):
        guard = _Guard(answer, forbid) if forbid else None
        label = guard.scan() if guard is not None else None
        if label:
            return _shortcut_report(name, len(properties), label, unit="property")
        answer, problem = _run(answer, Case(), guard)
        if guard is not None and guard.used:
            return _shortcut_report(name, len(properties), guard.used, unit="property")
        if problem is not None:
            return _report(name, len(properties), (1, None, problem), hint, 0, 0, unit="property")
    if answer is None or answer is Ellipsis:
        return _report(name, len(properties), (1, None, "not answered yet"), hint, 0, 0, unit="property")
    for k, (description, predicate) in enumerate(properties, start=1):
        try:
            ok = bool(predicate(answer))
            problem = None if ok else f"does not hold: {description}"
        except Exception as e:
            if isinstance(e, NotImplementedError):
                problem = "not implemented yet (the function raises NotImplementedError)"
            else:
                problem = f"could not test '{description}': {type(e).__name__}: {_short(str(e), 100)}"
        if problem is not None:
            return _report(name, len(properties), (k, None, problem), hint, 0, 0, unit="property")
    lines = [f"✓ {name}: all {len(properties)} properties hold"] + [f"    ✓ {d}" for d, _ in properties]
    return CheckReport(name, True, len(properties), lines)


def wrong_answer(name: str, problem: str, hint: str = "") -> CheckReport:
    """The ✗ report of a checker that compares by itself: one problem, and a hint if there is one."""
    lines = [f"✗ {name}: wrong answer", f"    problem: {problem}"] + ([f"    hint:    {hint}"] if hint else [])
    return CheckReport(name, False, 1, lines)


def answer_value(answer, name: str, what: str, well_formed: Callable[[Any], bool],
                 forbid: Sequence[Forbid | str] = ()) -> tuple[CheckReport | None, Any]:
    """Call a no-argument ``answer`` once, as :func:`check_properties` does (shortcuts refused).

    Returns ``(None, value)`` when it runs and ``well_formed(value)`` holds (``what`` says what
    that means); else ``(report, None)``, the ✗ report to return.
    """
    seen = []

    def keep(value) -> bool:
        seen.append(value)
        return well_formed(value)

    report = check_properties(answer, [(what, keep)], name=name, forbid=forbid)
    return (None, seen[0]) if report else (report, None)
