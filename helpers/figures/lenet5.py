"""Notebook 06's figures: LeNet-5's feature maps, kernels, prototypes, robustness and architecture.

Static figures only, each drawn from a model or from a plain function's result:
:func:`plot_feature_maps`, :func:`plot_c1_kernels`, :func:`plot_prototypes`,
:func:`plot_robustness` (the results of :func:`helpers.train.robustness_sweep`) and
:func:`plot_architecture` (the shapes of :func:`helpers.models.lenet.layer_table`).

The live widgets :class:`DigitExplorer` and :class:`DrawDigit` are in
:mod:`helpers.figures.digit_widgets`, and :func:`explore_digit` (one digit through a network) in
:mod:`helpers.train`; they are re-exported here, where notebook 06 imports them from.
"""

from __future__ import annotations

import numpy as np

from helpers.figures.digit_widgets import DigitExplorer, DrawDigit, activation_colours
from helpers.models.lenet import LeNet5, layer_table
from helpers.train import SWEEP_KINDS, SweepResult, explore_digit

__all__ = [
    "plot_robustness",
    "plot_feature_maps",
    "plot_c1_kernels",
    "plot_prototypes",
    "architecture_labels",
    "plot_architecture",
    # re-exported: notebook 06 imports them from here
    "explore_digit",
    "DigitExplorer",
    "DrawDigit",
]


def plot_robustness(results: list[SweepResult], title: str | None = None):
    """One panel per sweep: test accuracy against the perturbation, a line per network. Returns the figure."""
    import matplotlib.pyplot as plt

    if not results:
        raise ValueError("results is empty: pass the SweepResults of robustness_sweep")
    fig, axes = plt.subplots(1, len(results), figsize=(min(2.5 * len(results) + 0.4, 10.0), 3.2), layout="constrained",
                             squeeze=False)
    for k, (ax, r) in enumerate(zip(axes[0], results)):
        for (name, acc), marker in zip(r.accuracy.items(), "os^vD"):
            ax.plot(r.values, acc, marker=marker, label=name)
        ax.axhline(0.1, color="gray", lw=0.8, ls=":", label="chance (10%)" if k == 0 else None)
        ax.set_xlabel(SWEEP_KINDS[r.kind])
        ax.set_ylabel("test accuracy")
        ax.set_ylim(0, 1.02)
        ax.set_title(r.kind, fontsize=10)
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    n = results[0].n_digits
    fig.suptitle(title or f"Accuracy on the whole test split ({n:,} digits), perturbed", fontsize=11)
    return fig


