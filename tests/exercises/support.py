"""What the checker tests share: a graded checker either returns its ✓ report or raises its ✗ report."""

from __future__ import annotations

import contextlib

import pytest

from helpers.exercises import framework


def stub(*args, **kwargs):
    """A student's answer before any work: it raises, as the notebooks' stubs do."""
    raise NotImplementedError()


def rejected(checker, *args, **kwargs) -> str:
    """The ✗ message with which ``checker(*args)`` refuses its answer (fails the test if it accepts)."""
    with pytest.raises(framework.ExerciseFailed) as info:
        checker(*args, **kwargs)
    message = str(info.value)
    assert message.startswith("✗"), message
    return message


def refused_as_shortcut(checker, *args, **kwargs) -> str:
    """The message of a checker that finds the library's own solution in the answer."""
    with pytest.raises(framework.ShortcutRefused) as info:
        checker(*args, **kwargs)
    message = str(info.value)
    assert "uses the library's own solution" in message and "write it yourself" in message, message
    return message


class _NoGuard:
    """Stands in for framework._Guard: reads nothing, refuses nothing."""

    used = None

    def __init__(self, *args, **kwargs):
        pass

    def scan(self):
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@contextlib.contextmanager
def shortcuts_allowed():
    """Tests only: run checkers without the shortcut guard, so that an oracle or a wrong answer
    built from library calls tests the values (the guard itself is tested separately)."""
    saved = framework._Guard
    framework._Guard = _NoGuard
    try:
        yield
    finally:
        framework._Guard = saved


class _Refused:
    """A graded checker's refusal, as a falsy value whose repr is the ✗ message."""

    def __init__(self, message: str):
        self.message = message

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return self.message


def outcome(checker, *args, **kwargs):
    """The ✓ report of a graded checker, or its refusal (it raises on a wrong answer)."""
    try:
        return checker(*args, **kwargs)
    except framework.ExerciseFailed as err:
        return _Refused(str(err))


def tuned_to_visible(checker, right, wrong):
    """An answer tuned to the visible cases: it returns ``right``'s output on the arguments the checker
    passes without a hidden seed (a student could learn them by printing), and ``wrong``'s elsewhere."""
    import pickle

    seen = {}

    def spy(*args):
        seen[pickle.dumps(args)] = out = right(*args)
        return out

    with shortcuts_allowed():
        checker(spy)

    def tuned(*args):
        key = pickle.dumps(args)
        return seen[key] if key in seen else wrong(*args)

    return tuned
