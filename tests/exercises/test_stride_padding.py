"""Notebook 03's checkers accept right answers and reject the stub and plausible wrong answers."""

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import helpers.conv
from helpers.exercises import stride_padding as ex
from tests.exercises.support import refused_as_shortcut, rejected, shortcuts_allowed, stub, tuned_to_visible


# ------------------------------------------------------------------ mirror padding
def right_mirror(x, p):
    rows = np.concatenate([x[p:0:-1], x, x[-2:-p - 2:-1]], axis=0) if p else x
    return np.concatenate([rows[:, p:0:-1], rows, rows[:, -2:-p - 2:-1]], axis=1) if p else rows


WRONG_MIRROR = {
    "stub": stub,
    "edge repeated (numpy 'symmetric')": lambda x, p: np.pad(x, p, mode="symmetric"),
    "replicate": lambda x, p: np.pad(x, p, mode="edge"),
    "zeros": lambda x, p: np.pad(x, p),
    "circular": lambda x, p: np.pad(x, p, mode="wrap"),
    "rows only": lambda x, p: np.pad(x, ((p, p), (0, 0)), mode="reflect"),
}


def test_mirror_pad_accepts_right_answers():
    assert ex.check_mirror_pad(right_mirror)
    with shortcuts_allowed():
        assert ex.check_mirror_pad(lambda x, p: F.pad(torch.tensor(x)[None, None], (p,) * 4, mode="reflect")[0, 0].numpy()
                               if p else x)


@pytest.mark.parametrize("name", WRONG_MIRROR)
def test_mirror_pad_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_mirror_pad, WRONG_MIRROR[name])


# ------------------------------------------------------------------ dilation: same padding, largest dilation
def right_same_padding(k, d):
    return d * (k - 1) // 2


WRONG_SAME_PADDING = {
    "stub": stub,
    "dilation ignored (k // 2)": lambda k, d: k // 2,
    "span k*d": lambda k, d: k * d // 2,
    "the whole span minus one (full padding)": lambda k, d: d * (k - 1),
    "float": lambda k, d: d * (k - 1) / 2,
    "span // 2 with the span d*k": lambda k, d: (d * k - 1) // 2,
}


def right_largest_dilation(n, k, p):
    return (n + 2 * p - 1) // (k - 1)


WRONG_LARGEST_DILATION = {
    "stub": stub,
    "the last tap forgotten": lambda n, k, p: (n + 2 * p) // (k - 1),
    "padding ignored": lambda n, k, p: (n - 1) // (k - 1),
    "padding once": lambda n, k, p: (n + p - 1) // (k - 1),
    "span k*d": lambda n, k, p: (n + 2 * p) // k,
    "one short (strictly inside)": lambda n, k, p: max(1, (n + 2 * p - 2) // (k - 1)),
    "float": lambda n, k, p: (n + 2 * p - 1) / (k - 1),
}


#: exercise -> (checker, a right answer, typical wrong answers)
DILATION = {
    "same_padding": (ex.check_same_padding, right_same_padding, WRONG_SAME_PADDING),
    "largest_dilation": (ex.check_largest_dilation, right_largest_dilation, WRONG_LARGEST_DILATION),
}


@pytest.mark.parametrize("exercise", DILATION)
def test_dilation_exercises_accept_the_formula(exercise):
    checker, right, _ = DILATION[exercise]
    assert checker(right)
    assert checker(right, hidden_seed=2)


@pytest.mark.parametrize("exercise, name", [(e, w) for e in DILATION for w in DILATION[e][2]])
def test_dilation_exercises_reject(exercise, name):
    checker, _, wrong = DILATION[exercise]
    with shortcuts_allowed():
        rejected(checker, wrong[name])


def same_padding_by_search(k, d):
    return next(p for p in range(100) if helpers.conv.conv_output_size(20 * d * k, k, 1, p, d) == 20 * d * k)


def largest_dilation_by_torch(n, k, p):
    d = 1
    while (d + 1) * (k - 1) + 1 <= n + 2 * p:
        F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), padding=p, dilation=d + 1)
        d += 1
    return d


@pytest.mark.parametrize("checker, answer", [(ex.check_same_padding, same_padding_by_search),
                                             (ex.check_largest_dilation, largest_dilation_by_torch)])
def test_dilation_exercises_refuse_the_library_s_sizes(checker, answer):
    with shortcuts_allowed():
        assert checker(answer)
    refused_as_shortcut(checker, answer)


