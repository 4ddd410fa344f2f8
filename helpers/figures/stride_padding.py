"""Notebook 03's figures: stride (步幅), padding (填充) and dilation (空洞卷积).

The figures of Dumoulin & Visin's "A guide to convolution arithmetic" (2016)
are drawn by :func:`plot_conv_arithmetic` in the same convention: input in
grey, padding dashed, the first kernel position shaded, output beside it.
:func:`plot_dilated_kernel` shows where a dilated kernel's taps fall and
:func:`plot_padding_comparison` each padding scheme's error at the border.

The live convolution explorer is in :mod:`helpers.figures.conv_explorer`; the
names notebook 03 imports from here (``ConvExplorer``, ``explore``,
``explorer_input``) are re-exported.
"""

from __future__ import annotations

import numpy as np

from helpers.conv import conv_output_size
from helpers.figures.conv_explorer import ConvExplorer, explore, explorer_input
from helpers.padding import PaddingResult

__all__ = [
    "ConvExplorer",
    "explore",
    "explorer_input",
    "plot_conv_arithmetic",
    "plot_dilated_kernel",
    "plot_padding_comparison",
]


def plot_conv_arithmetic(n: int, k: int, stride: int = 1, padding: int = 0, ax=None, title: str = ""):
    """Dumoulin & Visin's picture of one case: the padded input, the first window, the output grid.

    Input cells are grey, padding white with a dashed outline, the kernel's
    first position shaded red; the output (blue) is drawn to the right. The
    title states ``i, k, s, p -> o``. Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    o = conv_output_size(n, k, stride, padding)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 2.4))
    size = n + 2 * padding
    for r in range(size):
        for c in range(size):
            inside = padding <= r < padding + n and padding <= c < padding + n
            ax.add_patch(Rectangle((c, -r), 1, -1, fc="0.75" if inside else "white", ec="0.3",
                                   ls="-" if inside else "--", lw=0.6))
    ax.add_patch(Rectangle((0, 0), k, -k, fc="crimson", alpha=0.35, ec="crimson", lw=1.5))
    x0 = size + 1
    for r in range(o):
        for c in range(o):
            ax.add_patch(Rectangle((x0 + c, -r), 1, -1, fc="tab:blue" if (r, c) == (0, 0) else "lightsteelblue",
                                   ec="0.2", lw=0.6))
    ax.annotate("", xy=(x0 - 0.1, -0.5), xytext=(size + 0.1, -0.5), arrowprops={"arrowstyle": "->"})
    ax.set_xlim(-0.3, x0 + o + 0.3)
    ax.set_ylim(-max(size, o) - 0.3, 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{title}\ni={n}, k={k}, s={stride}, p={padding} → o={o}" if title
                 else f"i={n}, k={k}, s={stride}, p={padding} → o={o}", fontsize=9)
    return ax


def plot_dilated_kernel(k: int = 3, dilations=(1, 2, 3), axes=None):
    """Where a k x k kernel's taps fall with each dilation: it spans k + (k−1)(d−1). Returns the axes."""
    import matplotlib.pyplot as plt

    dilations = list(dilations)
    if axes is None:
        _, axes = plt.subplots(1, len(dilations), figsize=(2.4 * len(dilations), 2.6), layout="constrained")
    axes = np.atleast_1d(axes)
    big = k + (k - 1) * (max(dilations) - 1)
    for ax, d in zip(axes, dilations):
        span = k + (k - 1) * (d - 1)
        grid = np.zeros((big, big))
        taps = np.arange(k) * d
        grid[np.ix_(taps, taps)] = 1.0
        ax.imshow(grid, cmap="Reds", vmin=0, vmax=1.4)
        ax.set_xticks(np.arange(big + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(big + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="0.6", lw=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set_title(f"dilation d={d}\nspans {k}+({k}−1)({d}−1) = {span}")
    return axes


def plot_padding_comparison(results: dict[str, PaddingResult], axes=None):
    """Top row: each scheme's output; bottom row: |output − truth|, on one colour scale. Returns the axes."""
    import matplotlib.pyplot as plt

    n = len(results)
    if axes is None:
        _, axes = plt.subplots(2, n, figsize=(2.1 * n, 4.6), layout="constrained")
    vmax = max(float(r.error.max()) for r in results.values()) or 1.0
    lo = min(float(r.output.min()) for r in results.values())
    hi = max(float(r.output.max()) for r in results.values())
    for col, r in enumerate(results.values()):
        axes[0, col].imshow(r.output, cmap="gray", vmin=lo, vmax=hi)
        axes[0, col].set_title(f"output: {r.scheme}")
        im = axes[1, col].imshow(r.error, cmap="magma", vmin=0, vmax=vmax)
        axes[1, col].set_title(f"|error|, border mean\n{r.border_error:.3f}")
        for ax in axes[:, col]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].figure.colorbar(im, ax=axes[1, :].tolist(), shrink=0.8, label="|output − truth|")
    return axes
