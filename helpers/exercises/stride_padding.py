"""Checkers for the exercises of ``03_stride_padding.ipynb``."""

from __future__ import annotations

import numbers

import numpy as np

from helpers.conv import conv_output_size, pad2d
from helpers.exercises.framework import Case, CheckReport, check, graded
from helpers.padding import partial_ratio

__all__ = ["check_mirror_pad", "check_same_padding", "check_largest_dilation", "check_hand_output_size",
           "check_hand_cell", "check_predicted_changes", "check_partial_ratio",
           "HAND_INPUT", "HAND_KERNEL", "HAND_STRIDE", "HAND_PADDING", "HAND_CELL", "BUMP"]

FORBID_PAD = ("numpy.pad", "helpers.conv.pad2d", "helpers.padding", "torch.nn", "torch.nn.functional", "scipy.ndimage")
FORBID_SIZE = ("helpers.conv.conv_output_size", "helpers.pool.pool_output_size", "helpers.receptive", "torch.nn", "torch.nn.functional")
FORBID_RATIO = ("helpers.padding",)  # a convolution of a mask is allowed: the hint suggests it
#: What computes a convolution, or who depends on whom, for you: exercises 3 and 4 are worked by hand.
FORBID_BY_HAND = ("helpers.conv", "helpers.symbolic", "helpers.receptive", "helpers.connectivity", "helpers.padding",
                  "helpers.figures", "torch.nn", "torch.nn.functional", "torch.conv2d", "scipy.signal", "scipy.ndimage")

#: Exercise 3: a 5x5 input and a 3x3 kernel of small integers, stride 2, zero padding 1, output cell S[1, 2].
HAND_INPUT = np.array([[-2, 2, 0, -1, 1],
                       [3, 2, 1, 3, 1],
                       [2, 0, 1, 2, -2],
                       [2, 1, 2, 0, 0],
                       [-1, 0, 0, -1, 1]])
HAND_KERNEL = np.array([[2, 2, -1],
                        [-1, 0, 1],
                        [-1, 2, 1]])
HAND_STRIDE, HAND_PADDING, HAND_CELL = 2, 1, (1, 2)
#: Exercise 4: one pixel of a 9x9 input changes; a 3x3 kernel with no zero weight, stride 2, padding 1.
BUMP = {"n": 9, "kernel_size": 3, "stride": 2, "padding": 1, "pixel": (3, 4)}


@graded
def check_mirror_pad(mirror_pad) -> CheckReport:
    """``mirror_pad(x, p)``: mirror padding (镜像填充) of a 2-D array by p on every side, the edge not repeated."""
    edge = [
        Case((np.arange(9.0).reshape(3, 3), 0), label="p = 0 changes nothing"),
        Case((np.arange(9.0).reshape(3, 3), 1), label="3x3, p = 1"),
        Case((np.arange(12.0).reshape(3, 4), 2), label="not square, p = 2"),
        Case((np.arange(16.0).reshape(4, 4) ** 2, 3), label="p = n − 1, the largest allowed"),
        Case((np.array([[1.0, 2.0]]).T @ np.array([[1.0, -1.0, 3.0]]), 1), label="a 2x3 array"),
    ]

    def random_case(rng):
        h, w = int(rng.integers(2, 8)), int(rng.integers(2, 8))
        return Case((rng.standard_normal((h, w)), int(rng.integers(0, min(h, w)))), label="random")

    return check(mirror_pad, lambda x, p: pad2d(x, p, "reflect"), cases=edge, random_case=random_case,
                 hint="mirror about the edge pixel without repeating it: [a b c] -> c b [a b c] b a "
                      "for p = 2; pad the rows, then the columns.",
                 name="mirror_pad", forbid=FORBID_PAD)


def _size_by_search(n, k, p, d) -> int:
    """Output length, or 0 when the dilated kernel does not fit (the forward formula is tested against torch)."""
    try:
        return conv_output_size(n, k, 1, p, d)
    except ValueError:
        return 0


def _same_padding_by_search(k, d) -> int:
    n = d * (k - 1) + 7
    return next(p for p in range(n) if _size_by_search(n, k, p, d) == n)


@graded
def check_same_padding(same_padding) -> CheckReport:
    """``same_padding(kernel_size, dilation)``: the zero padding that keeps the size (odd kernel, stride 1)."""
    edge = [
        Case((3, 1), label="no dilation"),
        Case((3, 2), label="a 3x3 kernel, d = 2"),
        Case((5, 3), label="a 5x5 kernel, d = 3"),
        Case((1, 4), label="a 1x1 kernel: dilation changes nothing"),
        Case((7, 1), label="a 7x7 kernel"),
    ]

    def random_case(rng):
        return Case((int(rng.choice([1, 3, 5, 7, 9])), int(rng.integers(1, 9))), label="random")

    return check(same_padding, _same_padding_by_search, cases=edge, random_case=random_case, n_random=15,
                 hint="the output keeps the size when the padded input is longer than the input by exactly "
                      "(span of the dilated kernel) - 1; half of that goes on each side.",
                 name="same_padding", forbid=FORBID_SIZE)