def plot_feature_maps(net, image, title: str | None = None):
    """The input, C1's 6 feature maps and C3's 16 for one ``(32, 32)`` digit. Returns the figure."""
    import matplotlib.pyplot as plt

    view = explore_digit(net, image)
    if view.message:
        raise ValueError(view.message)
    cmap, lo, hi = activation_colours(net)
    fig = plt.figure(figsize=(10.0, 3.3), layout="constrained")
    sub = fig.subfigures(1, 3, width_ratios=[1, 3, 4])
    ax = sub[0].subplots()
    ax.imshow(view.image, cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"input 32x32\npredicted {view.prediction}")
    ax.axis("off")
    for sf, maps, cols, name in ((sub[1], view.c1, 3, "C1: 6 maps 28x28"), (sub[2], view.c3, 8, "C3: 16 maps 10x10")):
        axs = sf.subplots(-(-len(maps) // cols), cols)
        top = hi if hi is not None else max(float(maps.max()), 1e-6)
        for k, (a, m) in enumerate(zip(axs.ravel(), maps)):
            im = a.imshow(m, cmap=cmap, vmin=lo, vmax=top)
            a.set_title(str(k), fontsize=8)
            a.axis("off")
        sf.suptitle(name)
        sf.colorbar(im, ax=axs, shrink=0.8, label="activation")
    if title:
        fig.suptitle(title)
    return fig


def plot_c1_kernels(net, title: str = "C1's six 5x5 kernels (learned)"):
    """C1's kernels on one symmetric colour scale (red positive, blue negative). Returns the figure."""
    import matplotlib.pyplot as plt

    w = net.C1.weight.detach().cpu().numpy()[:, 0]
    m = float(np.abs(w).max()) or 1.0
    fig, axs = plt.subplots(1, len(w), figsize=(1.5 * len(w) + 1, 2.2), layout="constrained")
    for k, (a, kern) in enumerate(zip(axs, w)):
        im = a.imshow(kern, cmap="RdBu_r", vmin=-m, vmax=m)
        a.set_title(f"kernel {k}", fontsize=9)
        a.set_xticks([])
        a.set_yticks([])
    fig.colorbar(im, ax=axs, shrink=0.8, label="weight")
    fig.suptitle(title)
    return fig


def plot_prototypes(title: str = "The output layer's fixed targets: 7x12 bitmaps, +1 ink, -1 background"):
    """The ten RBF prototypes as images. Returns the figure."""
    import matplotlib.pyplot as plt

    from helpers.models.prototypes import PROTOTYPES

    fig, axs = plt.subplots(1, 10, figsize=(9, 1.9), layout="constrained")
    for d, a in enumerate(axs):
        a.imshow(PROTOTYPES[d], cmap="gray_r", vmin=-1, vmax=1)
        a.set_title(f"digit {d}", fontsize=9)
        a.set_xticks([])
        a.set_yticks([])
    fig.suptitle(title, fontsize=10)
    return fig


# --------------------------------------------------------------------------- architecture diagram
#: What each of LeNet-5's layers is, for the architecture diagram (English, Chinese).
_LAYER_KINDS = {
    "input": ("input", "输入"),
    "C1": ("convolution", "卷积层"),
    "S2": ("subsampling", "下采样层"),
    "C3": ("convolution", "卷积层"),
    "S4": ("subsampling", "下采样层"),
    "C5": ("convolution", "卷积层"),
    "F6": ("fully connected", "全连接层"),
    "output": ("RBF output", "输出"),
}


def _shape_label(shape) -> str:
    """``(6, 28, 28)`` -> ``"6@28×28"``; ``(84,)`` -> ``"84"``."""
    if len(shape) == 3:
        return f"{shape[0]}@{shape[1]}×{shape[2]}"
    return str(shape[0])


def architecture_labels(net=None, size: int = 32) -> list[tuple[str, str]]:
    """Each layer's name and output shape, measured on ``net`` (default: a fresh LeNet-5).

    The shapes come from a forward pass (:func:`helpers.models.lenet.layer_table`), not from a table.

    >>> architecture_labels()[:3]
    [('input', '1@32×32'), ('C1', '6@28×28'), ('S2', '6@14×14')]
    """
    rows = layer_table(LeNet5() if net is None else net, size)
    return [("input", _shape_label((1, size, size)))] + [(r.name, _shape_label(r.output_shape)) for r in rows]


def plot_architecture(net=None, title: str = "LeNet-5, drawn from the model: each box is one layer's output"):
    """LeNet-5 as a row of boxes, left to right, labelled with the shapes the model produces.

    A box's height grows with its map size and its depth with its number of maps. Returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon, Rectangle

    from helpers.session import zh

    labels = architecture_labels(net)
    fig, ax = plt.subplots(figsize=(10.0, 3.4), layout="constrained")
    x = 0.0
    for name, label in labels:
        parts = [int(p) for p in label.replace("@", "×").split("×")]
        maps, side = (parts[0], parts[1]) if len(parts) == 3 else (parts[0], 1)
        h = 0.6 + 2.2 * side / 32  # map size
        d = 0.15 + 0.55 * min(maps, 120) / 120  # number of maps
        if len(parts) == 1:  # a vector: a tall thin bar
            h, d = 0.6 + 2.2 * min(maps, 120) / 120, 0.0
        w = 0.55
        colour = {"C": "tab:blue", "S": "tab:orange", "F": "tab:green"}.get(name[0], "0.6")
        ax.add_patch(Rectangle((x, 0.0), w, h, facecolor=colour, alpha=0.35, edgecolor=colour))
        if d:  # the depth of the stack of maps
            ax.add_patch(Polygon([(x, h), (x + d, h + d * 0.6), (x + w + d, h + d * 0.6), (x + w, h)],
                                 facecolor=colour, alpha=0.2, edgecolor=colour))
            ax.add_patch(Polygon([(x + w, 0), (x + w + d, d * 0.6), (x + w + d, h + d * 0.6), (x + w, h)],
                                 facecolor=colour, alpha=0.2, edgecolor=colour))
        en, cn = _LAYER_KINDS.get(name, (name, name))
        ax.text(x + w / 2, -0.25, name, ha="center", va="top", fontsize=11, weight="bold")
        ax.text(x + w / 2, -0.6, label, ha="center", va="top", fontsize=10)
        ax.text(x + w / 2, -0.95, zh(en, cn).replace(" (", "\n("), ha="center", va="top", fontsize=8)
        if x > 0:
            ax.annotate("", xy=(x - 0.05, 0.3), xytext=(x - 0.55, 0.3),
                        arrowprops=dict(arrowstyle="->", color="0.3"))
        x += 1.6
    ax.set_xlim(-0.3, x - 0.6)
    ax.set_ylim(-1.8, 3.4)
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    return fig
