"""The slides' worked examples of stride (步幅), written out symbolically.

The slides show a grid of inputs ``a11 a12 ...`` and a 3x3 kernel ``k11 ...``,
and write every output cell as its sum of products, for example
``a11·k11 + a12·k12 + a13·k13 + a21·k21 + ...``. This module produces those
sums for any input size, kernel size, stride, zero padding and dilation, with
the slides' 1-based names, and evaluates them on numbers so that they can be
checked against torch.

Like torch (and the slides' figures), the sums are cross-correlations: output
cell ``(i, j)`` pairs ``a[i*s + u - p][j*s + v - p]`` with ``k[u][v]``.
Products with a zero-padded entry are left out (they are zero).

Public surface:

``symbolic_conv2d``  the terms of every output cell, as ``(a-name, k-name)`` pairs
``cell_sum``         one cell's terms as text, ``a11·k11 + a12·k12 + ...``
``substitute``         the terms with numbers substituted (a numpy array)
``to_latex``         the slide's picture: I * K = S, each cell a stacked sum
``padded_names``     the names on a padded grid: which entry each padding mode copies, or 0
``size_formula``     the output-size formula with the numbers filled in
"""

from __future__ import annotations

import numpy as np

from helpers.args import as_int
from helpers.conv import conv_output_size, pad2d

__all__ = ["symbol", "symbolic_conv2d", "cell_sum", "substitute", "to_latex", "padded_names", "size_formula"]

Term = tuple[str, str]  # (input name, kernel name), e.g. ("a11", "k11")


def symbol(prefix: str, i: int, j: int) -> str:
    """The slides' 1-based name of entry ``(i, j)`` (0-based): ``symbol("a", 0, 1) == "a12"``.

    Indices of 10 or more are separated by a comma (``a10,3``) so that names stay unambiguous.
    """
    sep = "," if max(i, j) >= 9 else ""
    return f"{prefix}{i + 1}{sep}{j + 1}"


def symbolic_conv2d(rows: int, cols: int, kernel_size: int = 3, stride: int = 1, padding: int = 0,
                    dilation: int = 1) -> list[list[list[Term]]]:
    """The sum of products behind every output cell of a 2-D (cross-)convolution.

    Args:
        rows, cols: the input's size (entries ``a11 ... a{rows}{cols}``).
        kernel_size: k, the kernel is k x k (entries ``k11 ... kkk``).
        stride: s (>= 1).
        padding: zero padding p on every side (>= 0); padded entries are 0 and
            their products are left out.
        dilation: d (>= 1).

    Returns:
        ``terms[i][j]``: the list of ``(a_name, k_name)`` pairs of output cell
        ``(i, j)``, in kernel order (row by row), for an output of
        ``conv_output_size(rows, k, s, p, d)`` x ``conv_output_size(cols, ...)``.

    Example:
        >>> cell_sum(symbolic_conv2d(4, 4, 3)[0][1])[:23]
        'a12·k11 + a13·k12 + a14'
    """
    rows, cols = as_int("rows", rows, 1), as_int("cols", cols, 1)
    k = as_int("kernel_size", kernel_size, 1)
    s, p = as_int("stride", stride, 1), as_int("padding", padding, 0)
    d = as_int("dilation", dilation, 1)
    out_h = conv_output_size(rows, k, s, p, d)  # raises ValueError if the kernel does not fit
    out_w = conv_output_size(cols, k, s, p, d)
    terms = []
    for i in range(out_h):
        row = []
        for j in range(out_w):
            cell = []
            for u in range(k):
                for v in range(k):
                    r, c = i * s + u * d - p, j * s + v * d - p
                    if 0 <= r < rows and 0 <= c < cols:
                        cell.append((symbol("a", r, c), symbol("k", u, v)))
            row.append(cell)
        terms.append(row)
    return terms


def cell_sum(terms: list[Term], times: str = "·") -> str:
    """One cell's terms as text: ``a11·k11 + a12·k12 + ...`` (``0`` when every product is padding)."""
    return " + ".join(f"{a}{times}{k}" for a, k in terms) if terms else "0"


