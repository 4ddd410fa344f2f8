"""Figures and the architecture browser of notebook 08 (典型网络架构).

Everything is drawn from the modules themselves through :func:`helpers.summary.summary`: a block
diagram of the stages, a per-layer profile (feature-map size and channels, parameters, FLOPs,
receptive field) and a widget that shows the profile of the network picked in a dropdown.
"""

from __future__ import annotations

import math

import numpy as np

from helpers.figures.base import FigureWidget
from helpers.summary import ARCHITECTURES, LayerRow, summary

__all__ = [
    "plot_blocks",
    "plot_profile",
    "plot_loss_curves",
    "plot_gradient_norms",
    "plot_channel_weights",
    "plot_attention_map",
    "profile_data",
    "ArchitectureBrowser",
]


def plot_blocks(rows: list[LayerRow], title: str = "", ax=None):
    """A block diagram: one box per row, height ∝ √(H·W) of its output, width ∝ log2(channels).

    The box is labelled with the row's name and output shape; a 1-D output (after flattening) is a
    thin bar. Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if ax is None:
        _, ax = plt.subplots(figsize=(min(2 + 1.1 * len(rows), 14), 3.2), layout="constrained")
    x = 0.0
    top = max((math.sqrt(math.prod(r.shape[1:])) for r in rows if len(r.shape) == 3), default=1.0)
    for r in rows:
        c = r.shape[0] if r.shape else 1
        w = 0.4 + 0.25 * math.log2(max(c, 1))
        h = math.sqrt(math.prod(r.shape[1:])) / top if len(r.shape) == 3 else 0.04
        color = "tab:blue" if len(r.shape) == 3 else "tab:orange"
        ax.add_patch(Rectangle((x, -h / 2), w, h, facecolor=color, alpha=0.35, edgecolor=color))
        ax.text(x + w / 2, -0.56, r.name, ha="center", va="top", fontsize=7, rotation=30)
        ax.text(x + w / 2, max(h / 2, 0.05) + 0.02, "×".join(map(str, r.shape)), ha="center", va="bottom",
                fontsize=7)
        x += w + 0.3
    ax.set_xlim(-0.2, x)
    ax.set_ylim(-0.8, 0.7)
    ax.set_axis_off()
    ax.set_title(title or "Block diagram: box height ∝ feature-map size, width ∝ log(channels)")
    return ax


def profile_data(rows: list[LayerRow]) -> dict[str, np.ndarray]:
    """The arrays the profile plots: side (√(H·W), NaN for 1-D outputs), channels, parameters, FLOPs, field."""
    side = np.array([math.sqrt(math.prod(r.shape[1:])) if len(r.shape) == 3 else np.nan for r in rows])
    field = np.array([r.field.size if r.field is not None and len(r.shape) == 3 and math.prod(r.shape[1:]) > 1
                      else np.nan for r in rows], dtype=float)
    return {
        "side": side,
        "channels": np.array([r.shape[0] if r.shape else np.nan for r in rows], dtype=float),
        "parameters": np.array([r.parameters for r in rows], dtype=float),
        "flops": np.array([r.flops for r in rows], dtype=float),
        "field": field,
    }


def _draw_profile(axes, rows, input_side: int, name: str):
    d = profile_data(rows)
    idx = np.arange(len(rows))
    ax_shape, ax_params, ax_flops, ax_field = axes
    ax_shape.plot(idx, d["side"], "o-", color="tab:blue", ms=3, label="map side √(H·W)")
    ax_shape.plot(idx, d["channels"], "s-", color="tab:green", ms=3, label="channels")
    ax_shape.set_yscale("log")
    ax_shape.legend(fontsize=7, loc="upper center")
    ax_shape.set_title("Output: side and channels")
    ax_params.bar(idx, np.maximum(d["parameters"], 0.5), color="tab:purple")
    ax_params.set_yscale("log")
    ax_params.set_ylim(bottom=1)
    ax_params.set_title(f"Parameters per layer (total {d['parameters'].sum() / 1e6:.2f} M)")
    ax_flops.bar(idx, np.maximum(d["flops"], 0.5), color="tab:red")
    ax_flops.set_yscale("log")
    ax_flops.set_ylim(bottom=1)
    ax_flops.set_title(f"FLOPs per layer (total {d['flops'].sum() / 1e9:.2f} G)")
    ax_field.plot(idx, d["field"], "o-", color="tab:orange", ms=3, label="receptive field r")
    ax_field.axhline(input_side, color="gray", ls="--", lw=1, label=f"input {input_side}")
    ax_field.legend(fontsize=7, loc="upper left")
    ax_field.set_title("Receptive field along the depth")
    step = max(1, len(rows) // 12)
    for ax in axes:
        ax.set_xticks(idx[::step])
        ax.set_xticklabels([rows[i].name for i in idx[::step]], rotation=60, fontsize=6, ha="right")
        ax.set_xlim(-0.7, len(rows) - 0.3)
    ax_shape.figure.suptitle(name, fontsize=11)


def plot_profile(rows: list[LayerRow], input_side: int = 224, name: str = "", fig=None):
    """Four panels along the depth: output side and channels, parameters, FLOPs, receptive field."""
    import matplotlib.pyplot as plt

    if fig is None:
        fig = plt.figure(figsize=(10, 5.6), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    _draw_profile(axes, rows, input_side, name)
    return fig


def plot_loss_curves(result, smooth: int = 10, ax=None):
    """Training loss of the plain (dashed) and residual (solid) nets of each depth, smoothed over ``smooth`` steps."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(result.depths)))
    kernel = np.ones(smooth) / smooth
    for color, d in zip(colors, result.depths):
        for kind, style in (("plain", "--"), ("residual", "-")):
            y = np.convolve(result.losses[(kind, d)], kernel, mode="valid")
            ax.plot(np.arange(len(y)) + smooth, y, style, color=color, label=f"{kind}-{d}")
    ax.set_xlabel("SGD step")
    ax.set_ylabel(f"training loss (mean of {smooth} steps)")
    ax.set_title("Same budget: plain (dashed) vs residual (solid)")
    ax.legend(fontsize=8, ncol=2)
    return ax


