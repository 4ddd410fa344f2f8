"""helpers.checks: the checking kit is itself checked against independent oracles."""

import numpy as np
import pytest
import torch

from helpers.checks import (
    best_time,
    compare,
    gradient_check,
    numerical_gradient,
    rel_change,
    rel_error,
    time_calls,
    time_implementations,
)
from helpers.conv import conv2d
from helpers.exercises.framework import Case, answer_value, check, check_properties, wrong_answer


def test_rel_error_basics():
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    assert rel_error(1.0, 1.0 + 1e-6) == pytest.approx(1e-6 / 1.000001, rel=1e-6)
    # measured against the scale: a rounding error on an entry that should be 0 is no error
    assert rel_error([100.0, 1e-17], [100.0, 0.0]) < 1e-18
    assert rel_error([1.0, 0.0], [1.0, 0.5]) == pytest.approx(0.5)
    assert rel_error(torch.ones(2), np.ones(2)) == 0.0
    with pytest.raises(ValueError, match="shape"):
        rel_error(np.ones(2), np.ones(3))


def test_rel_change_is_the_norm_ratio():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    want = torch.linalg.matrix_norm(torch.tensor(a - b)) / torch.linalg.matrix_norm(torch.tensor(b))  # Frobenius
    assert rel_change(a, b) == pytest.approx(float(want), rel=1e-12)
    assert rel_change(b, b) == 0.0 and rel_change(2 * b, b) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shape"):
        rel_change(np.ones(2), np.ones(3))


def test_time_calls_counts_calls_and_measures_sleep():
    import time

    calls = []
    times = time_calls(lambda: calls.append(1), repeat=4, warmup=2)
    assert len(times) == 4 and len(calls) == 6 and np.all(times >= 0)
    assert len(time_calls(lambda: time.sleep(0.002), repeat=1, min_time=0.02)) >= 5  # keeps going until min_time
    assert 0.004 <= best_time(lambda: time.sleep(0.005), repeat=2) < 0.5
    with pytest.raises(ValueError, match="repeat=0"):
        time_calls(lambda: None, repeat=0)


def test_time_implementations_agree_and_are_timed():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((1, 2, 6, 6)), rng.standard_normal((3, 2, 3, 3))
    rows = time_implementations(x, w, padding=1)
    assert [r.name.split()[0] for r in rows] == ["loops", "numpy", "torch"]
    ref = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy()
    for r in rows:
        assert r.seconds > 0 and rel_error(r.output, ref) < 1e-12


def test_numerical_gradient_of_conv2d_matches_torch_autograd():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 5, 4))
    w = rng.standard_normal((3, 2, 3, 2))
    df = rng.standard_normal((1, 3, 2, 3))  # upstream gradient for stride (2, 1), padding 0
    num = numerical_gradient(lambda xx: conv2d(xx, w, stride=(2, 1)), x, df=df)

    xt = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.conv2d(xt, torch.tensor(w), stride=(2, 1))
    out.backward(torch.tensor(df))
    assert rel_error(num, xt.grad) < 1e-8
    assert gradient_check(lambda xx: conv2d(xx, w, stride=(2, 1)), x, xt.grad.numpy(), df=df) < 1e-8
    # and it notices a wrong gradient
    assert gradient_check(lambda xx: conv2d(xx, w, stride=(2, 1)), x, 2 * xt.grad.numpy(), df=df) > 0.1


def test_numerical_gradient_of_a_scalar_function():
    x = np.array([1.0, -2.0, 3.0])
    assert rel_error(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2) < 1e-8
    assert np.array_equal(x, [1.0, -2.0, 3.0])  # input untouched


def test_compare_prints_a_table_and_reports_mismatch(capsys):
    assert compare({"same": (np.ones(3), np.ones(3)), "scalar": (2.0, 2.0)})
    table = capsys.readouterr().out
    assert "same" in table and "(3,)" in table and "✓" in table and "rel error" in table
    assert not compare({"off": (np.ones(3), np.ones(3) * 1.1)})
    assert "✗" in capsys.readouterr().out
    assert not compare({"shape": (np.ones(3), np.ones(4))}, show=False)