def _index(name: str) -> tuple[int, int]:
    body = name[1:]
    if "," in body:
        i, j = body.split(",")
    else:
        i, j = body[: len(body) // 2], body[len(body) // 2:]
    return int(i) - 1, int(j) - 1


def substitute(terms: list[list[list[Term]]], a, k) -> np.ndarray:
    """Substitute numbers: ``a`` (rows, cols) and ``k`` (kernel) arrays; returns the output array."""
    a, k = np.asarray(a, dtype=np.float64), np.asarray(k, dtype=np.float64)
    if a.ndim != 2 or k.ndim != 2:
        raise ValueError(f"a has shape {a.shape} and k {k.shape}; expected two 2-D arrays")
    out = np.zeros((len(terms), len(terms[0]) if terms else 0))
    for i, row in enumerate(terms):
        for j, cell in enumerate(row):
            out[i, j] = sum(a[_index(an)] * k[_index(kn)] for an, kn in cell)
    return out


def _latex_name(name: str) -> str:
    return f"{name[0]}_{{{name[1:]}}}"


def _latex_grid(rows: int, cols: int, prefix: str) -> str:
    body = r" \\ \hline ".join(" & ".join(_latex_name(symbol(prefix, i, j)) for j in range(cols)) for i in range(rows))
    return r"\begin{array}{|" + "c|" * cols + r"} \hline " + body + r" \\ \hline \end{array}"


def to_latex(rows: int, cols: int, kernel_size: int = 3, stride: int = 1, padding: int = 0,
             dilation: int = 1) -> str:
    """The slide's picture ``I * K = S`` as LaTeX (for ``IPython.display.Math``).

    Every output cell stacks its products kernel row by kernel row, joined by
    ``+``, as the slides draw them.
    """
    terms = symbolic_conv2d(rows, cols, kernel_size, stride, padding, dilation)
    out_cells = []
    for row in terms:
        cells = []
        for cell in row:
            by_row: dict[int, list[str]] = {}  # kernel row -> its products
            for a, k in cell:
                by_row.setdefault(_index(k)[0], []).append(f"{_latex_name(a)}{_latex_name(k)}")
            lines = [" + ".join(v) for v in by_row.values()] or ["0"]
            cells.append(r"\begin{matrix}" + r" \\ + \\ ".join(lines) + r"\end{matrix}")
        out_cells.append(" & ".join(cells))
    n_out = len(terms[0])
    out = r"\begin{array}{|" + "c|" * n_out + r"} \hline " + r" \\ \hline ".join(out_cells) + r" \\ \hline \end{array}"
    return (_latex_grid(rows, cols, "a") + r" \; * \; " + _latex_grid(kernel_size, kernel_size, "k")
            + r" \; = \; " + out)


def padded_names(n: int, padding: int, mode: str = "zeros") -> np.ndarray:
    """The names on an ``n x n`` grid padded by ``padding`` with ``mode``: the entry each position copies.

    Inside the grid the names are ``a11 ... ann``; on the border, the name of the entry that the
    padding mode (as in :func:`helpers.conv.pad2d`) copies there, or ``"0"`` for zero padding.

    Example:
        >>> padded_names(2, 1, "replicate")[0].tolist()
        ['a11', 'a11', 'a12', 'a12']
        >>> padded_names(2, 1)[0].tolist()
        ['0', '0', '0', '0']
    """
    n = as_int("n", n, 1)
    index = np.arange(1, n * n + 1, dtype=np.float64).reshape(n, n)  # 0 is left for "padding"
    padded = pad2d(index, as_int("padding", padding, 0), mode).astype(int) - 1
    names = np.empty(padded.shape, dtype=object)
    for (r, c), v in np.ndenumerate(padded):
        names[r, c] = "0" if v < 0 else symbol("a", *divmod(int(v), n))
    return names


def size_formula(n: int, k: int, stride: int, padding: int, dilation: int) -> tuple[str, int | None]:
    """The output-size formula with the numbers filled in, and its value (None when the kernel does not fit).

    Example:
        >>> size_formula(28, 3, 2, 1, 1)[0]
        'n_out = floor((n + 2p − d(k−1) − 1) / s) + 1 = floor((28 + 2·1 − 1·(3−1) − 1) / 2) + 1 = 14'
    """
    text = (f"n_out = floor((n + 2p − d(k−1) − 1) / s) + 1 = "
            f"floor(({n} + 2·{padding} − {dilation}·({k}−1) − 1) / {stride}) + 1")
    try:
        out = conv_output_size(n, k, stride, padding, dilation)
    except ValueError:
        span = dilation * (k - 1) + 1
        return f"{text}: the kernel spans {span} > {n + 2 * padding}, no output", None
    return f"{text} = {out}", out