@pytest.mark.parametrize("checker, right, wrong", [
    (ex.check_same_padding, right_same_padding, lambda k, d: k // 2),
    (ex.check_largest_dilation, right_largest_dilation, lambda n, k, p: 1),
])
def test_dilation_hidden_cases_catch_an_answer_tuned_to_the_visible_ones(checker, right, wrong):
    tuned = tuned_to_visible(checker, right, wrong)
    assert checker(tuned)
    assert "hidden" in rejected(checker, tuned, hidden_seed=8)


# ------------------------------------------------------------------ one output cell by hand
def test_the_hand_exercise_is_the_one_the_notebook_shows():
    """5x5 input, 3x3 kernel, stride 2, padding 1, cell S[1, 2]; the window reaches into the padding."""
    assert ex.HAND_INPUT.shape == (5, 5) and ex.HAND_KERNEL.shape == (3, 3)
    assert (ex.HAND_STRIDE, ex.HAND_PADDING, ex.HAND_CELL) == (2, 1, (1, 2))
    assert not np.array_equal(ex.HAND_KERNEL, ex.HAND_KERNEL[::-1, ::-1]), "the flip must show"
    slips = ex._hand_mistakes()
    assert len(slips) == 6 and 6 not in slips, "every slip gives its own value, none the right one"


def _latex(a):
    return "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(str(int(v)) for v in row) for row in a) + " \\end{pmatrix}"


def test_the_notebook_shows_the_checked_numbers():
    import nbformat

    nb = nbformat.read(Path(__file__).parents[2] / "notebooks" / "03_stride_padding.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert f"$$X = {_latex(ex.HAND_INPUT)}, \\qquad K = {_latex(ex.HAND_KERNEL)}.$$" in text
    assert "stride 2 and zero padding 1" in text and "$S[1, 2]$" in text
    n, (r, c) = ex.BUMP["n"], ex.BUMP["pixel"]
    assert f"${n}\\times{n}$ input, a $3\\times3$ kernel with no zero weight, stride 2 and zero padding 1" in text
    assert f"row {r}, column {c} (counting from 0)" in text and f"bumped[0, 0, {r}, {c}] += 1" in text


def test_hand_output_size():
    assert ex.check_hand_output_size(lambda: 3)
    assert ex.check_hand_output_size(lambda: 3, hidden_seed=1)
    assert "padding is missing" in rejected(ex.check_hand_output_size, lambda: 2)
    assert "stride is missing" in rejected(ex.check_hand_output_size, lambda: 5)
    assert "expected an int" in rejected(ex.check_hand_output_size, lambda: 3.5)
    assert "not implemented" in rejected(ex.check_hand_output_size, stub)


def by_hand():  # rows 1-3, columns 3-4 of the input; column 5 is padding
    return 3 * 2 + 1 * 2 + 0 * (-1) + 2 * (-1) + (-2) * 0 + 0 * 1 + 0 * (-1) + 0 * 2 + 0 * 1


@pytest.mark.parametrize("value, slip", [
    (7, "flipped the kernel"), (0, "that is S[0, 1]"), (5, "that is S[2, 1]"), (10, "that is stride 1"),
    (-5, "the padding is missing"), (9, "transposed the kernel"), (4, ""),
])
def test_hand_cell_names_the_slip_and_the_window(value, slip):
    message = rejected(ex.check_hand_cell, lambda: value)
    assert slip in message
    assert "S[1, 2] reads input rows 1 to 3 and columns 3 to 5 (column 5 lies in the padding: zeros)" in message


def test_hand_cell_accepts_the_sum_of_products():
    assert by_hand() == 6 and ex.check_hand_cell(by_hand)
    assert ex.check_hand_cell(lambda: np.int64(6))


def test_hand_exercises_refuse_a_computed_answer():
    answer = lambda: int(F.conv2d(torch.tensor(ex.HAND_INPUT)[None, None], torch.tensor(ex.HAND_KERNEL)[None, None],
                                  stride=2, padding=1)[0, 0, 1, 2])
    with shortcuts_allowed():
        assert ex.check_hand_cell(answer)
    refused_as_shortcut(ex.check_hand_cell, answer)
    refused_as_shortcut(ex.check_hand_output_size, lambda: helpers.conv.conv_output_size(5, 3, 2, 1))


# ------------------------------------------------------------------ predict, then run
def test_predicted_changes():
    assert ex._changed_cells(**ex.BUMP).sum() == 2  # rows 1 and 2 of the output see input row 3; column 2 sees column 4
    assert ex.check_predicted_changes(lambda: 2)
    assert "not every kernel tap" in rejected(ex.check_predicted_changes, lambda: 9)
    assert "column 4 lies in 1 window(s), not 2" in rejected(ex.check_predicted_changes, lambda: 4)
    assert "row 3 lies in 2 window(s), not 1" in rejected(ex.check_predicted_changes, lambda: 1)
    assert "not implemented" in rejected(ex.check_predicted_changes, stub)
    assert "expected an int" in rejected(ex.check_predicted_changes, lambda: 2.5)


def test_predicted_changes_refuses_a_computed_answer():
    from helpers.receptive import ConvSpec, footprint

    def by_footprints():
        spec = [ConvSpec(3, 2, 1)]
        return sum(int(footprint(9, spec, (i, j))[3, 4]) for i in range(5) for j in range(5))

    refused_as_shortcut(ex.check_predicted_changes, by_footprints)


# ------------------------------------------------------------------ partial-convolution ratio
def right_ratio(h, w, k, p):
    mask = F.pad(torch.ones(1, 1, h, w, dtype=torch.float64), (p,) * 4)
    count = F.conv2d(mask, torch.ones(1, 1, k, k, dtype=torch.float64))[0, 0].numpy()
    return k * k / count


WRONG_RATIO = {
    "stub": stub,
    "all ones (plain zero padding)": lambda h, w, k, p: np.ones((h + 2 * p - k + 1, w + 2 * p - k + 1)),
    "inverted": lambda h, w, k, p: 1 / right_ratio(h, w, k, p),
    "counts, not a ratio": lambda h, w, k, p: k * k / right_ratio(h, w, k, p),
    "h and w swapped": lambda h, w, k, p: right_ratio(w, h, k, p),
    "same size as the input": lambda h, w, k, p: right_ratio(h, w, k, p)[:h, :w],
}


def test_partial_ratio_accepts_a_right_answer():
    assert ex.check_partial_ratio(right_ratio)


@pytest.mark.parametrize("name", WRONG_RATIO)
def test_partial_ratio_rejects(name):
    with shortcuts_allowed():
        rejected(ex.check_partial_ratio, WRONG_RATIO[name])
