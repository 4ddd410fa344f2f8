"""The grading side of the checkers: they fail (raise), refuse the library's own solution, and
have hidden cases that an answer tuned to the visible ones does not pass."""

import os

import numpy as np
import pytest
import torch

import helpers.conv
import helpers.im2col
import helpers.norm
import helpers.padding
import helpers.pool
import helpers.receptive
from helpers.exercises import convolution, framework, motivation, normalization, pooling, stride_padding
from helpers.exercises import course_map
from helpers.exercises.framework import Case, ExerciseFailed, check
from helpers.receptive import ConvSpec
from tests.exercises.support import refused_as_shortcut, rejected


def right_convolve(x, w):
    s = np.zeros(len(x) + len(w) - 1)
    for a, xa in enumerate(x):
        s[a:a + len(w)] += xa * np.asarray(w)
    return s


def min_max(values):
    return min(values), max(values)


# ------------------------------------------------------------------ checks that fail
def test_a_graded_check_raises_the_report_and_returns_it_when_right():
    message = rejected(convolution.check_convolve1d, lambda x, w: np.zeros(3))
    assert message.splitlines()[0].startswith("✗ convolve1d: failed on case 1 of")
    assert "    input:" in message and "    hint:" in message
    assert isinstance(ExerciseFailed("x"), AssertionError)
    report = convolution.check_convolve1d(right_convolve)
    assert report and repr(report).startswith("✓")


def test_a_stub_fails_with_not_implemented():
    def stub(*args):
        raise NotImplementedError()
    assert "not implemented yet" in rejected(convolution.check_convolve1d, stub)


def test_the_plain_framework_check_still_returns_a_report():
    """``check`` and ``check_properties`` keep returning reports: only ``@graded`` raises."""
    report = check(lambda n: n + 1, lambda n: n + 2, cases=[(1,)])
    assert not report and repr(report).startswith("✗")


# ------------------------------------------------------------------ no shortcuts
SHORTCUTS = [
    (convolution.check_convolve1d, lambda x, w: np.convolve(x, w), "numpy.convolve"),
    (convolution.check_convolve1d, lambda x, w: np.correlate(x, w[::-1], "full"), "numpy.correlate"),
    (convolution.check_convolve1d, lambda x, w: helpers.conv.convolve1d(x, w), "helpers.conv"),
    (convolution.check_convolve1d,
     lambda x, w: torch.nn.functional.conv1d(torch.tensor(x)[None, None], torch.tensor(w).flip(0)[None, None],
                                             padding=len(w) - 1)[0, 0].numpy(), "torch.nn"),
    (convolution.check_grouped_conv2d, lambda x, w, g: helpers.conv.conv2d(x, w, groups=g),
     "helpers.conv.conv2d(groups=...)"),
    (convolution.check_grouped_conv2d, lambda x, w, g: helpers.conv.conv2d(x, w, None, 1, 0, 1, g),
     "helpers.conv.conv2d(groups=...)"),
    (convolution.check_grouped_conv2d, lambda x, w, g: helpers.im2col.by_columns(x, w, groups=g),
     "helpers.im2col.by_columns(groups=...)"),
    (convolution.check_grouped_conv2d, lambda x, w, g: helpers.im2col.by_rows(x, w, 1, 1, g),
     "helpers.im2col.by_rows(groups=...)"),
    (convolution.check_convolve1d,
     lambda x, w: helpers.im2col.by_columns(np.pad(x, len(w) - 1)[None, None, None], w[::-1][None, None, None])[0, 0, 0],
     "helpers.im2col"),
    (course_map.check_input_sizes, lambda m, k, s, p: min_max(
        [n for n in range(1, 300) if k <= n + 2 * p and helpers.conv.conv_output_size(n, k, s, p) == m]),
     "helpers.conv.conv_output_size"),
    (motivation.check_input_window,
     lambda ks, ss, ps, i: helpers.receptive.input_window([ConvSpec(*t) for t in zip(ks, ss, ps)], i),
     "helpers.receptive"),
    (stride_padding.check_partial_ratio, lambda h, w, k, p: helpers.padding.partial_ratio(h, w, k, padding=p),
     "helpers.padding"),
    (stride_padding.check_mirror_pad, lambda x, p: np.pad(x, p, mode="reflect"), "numpy.pad"),
    (pooling.check_pool_output_size, lambda n, k, s, p, c: helpers.pool.pool_output_size(n, k, s, p, ceil_mode=c),
     "helpers.pool"),
    (pooling.check_avg_pool, lambda x, k, s, p, c: helpers.pool.avg_pool2d(x, k, s, p, count_include_pad=c),
     "helpers.pool"),
    (normalization.check_group_norm, lambda x, g: helpers.norm.group_norm(x, g), "helpers.norm"),
    (normalization.check_group_norm,
     lambda x, g: torch.nn.functional.group_norm(torch.tensor(x), g).numpy(), "torch.nn"),
]


@pytest.mark.parametrize("checker, answer, what", SHORTCUTS, ids=[f"{c.__name__}-{w}" for c, _, w in SHORTCUTS])
def test_the_library_s_own_solution_is_refused(checker, answer, what):
    assert f"({what})" in refused_as_shortcut(checker, answer)