def plot_gradient_norms(norms: dict[str, np.ndarray], ax=None):
    """Gradient norm of each convolution's weights, input side on the left, one line per network."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    for label, g in norms.items():
        ax.plot(np.arange(1, len(g) + 1), g, "o-", ms=3, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("convolution (1 = next to the input)")
    ax.set_ylabel("‖∂L/∂W‖ at initialisation")
    ax.legend(fontsize=8)
    return ax


def plot_channel_weights(weights: dict[str, np.ndarray], ax=None):
    """SE channel weights (mean over digits of a class), one bar group per class."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.0), layout="constrained")
    n = len(weights)
    for k, (label, w) in enumerate(weights.items()):
        c = np.arange(len(w))
        ax.bar(c + (k - (n - 1) / 2) * 0.8 / n, w, width=0.8 / n, label=label)
    ax.set_xlabel("channel")
    ax.set_ylabel("excitation weight s_c")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    return ax


def plot_attention_map(image: np.ndarray, attention: np.ndarray, query: tuple[int, int], ax=None):
    """Where one position looks: a row of the non-local block's attention, upsampled over the digit.

    Args:
        image: the ``(H, W)`` digit.
        attention: ``(h * w,)`` weights of one query position over the ``h x w`` map.
        query: ``(row, col)`` of the query on the ``h x w`` map (marked with a cross).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2), layout="constrained")
    h = w = int(round(math.sqrt(attention.size)))
    H, W = image.shape
    ax.imshow(image, cmap="gray")
    ax.imshow(attention.reshape(h, w), cmap="magma", alpha=0.55, extent=(-0.5, W - 0.5, H - 0.5, -0.5))
    sy, sx = H / h, W / w
    ax.plot((query[1] + 0.5) * sx - 0.5, (query[0] + 0.5) * sy - 0.5, "c+", ms=14, mew=2)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


class ArchitectureBrowser(FigureWidget):
    """Pick a network (and an input size): its per-layer profile is drawn from the module.

    Four panels along the depth: output side and channels, parameters, FLOPs and receptive field,
    with a one-line summary above. The networks are built on the meta device: no memory, no
    arithmetic. An input too small for a network shows a message instead of the plots.
    """

    def __init__(self, name: str = "resnet18", input_side: int = 224):
        import ipywidgets as W

        if name not in ARCHITECTURES:
            raise ValueError(f"name={name!r} is not allowed: expected one of {', '.join(map(repr, ARCHITECTURES))}")
        self.network = W.Dropdown(options=list(ARCHITECTURES), value=name, description="network")
        self.size = W.IntSlider(value=input_side, min=32, max=320, step=32, description="input size",
                                continuous_update=False)
        self.about = W.HTML()
        self.network.add_class("arch-browser-network")
        self.size.add_class("arch-browser-size")
        self.about.add_class("arch-browser-about")
        self.fig, axes = self.subplots(2, 2, figsize=(10, 5.8), layout="constrained")
        fig, self.axes = self.fig, axes.ravel()
        self._message_area(fontsize=12)
        self.rows: list[LayerRow] = []
        self._watch(self.network, self.size)
        self._finish(fig, [], W.VBox([W.HBox([self.network, self.size]), self.about]), css_class="arch-browser")
        fig.set_layout_engine("constrained")  # every network has other labels: lay the panels out on each draw
        self.update()

    def update(self) -> list[LayerRow]:
        """Summarise the picked network at the picked input size and redraw; returns the rows."""
        name, side = self.network.value, int(self.size.value)
        a = ARCHITECTURES[name]
        for ax in self.axes:
            ax.clear()
        try:
            self.rows = summary(name, (3, side, side), depth=a.layer_depth)
            self._message.set_text("")
        except ValueError:
            self.rows = []
            self._message.set_text(f"{name} cannot run on a {side}×{side} input: a feature map shrinks below its kernel")
        for ax in self.axes:
            ax.set_visible(not self.message)
        if self.rows:
            _draw_profile(self.axes, self.rows, side, f"{name} ({a.year}) at {side}×{side}: {a.idea}")
            params = sum(r.parameters for r in self.rows)
            flops = sum(r.flops for r in self.rows)
            last = [r for r in self.rows if r.field is not None and math.prod(r.shape[1:]) > 1][-1]
            self.about.value = (f"<b>{name}</b>: {len(self.rows)} rows, {params:,} parameters, "
                                f"{flops / 2e9:.2f} G multiply-adds, last feature map "
                                f"{'×'.join(map(str, last.shape))} with field {last.field.size}")
        else:
            self.fig.suptitle("")
            self.about.value = f"<b>{name}</b>: {self.message}"
        self.redraw(full=True)
        return self.rows
