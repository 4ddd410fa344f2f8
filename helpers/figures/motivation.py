"""Notebook 01's figures (history and motivation): the static plots.

:func:`plot_connectivity`
    which inputs touch which outputs: dense layer against 1-D convolution (稀疏交互)
:func:`plot_timeline` (:data:`EVENTS`)
    the milestones from Hubel & Wiesel to ConvNeXt
:func:`plot_cortex_hierarchy` (:data:`CORTEX_LEVELS`)
    simple -> complex cells and the Neocognitron's S and C layers

The live explorers are in their own modules: :class:`ReceptiveFieldExplorer` (感受野)
in :mod:`helpers.figures.receptive_explorer` and :class:`ShiftEquivarianceExplorer`
(等变表示) in :mod:`helpers.figures.shift_explorer`. The names notebook 01 and its
tests import from here are re-exported.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from helpers.figures.receptive_explorer import (
    KERNEL_SIZES,
    PADDINGS,
    ReceptiveFieldExplorer,
    ReceptiveFieldView,
    receptive_field_view,
)
from helpers.figures.shift_explorer import ShiftEquivarianceExplorer, ShiftView, shift_view

__all__ = [
    "plot_connectivity",
    "Event",
    "EVENTS",
    "plot_timeline",
    "CORTEX_LEVELS",
    "plot_cortex_hierarchy",
    # re-exported: notebook 01 imports them from here
    "KERNEL_SIZES",
    "PADDINGS",
    "ReceptiveFieldView",
    "receptive_field_view",
    "ReceptiveFieldExplorer",
    "ShiftView",
    "shift_view",
    "ShiftEquivarianceExplorer",
]


def plot_connectivity(matrix: np.ndarray, title: str, highlight_input: int | None = None, ax=None):
    """Draw a bipartite graph: inputs ``x_i`` at the bottom, outputs ``s_j`` on top, an edge per ``True``.

    Edges from ``highlight_input`` (the outputs that one input affects) are drawn in colour.
    Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    m = np.asarray(matrix, dtype=bool)
    if m.ndim != 2:
        raise ValueError(f"matrix has shape {m.shape}; expected (n_out, n_in)")
    n_out, n_in = m.shape
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 2.6))
    xin = np.arange(n_in) - (n_in - 1) / 2
    xout = np.arange(n_out) - (n_out - 1) / 2
    seg, colors, widths = [], [], []
    for j, i in zip(*np.nonzero(m)):
        hot = highlight_input is not None and i == highlight_input
        seg.append([(xin[i], 0.0), (xout[j], 1.0)])
        colors.append("tab:orange" if hot else "0.65")
        widths.append(2.2 if hot else 0.9)
    order = np.argsort([w for w in widths])  # highlighted edges on top
    ax.add_collection(LineCollection([seg[k] for k in order], colors=[colors[k] for k in order],
                                     linewidths=[widths[k] for k in order]))
    ax.scatter(xin, np.zeros(n_in), s=260, c="white", edgecolors="k", zorder=3)
    ax.scatter(xout, np.ones(n_out), s=260, c="white", edgecolors="k", zorder=3)
    for i, x in enumerate(xin):
        ax.text(x, 0, f"x{i + 1}", ha="center", va="center", fontsize=8, zorder=4)
    for j, x in enumerate(xout):
        ax.text(x, 1, f"s{j + 1}", ha="center", va="center", fontsize=8, zorder=4)
    ax.set_xlim(min(xin.min(), xout.min()) - 0.7, max(xin.max(), xout.max()) + 0.7)
    ax.set_ylim(-0.35, 1.35)
    ax.axis("off")
    ax.set_title(f"{title}\n{int(m.sum())} connections")
    return ax


class Event(NamedTuple):
    """One milestone: year, short label (English, for the figure), and its source."""

    year: int
    label: str
    source: str


#: The milestones, oldest first.
EVENTS: tuple[Event, ...] = (
    Event(1959, "Hubel & Wiesel:\nsingle cells in cat V1",
          "D. Hubel, T. Wiesel, J. Physiol. 148 (1959): receptive fields of single neurones in the cat's striate cortex"),
    Event(1962, "simple and\ncomplex cells",
          "D. Hubel, T. Wiesel, J. Physiol. 160 (1962): receptive fields, binocular interaction and functional "
          "architecture in the cat's visual cortex"),
    Event(1965, "hypercomplex\ncells",
          "D. Hubel, T. Wiesel, J. Neurophysiol. 28 (1965): receptive fields and functional architecture in two "
          "nonstriate visual areas (18 and 19) of the cat"),
    Event(1975, "Cognitron\n(Fukushima)", "K. Fukushima, Biol. Cybern. 20 (1975)"),
    Event(1980, "Neocognitron\n(Fukushima)", "K. Fukushima, Biol. Cybern. 36 (1980); Fukushima & Miyake (1982)"),
    Event(1981, "Nobel Prize:\nHubel & Wiesel", "Nobel Prize in Physiology or Medicine 1981"),
    Event(1989, "LeNet: 2 conv +\n1 fully connected", "Y. LeCun et al., NIPS 1989"),
    Event(1998, "LeNet-5", "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, Proc. IEEE 86 (1998)"),
    Event(2012, "AlexNet: 5 conv +\n3 fully connected", "A. Krizhevsky, I. Sutskever, G. Hinton, NIPS 2012"),
    Event(2017, "ConvS2S: translation\n9x faster than RNNs", "J. Gehring et al., Convolutional Sequence to "
          "Sequence Learning, ICML 2017 (arXiv:1705.03122)"),
    Event(2022, "ConvNeXt, RepLKNet\n(31x31 kernels)", "Z. Liu et al., A ConvNet for the 2020s, CVPR 2022; "
          "X. Ding et al., Scaling Up Your Kernels to 31x31, CVPR 2022"),
)