def _largest_dilation_by_search(n, k, p) -> int:
    d = 1
    while _size_by_search(n, k, p, d + 1) > 0:
        d += 1
    return d


@graded
def check_largest_dilation(largest_dilation) -> CheckReport:
    """``largest_dilation(n, kernel_size, padding)``: the largest d for which the dilated kernel fits (k >= 2)."""
    edge = [
        Case((5, 3, 0), label="the 5x5 grid of the explorer, no padding"),
        Case((5, 3, 1), label="the 5x5 grid, padding 1"),
        Case((28, 3, 0), label="a digit, 3x3 kernel"),
        Case((28, 5, 2), label="a digit, 5x5 kernel, padding 2"),
        Case((4, 2, 0), label="a 2-tap kernel"),
        Case((3, 3, 0), label="the kernel just fits: only d = 1"),
    ]

    def random_case(rng):
        k, p = int(rng.integers(2, 8)), int(rng.integers(0, 4))
        return Case((int(rng.integers(max(1, k - 2 * p), 64)), k, p), label="random")

    return check(largest_dilation, _largest_dilation_by_search, cases=edge, random_case=random_case,
                 hint="a dilated kernel spans d(k - 1) + 1 inputs; it fits while that span is at most n + 2p.",
                 name="largest_dilation", forbid=FORBID_SIZE)


# ------------------------------------------------------------------ exercise 3: one output cell by hand
def _torch_output(x, kernel, stride, padding) -> np.ndarray:
    import torch  # only when this check runs
    import torch.nn.functional as F

    t = torch.tensor(np.asarray(x, dtype=np.float64))[None, None]
    k = torch.tensor(np.asarray(kernel, dtype=np.float64))[None, None]
    return F.conv2d(t, k, stride=stride, padding=padding)[0, 0].numpy()


def _window_text() -> str:
    """Where the window of HAND_CELL lies, in the input's own row and column numbers (outside them: padding)."""
    (i, j), s, p, k = HAND_CELL, HAND_STRIDE, HAND_PADDING, HAND_KERNEL.shape[0]
    rows, cols = (i * s - p, i * s - p + k - 1), (j * s - p, j * s - p + k - 1)
    n = HAND_INPUT.shape[0]
    outside = [f"column {c}" for c in range(cols[0], cols[1] + 1) if not 0 <= c < n] + \
              [f"row {r}" for r in range(rows[0], rows[1] + 1) if not 0 <= r < n]
    pad = f" ({', '.join(outside)} lies in the padding: zeros)" if outside else ""
    return f"S[{i}, {j}] reads input rows {rows[0]} to {rows[1]} and columns {cols[0]} to {cols[1]}{pad}"


def _hand_mistakes() -> dict[float, str]:
    """The value that a typical slip gives -> what the slip was."""
    x, k, s, p, (i, j) = HAND_INPUT, HAND_KERNEL, HAND_STRIDE, HAND_PADDING, HAND_CELL
    out = _torch_output(x, k, s, p)
    no_pad = np.pad(x, ((0, k.shape[0]), (0, k.shape[1])))[i * s:i * s + k.shape[0], j * s:j * s + k.shape[1]]
    slips = {
        "you flipped the kernel: a CNN layer computes a cross-correlation, so k[0, 0] meets the window's top-left value":
            _torch_output(x, k[::-1, ::-1], s, p)[i, j],
        f"that is S[{i - 1}, {j - 1}]: count rows and columns from 0": out[i - 1, j - 1],
        f"that is S[{j}, {i}]: the row comes first, then the column": out[j, i],
        f"that is stride 1: with stride {s} each output step moves the window {s} pixels": _torch_output(x, k, 1, p)[i, j],
        f"the padding is missing: with padding {p} the window starts {p} row and {p} column earlier": (no_pad * k).sum(),
        "you transposed the kernel": _torch_output(x, k.T, s, p)[i, j],
    }
    return {float(v): why for why, v in slips.items()}


def _call(answer):
    """The student's value, to pick a hint (check() calls the answer again, guarded, and reports errors)."""
    try:
        return answer()
    except Exception:  # a stub or a bug: check() below reports it
        return None


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