def test_a_shortcut_hidden_in_a_helper_function_is_found_by_reading_the_code():
    def inner(x, w):
        return np.convolve(x, w)

    def outer(x, w):
        return inner(x, w)

    def deep_import(x, w):
        from scipy import signal
        return signal.convolve(x, w)

    refused_as_shortcut(convolution.check_convolve1d, outer)
    refused_as_shortcut(convolution.check_convolve1d, deep_import)


def test_a_shortcut_reached_by_a_string_is_refused_when_it_runs():
    """Reading the code cannot see ``getattr(np, 'con' + 'volve')``; the guard can."""
    def sneaky(x, w):
        return getattr(np, "con" + "volve")(x, w)

    refused_as_shortcut(convolution.check_convolve1d, sneaky)


def test_a_caught_refusal_is_still_a_shortcut():
    def sneaky(x, w):
        try:
            return getattr(np, "con" + "volve")(x, w)
        except Exception:
            return right_convolve(x, w)
        finally:
            pass

    refused_as_shortcut(convolution.check_convolve1d, sneaky)


def test_allowed_uses_pass_and_the_guard_is_always_restored():
    originals = (np.convolve, helpers.conv.conv2d, torch.nn.functional.conv2d, helpers.pool.avg_pool2d)
    conv2d = helpers.conv.conv2d

    def by_groups(x, w, g):  # exercise 2's intended answer: conv2d with groups=1 only
        xs, ws = np.split(x, g, axis=1), np.split(w, g, axis=0)
        return np.concatenate([conv2d(a, b) for a, b in zip(xs, ws)], axis=1)

    assert convolution.check_grouped_conv2d(by_groups)
    refused_as_shortcut(convolution.check_grouped_conv2d, lambda x, w, g: conv2d(x, w, groups=g))
    with pytest.raises(ExerciseFailed):
        convolution.check_convolve1d(lambda x, w: 1 / 0)
    assert (np.convolve, helpers.conv.conv2d, torch.nn.functional.conv2d, helpers.pool.avg_pool2d) == originals
    assert np.allclose(np.convolve([1, 2], [1, 1]), [1, 3, 2])


def test_the_library_may_use_a_forbidden_function_for_the_student():
    """05's given ``local_mean`` runs helpers.norm inside: an allowed helper, not a shortcut."""
    def lcn(image):
        v = image - normalization.local_mean(image)
        sigma = np.sqrt(normalization.local_mean(v ** 2))
        return v / np.maximum(sigma.mean(), sigma)

    assert normalization.check_lcn(lcn)


# ------------------------------------------------------------------ hidden cases
def _memorizer(checker_cases):
    """An answer that knows the right output of the visible cases only (and the edge rule)."""
    table = {repr(args): out for args, out in checker_cases}

    def answer(n_out, k, s, p):
        return table.get(repr((n_out, k, s, p)), (1, 1))
    return answer


def _right_input_sizes(n_out, k, s, p):
    smallest = (n_out - 1) * s + k - 2 * p
    return smallest, smallest + s - 1


def _visible_input_size_cases():
    """The visible cases, recovered as a student could: by printing what the checker passes."""
    seen = []

    def spy(n_out, k, s, p):
        seen.append(((n_out, k, s, p), _right_input_sizes(n_out, k, s, p)))
        return seen[-1][1]
    course_map.check_input_sizes(spy)
    return seen


def test_hidden_cases_fail_an_answer_tuned_to_the_visible_ones(monkeypatch):
    tuned = _memorizer(_visible_input_size_cases())
    assert course_map.check_input_sizes(tuned)  # passes what the student sees
    message = rejected(course_map.check_input_sizes, tuned, hidden_seed=12345)
    assert "hidden" in message
    monkeypatch.setenv(framework.HIDDEN_SEED_ENV, "777")  # the grader's switch
    rejected(course_map.check_input_sizes, tuned)


def test_hidden_cases_pass_a_right_answer_and_differ_by_seed():
    a = repr(course_map.check_input_sizes(_right_input_sizes, hidden_seed=1))
    assert a.startswith("✓") and "cases passed" in a
    assert repr(course_map.check_input_sizes(_right_input_sizes)) != a  # more cases with the hidden seed
    assert course_map.check_vertical_edge_kernel(np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]), hidden_seed=3)
    assert os.environ.get(framework.HIDDEN_SEED_ENV) is None


def test_every_checker_is_graded():
    from helpers.exercises import lenet5
    for module in (course_map, motivation, convolution, stride_padding, pooling, normalization, lenet5):
        for name in module.__all__:
            if name.startswith("check_"):
                assert getattr(getattr(module, name), "graded", False), f"{module.__name__}.{name}"


def test_the_grader_s_hidden_cases_belong_to_real_checkers():
    import importlib

    from helpers.exercises import hidden
    for key, make in hidden.CASES.items():
        module, checker = key.split(".")
        assert getattr(importlib.import_module(f"helpers.exercises.{module}"), checker).graded, key
        assert all(isinstance(c, Case) for c in make()), key


def test_hidden_cases_from_the_grader_module_run(monkeypatch):
    """The explicit hidden cases of helpers/exercises/hidden.py reach the check (and the label says so)."""
    def fails_on_long_signals(x, w):
        return right_convolve(x, w) if len(x) < 20 else np.zeros(len(x) + len(w) - 1)

    assert convolution.check_convolve1d(fails_on_long_signals)
    assert "long signal, seven taps" in rejected(convolution.check_convolve1d, fails_on_long_signals, hidden_seed=1)