def reference_square(x):
    return np.asarray(x) ** 2


def test_check_accepts_right_and_rejects_wrong_and_stub():
    cases = [Case((np.arange(3.0),), label="small")]
    rnd = lambda rng: (rng.standard_normal(4),)  # noqa: E731
    assert check(lambda x: np.asarray(x) ** 2, reference_square, cases=cases, random_case=rnd)

    def stub(x):
        raise NotImplementedError

    report = check(stub, reference_square, cases=cases, random_case=rnd)
    assert not report and "not implemented" in repr(report) and repr(report).startswith("✗")
    wrong = check(lambda x: np.asarray(x) * 2, reference_square, cases=cases, random_case=rnd, hint="square it")
    assert not wrong and "values differ" in repr(wrong) and "square it" in repr(wrong)
    shape = check(lambda x: np.asarray(x)[:-1] ** 2, reference_square, cases=cases)
    assert "shape" in repr(shape)
    crash = check(lambda x: 1 / 0, reference_square, cases=cases)
    assert "ZeroDivisionError" in repr(crash)
    none = check(lambda x: None, reference_square, cases=cases)
    assert "return" in repr(none)


def test_check_never_reveals_the_expected_answer():
    secret = 123456
    report = check(654321, secret)
    assert not report and "123456" not in repr(report)
    report = check(lambda n: n + 1, lambda n: n + secret, cases=[(1,)])
    assert "123457" not in repr(report)
    arr = check(lambda: np.full(3, 0.5), lambda: np.array([0.123, 0.456, 0.789]), cases=[()])
    assert "0.123" not in repr(arr) and "0.456" not in repr(arr)


def test_check_values_and_types():
    assert check(28, 28)
    assert not check(28.0, 28)  # an int is expected
    assert not check(None, 28)
    assert not check(..., 28)
    assert check((1, 2), (1, 2)) and not check((1, 3), (1, 2))
    assert check(True, True) and not check(False, True)


def test_check_is_deterministic():
    rnd = lambda rng: (rng.standard_normal(3),)  # noqa: E731
    wrong = lambda x: np.asarray(x) ** 2 + (np.abs(x) > 1.5)  # noqa: E731
    assert repr(check(wrong, reference_square, random_case=rnd)) == repr(check(wrong, reference_square, random_case=rnd))


def test_check_properties():
    props = [("positive", lambda v: v > 0), ("even", lambda v: v % 2 == 0)]
    assert check_properties(4, props)
    bad = check_properties(3, props)
    assert not bad and "even" in repr(bad)
    broken = check_properties("x", props)
    assert not broken and "could not test" in repr(broken)
    assert not check_properties(None, props)


def test_answer_value_returns_the_value_or_the_report():
    pair = lambda v: isinstance(v, tuple) and len(v) == 2  # noqa: E731
    assert answer_value(lambda: (1, 2), "pair", "a pair", pair) == (None, (1, 2))
    report, value = answer_value(lambda: 3, "pair", "a pair", pair)
    assert value is None and not report and "does not hold: a pair" in repr(report)

    def stub():
        raise NotImplementedError

    report, _ = answer_value(stub, "pair", "a pair", pair)
    assert not report and "not implemented" in repr(report)
    report, _ = answer_value(lambda: rel_error(1.0, 2.0), "pair", "a pair", pair, forbid=["helpers.checks.rel_error"])
    assert report.shortcut


def test_wrong_answer_states_the_problem_and_the_hint():
    report = wrong_answer("count", "12 is not right", "count the biases")
    assert not report and report.n_cases == 1
    assert report.lines == ["✗ count: wrong answer", "    problem: 12 is not right", "    hint:    count the biases"]
    assert len(wrong_answer("count", "12 is not right").lines) == 2