@graded
def check_hand_output_size(hand_output_size) -> CheckReport:
    """``hand_output_size()``: the side of the output for the 5x5 input, 3x3 kernel, stride 2, padding 1."""
    n, k = HAND_INPUT.shape[0], HAND_KERNEL.shape[0]
    expected = _torch_output(HAND_INPUT, HAND_KERNEL, HAND_STRIDE, HAND_PADDING).shape[0]
    slips = {_torch_output(HAND_INPUT, HAND_KERNEL, HAND_STRIDE, 0).shape[0]: "the padding is missing",
             _torch_output(HAND_INPUT, HAND_KERNEL, 1, HAND_PADDING).shape[0]: "the stride is missing"}
    got = _call(hand_output_size)
    why = slips.get(got, "") if _is_number(got) and got != expected else ""
    hint = (f"{why}; " if why else "") + f"count the positions of the {k}x{k} window on the padded input " \
        f"({n} + 2·{HAND_PADDING} pixels), moving {HAND_STRIDE} pixels at a time."
    return check(hand_output_size, lambda: expected, cases=[Case(label="5x5 input, 3x3 kernel, stride 2, padding 1")],
                 hint=hint, name="hand_output_size", forbid=FORBID_BY_HAND)


@graded
def check_hand_cell(hand_cell) -> CheckReport:
    """``hand_cell()``: the value of output cell S[1, 2], worked out by hand (an int)."""
    i, j = HAND_CELL
    expected = round(float(_torch_output(HAND_INPUT, HAND_KERNEL, HAND_STRIDE, HAND_PADDING)[i, j]))  # integers in, one out
    got = _call(hand_cell)
    why = _hand_mistakes().get(float(got), "") if _is_number(got) and got != expected else ""
    hint = (f"{why}; " if why else "") + _window_text() + "; multiply each of those 9 values by the kernel " \
        "entry at the same place in the window, and add."
    return check(hand_cell, lambda: expected, cases=[Case(label=f"S[{i}, {j}]")], hint=hint, name="hand_cell",
                 forbid=FORBID_BY_HAND)


# ------------------------------------------------------------------ exercise 4: predict, then run
def _changed_cells(n, kernel_size, stride, padding, pixel, seed: int = 0) -> np.ndarray:
    """Which output cells change when ``pixel`` of an n x n input grows by 1 (torch, a kernel with no zero weight)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, n))
    kernel = 1.0 + rng.random((kernel_size, kernel_size))  # no zero weight: every tap passes the change on
    bumped = x.copy()
    bumped[pixel] += 1.0
    return np.abs(_torch_output(bumped, kernel, stride, padding) - _torch_output(x, kernel, stride, padding)) > 1e-9


@graded
def check_predicted_changes(predicted_changes) -> CheckReport:
    """``predicted_changes()``: how many output cells change when one input pixel changes (BUMP)."""
    changed = _changed_cells(**BUMP)
    expected = int(changed.sum())
    k, s, p, (r, c) = BUMP["kernel_size"], BUMP["stride"], BUMP["padding"], BUMP["pixel"]
    n_rows, n_cols = int(changed.any(axis=1).sum()), int(changed.any(axis=0).sum())
    slips = {k * k: f"not every kernel tap gives its own output cell: at stride {s} the windows overlap less",
             n_rows * n_rows: f"column {c} lies in {n_cols} window(s), not {n_rows}",
             n_cols * n_cols: f"row {r} lies in {n_rows} window(s), not {n_cols}"}
    got = _call(predicted_changes)
    why = slips.get(got, "") if _is_number(got) and got != expected else ""
    hint = (f"{why}; " if why else "") + f"output row i reads input rows {s}i - {p} to {s}i - {p} + {k - 1}: find " \
        f"every i whose rows hold row {r}, then do the same for column {c}."
    size = f"{BUMP['n']}x{BUMP['n']}"
    return check(predicted_changes, lambda: expected, cases=[Case(label=f"pixel ({r}, {c}) of a {size} input")],
                 hint=hint, name="predicted_changes", forbid=FORBID_BY_HAND)


@graded
def check_partial_ratio(ratio) -> CheckReport:
    """``ratio(h, w, k, p)``: the partial-convolution scaling k² / (image pixels in the window), stride 1."""
    edge = [
        Case((4, 4, 3, 0), label="no padding: every window is inside"),
        Case((4, 4, 3, 1), label="3x3 kernel, p = 1"),
        Case((5, 3, 3, 1), label="not square"),
        Case((6, 6, 5, 2), label="5x5 kernel, p = 2"),
        Case((3, 3, 3, 2), label="p = 2 with a 3x3 kernel: corners see one pixel"),
    ]

    def random_case(rng):
        k = int(rng.choice([1, 3, 5]))
        return Case((int(rng.integers(k, 9)), int(rng.integers(k, 9)), k, int(rng.integers(0, k))), label="random")

    return check(ratio, lambda h, w, k, p: partial_ratio(h, w, k, padding=p), cases=edge, random_case=random_case,
                 hint="count the window's pixels that lie inside the h x w image (the rest is padding); "
                      "the ratio is k·k divided by that count, an (h + 2p − k + 1) x (w + 2p − k + 1) array.",
                 name="partial_ratio", forbid=FORBID_RATIO)