def plot_timeline(events=EVENTS, ax=None):
    """Draw the milestones on a horizontal time axis; labels alternate above and below. Returns the axes."""
    import matplotlib.pyplot as plt

    events = list(events)
    if not events:
        raise ValueError("events is empty: expected at least one Event")
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 3.8), layout="constrained")
    years = [e.year for e in events]
    lo, hi = min(years) - 5, max(years) + 5
    ax.axhline(0, color="0.3", lw=1.5, zorder=1)
    levels = [1.0, -1.0, 1.9, -1.9]
    for k, e in enumerate(events):
        y = levels[k % len(levels)]
        color = "tab:blue" if e.year < 2012 else "tab:red"
        ax.vlines(e.year, 0, y * 0.82, color=color, lw=1)
        ax.plot(e.year, 0, "o", color=color, ms=7, zorder=2)
        ax.text(e.year, y, f"{e.year}\n{e.label}" if y > 0 else f"{e.label}\n{e.year}", ha="center",
                va="bottom" if y > 0 else "top", fontsize=8.5)
    ax.set_xlim(lo, hi)
    ax.set_ylim(-3.2, 3.2)
    ax.set_yticks([])
    ax.set_xlabel("year")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title("From the visual cortex to deep CNNs (blue: before 2012; red: deep CNNs, 2012 on)")
    return ax


# --- The visual-cortex / Neocognitron hierarchy (simple cells -> complex cells) ---------------------------------

#: The two rows of :func:`plot_cortex_hierarchy`: (row title, [(English, 中文, kind), ...]); kind is
#: "input", "S" (a simple-cell-like feature detector) or "C" (a complex-cell-like pooling stage).
CORTEX_LEVELS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("Visual cortex\n(Hubel & Wiesel 1962, 1965)",
     (("retina", "视网膜", "input"), ("simple\ncells", "简单细胞", "S"), ("complex\ncells", "复杂细胞", "C"),
      ("hypercomplex\ncells", "超复杂细胞", "S"))),
    ("Neocognitron\n(Fukushima 1980)",
     (("input\nU0", "输入", "input"), ("S1", "S 层", "S"), ("C1", "C 层", "C"), ("S2", "S 层", "S"),
      ("C2", "C 层", "C"), ("S3", "S 层", "S"), ("C3", "C 层", "C"))),
)


def plot_cortex_hierarchy(ax=None):
    """Draw the simple -> complex cell hierarchy and the Neocognitron's alternating S and C layers.

    Blue boxes detect a local feature at one place (simple cells, S-cells: CNN convolution);
    orange boxes pool those detectors over a small area (complex cells, C-cells: CNN pooling).
    Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    from helpers.session import zh

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.2), layout="constrained")
    colors = {"input": "0.85", "S": "#9ecae1", "C": "#fdae6b"}
    width, height, step = 1.05, 0.8, 1.45
    for row, (title, levels) in enumerate(CORTEX_LEVELS):
        y = 1.9 * (len(CORTEX_LEVELS) - 1 - row)
        ax.text(-0.75, y, title, ha="right", va="center", fontsize=9, fontweight="bold")
        for i, (en, cn, kind) in enumerate(levels):
            x = i * step
            ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                        boxstyle="round,pad=0.04", facecolor=colors[kind], edgecolor="0.3"))
            ax.text(x, y, en if row else zh(en, cn).replace(" (", "\n("), ha="center", va="center", fontsize=8)
            if i:
                ax.annotate("", xy=(x - width / 2 - 0.03, y), xytext=(x - step + width / 2 + 0.03, y),
                            arrowprops=dict(arrowstyle="->", color="0.25", lw=1.3))
    n = max(len(levels) for _, levels in CORTEX_LEVELS)
    ax.text((n - 1) * step / 2, -1.05, zh("blue: detect a local feature (S-cells, like convolution)", "局部特征检测")
            + "     " + zh("orange: pool nearby detectors (C-cells, like pooling)", "简单特征输出的聚合"),
            ha="center", va="center", fontsize=8.5)
    ax.set_xlim(-3.0, (n - 1) * step + 0.8)
    ax.set_ylim(-1.4, 1.9 * (len(CORTEX_LEVELS) - 1) + 0.7)
    ax.axis("off")
    ax.set_title("Simple cells -> complex cells: feature detection and pooling, alternating")
    return ax
