"""Figures and widgets of notebook 07 (新进展: 3x3 stacks, 1x1, separable, dilated and large kernels).

Each widget is a plain function that computes what is shown, tested without a browser, and a
thin :class:`helpers.figures.base.FigureWidget` that wires ipywidgets controls to a persistent figure,
redrawn in place:

``dilated_stack_view``  /  ``DilatedStackExplorer``
    per-layer kernel sizes and dilations → the exact footprint (path counts), the field size,
    the weights and the holes (空洞卷积, the gridding artefact)
``erf_view``  /  ``ErfExplorer``
    depth, kernel size, dilation → the measured effective receptive field (有效感受野) under the
    theoretical field's box, with its effective radius

Static figures: :func:`plot_footprints`, :func:`plot_erf`, :func:`plot_radius_growth`.
Invalid input never raises in a widget: the figure shows a short message.
"""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass

import numpy as np

from helpers.erf import (
    StackSummary,
    dilated_footprint,
    effective_radius,
    erf_map,
    gaussian_fit,
    random_stack,
    stack_summary,
)
from helpers.figures.base import FigureWidget

__all__ = [
    "PRESETS",
    "MAX_FIELD",
    "plot_footprints",
    "plot_erf",
    "plot_radius_growth",
    "DilatedView",
    "dilated_stack_view",
    "DilatedStackExplorer",
    "ERF_KERNELS",
    "MAX_ERF_FIELD",
    "ErfView",
    "erf_view",
    "ErfExplorer",
]

#: Stacks offered by the dilated-stack explorer: name -> (kernel sizes, dilations).
PRESETS = {
    "three 3x3 (VGG)": ((3, 3, 3), (1, 1, 1)),
    "dilations 1, 2, 4 (Yu & Koltun)": ((3, 3, 3), (1, 2, 4)),
    "dilations 1, 2, 4, 8, 16": ((3, 3, 3, 3, 3), (1, 2, 4, 8, 16)),
    "dilations 2, 2, 2 (gridding)": ((3, 3, 3), (2, 2, 2)),
    "dilations 1, 2, 5 (hybrid, Wang et al.)": ((3, 3, 3), (1, 2, 5)),
    "one 7x7": ((7,), (1,)),
}
#: The largest field the dilated-stack explorer draws (pixels along one axis).
MAX_FIELD = 65
HOLE = np.array([0.86, 0.08, 0.24])      # crimson: inside the field, never seen
OUTSIDE = np.array([0.93, 0.93, 0.93])   # light grey: outside the field


def _footprint_rgb(counts: np.ndarray, size: int | None = None) -> np.ndarray:
    """Path counts as colours (viridis, brighter = more paths), holes crimson, centred on a grey canvas."""
    import matplotlib

    f = counts.shape[0]
    size = f if size is None else size
    rgb = np.tile(OUTSIDE, (size, size, 1))
    inner = matplotlib.colormaps["viridis"](0.15 + 0.85 * counts / max(counts.max(), 1))[..., :3]
    inner[counts == 0] = HOLE
    o = (size - f) // 2
    rgb[o:o + f, o:o + f] = inner
    return rgb


# =========================================================================== static figures
def plot_footprints(stacks: dict, axes=None, channels_label: str = "C"):
    """The exact footprint (path counts) of each stride-1 stack, holes in crimson.

    Args:
        stacks: ``{title: (kernel_sizes, dilations)}``.
        axes: one axes per stack (a new row of axes when None).

    Returns the axes.
    """
    import matplotlib.pyplot as plt

    if not stacks:
        raise ValueError("stacks is empty: expected {title: (kernel_sizes, dilations)}")
    summaries = {t: stack_summary(ks, ds, channels=1) for t, (ks, ds) in stacks.items()}
    size = max(s.field for s in summaries.values())
    if axes is None:
        _, axes = plt.subplots(1, len(stacks), figsize=(2.6 * len(stacks), 3.0), layout="constrained")
    axes = np.atleast_1d(axes)
    for ax, (title, (ks, ds)) in zip(axes, stacks.items()):
        s = summaries[title]
        ax.imshow(_footprint_rgb(dilated_footprint(ks, ds), size))
        holes = f", {s.holes} holes" if s.holes else ", no holes"
        ax.set_title(f"{title}\nfield {s.field}x{s.field}, {s.weights}{channels_label}²{holes}", fontsize=9)
        ax.set(xticks=[], yticks=[])
    return axes


def _box(ax, size: int, field: int, **kw):
    from matplotlib.patches import Rectangle

    o = (size - field) / 2 - 0.5
    return ax.add_patch(Rectangle((o, o), field, field, fill=False, **{"ec": "tab:orange", "lw": 2, **kw}))


def plot_erf(erf: np.ndarray, field: int, title: str = "", ax=None):
    """The ERF (normalised to its peak) with the theoretical field's box (orange) and a 2σ circle (white).

    The field is centred in the map. Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3), layout="constrained")
    erf = np.asarray(erf, dtype=np.float64)
    n = erf.shape[0]
    ax.imshow(erf / erf.max(), cmap="magma", vmin=0, vmax=1)
    _box(ax, n, field)
    s = effective_radius(erf)
    ax.add_patch(Circle(((n - 1) / 2, (n - 1) / 2), 2 * s, fill=False, ec="white", lw=1.2, ls="--"))
    ax.set_title(f"{title}\nfield {field}, σ = {s:.2f}" if title else f"field {field}, σ = {s:.2f}", fontsize=9)
    ax.set(xticks=[], yticks=[])
    return ax


def plot_radius_growth(depths, radii: dict, fields=None, ax=None):
    """Effective radius σ against depth on log-log axes, one line per family of networks.

    Args:
        radii: ``{label: [σ per depth]}``.
        fields: the theoretical field per depth, drawn as half-width ``(r − 1) / 2`` for scale.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.4), layout="constrained")
    depths = np.asarray(depths, dtype=np.float64)
    for label, r in radii.items():
        ax.loglog(depths, r, "o-", label=label)
    if fields is not None:
        ax.loglog(depths, (np.asarray(fields) - 1) / 2, "k:", label="theoretical half-width (r − 1)/2")
    ax.loglog(depths, radii[next(iter(radii))][0] * np.sqrt(depths), color="0.6", lw=0.8, ls="--", label="∝ √depth")
    ax.set_xlabel("depth (layers)")
    ax.set_ylabel("effective radius σ (pixels)")
    ax.legend(fontsize=8)
    ax.set_title("How the ERF grows")
    return ax


# =========================================================================== dilated-stack widget
@dataclass
class DilatedView:
    """What the dilated-stack explorer shows (``message`` set and ``counts`` None when invalid)."""

    summary: StackSummary | None = None
    counts: np.ndarray | None = None
    channels: int = 64
    message: str = ""


def _parse_ints(name: str, text) -> list[int]:
    """``"3, 3 3"`` -> ``[3, 3, 3]``; lists pass through. Raises ValueError with a short message."""
    if isinstance(text, str):
        parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
        if not parts:
            raise ValueError(f"{name}: type at least one number")
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"{name}: {text!r} is not a list of whole numbers") from None
    return list(text)


def dilated_stack_view(kernel_sizes, dilations, channels: int = 64) -> DilatedView:
    """Footprint, field, weights and holes of a stride-1 stack; never raises (a message instead).

    Args:
        kernel_sizes, dilations: one entry per layer, as lists or as text (``"3, 3, 3"``).
        channels: ``C``; the stack maps ``C → C`` channels at every layer (weights only, no biases).
    """
    view = DilatedView(channels=channels)
    try:
        ks, ds = _parse_ints("kernel sizes", kernel_sizes), _parse_ints("dilations", dilations)
        if len(ks) != len(ds):
            raise ValueError(f"{len(ks)} kernel sizes but {len(ds)} dilations: give one of each per layer")
        if any(k < 1 for k in ks) or any(d < 1 for d in ds):
            raise ValueError("kernel sizes and dilations must be at least 1")
        if len(ks) > 8:
            raise ValueError(f"{len(ks)} layers: at most 8 here")
        field = 1 + sum(d * (k - 1) for k, d in zip(ks, ds))
        if field > MAX_FIELD:
            raise ValueError(f"the field would be {field}x{field} pixels; this figure draws at most "
                             f"{MAX_FIELD}x{MAX_FIELD}. Use smaller dilations or fewer layers.")
        view.summary = stack_summary(ks, ds, channels=channels)
    except ValueError as e:
        view.message = textwrap.fill(str(e), 44)
        return view
    view.counts = dilated_footprint(ks, ds)
    return view


class DilatedStackExplorer(FigureWidget):
    """Type a stack's kernel sizes and dilations; see which input pixels one unit sees (空洞卷积).

    The map shows the exact footprint of one output unit: brighter where more paths arrive,
    crimson where a pixel inside the field is never seen (a hole: the gridding artefact),
    grey outside the field. The title gives the field size, the weights for ``C → C`` channels
    and the number of holes. Press Enter (or leave the box) to apply a change.
    """

    def __init__(self, preset: str = "dilations 2, 2, 2 (gridding)", channels: int = 64):
        import ipywidgets as W

        if preset not in PRESETS:
            raise ValueError(f"preset={preset!r} is not allowed: expected one of {', '.join(map(repr, PRESETS))}")
        ks, ds = PRESETS[preset]
        style = {"description_width": "initial"}
        self.preset = W.Dropdown(options=list(PRESETS), value=preset, description="preset", style=style,
                                 layout=W.Layout(width="360px"))
        self.kernels = W.Text(value=", ".join(map(str, ks)), description="kernel sizes", style=style,
                              continuous_update=False, layout=W.Layout(width="260px"))
        self.dilations = W.Text(value=", ".join(map(str, ds)), description="dilations", style=style,
                                continuous_update=False, layout=W.Layout(width="260px"))
        self.channels = W.IntSlider(value=channels, min=1, max=512, description="channels C", style=style)
        self.view: DilatedView | None = None
        self._watch(self.preset, handler=self._on_preset)
        self._watch(self.kernels, self.dilations, self.channels)

        fig, ax = self.subplots(figsize=(4.6, 4.9), layout="constrained")
        self.fig, self.ax = fig, ax
        self.image = ax.imshow(np.tile(OUTSIDE, (MAX_FIELD, MAX_FIELD, 1)), interpolation="nearest")
        ax.set(xticks=[], yticks=[])
        ax.set_title(" \n ", fontsize=10)
        ax.set_xlabel("bright: many paths · crimson: hole · grey: outside")
        message = self._message_area(ax, fontsize=10, bbox={"fc": "white", "ec": "crimson"})
        controls = W.VBox([self.preset, W.HBox([self.kernels, self.dilations]), self.channels])
        self._finish(fig, [self.image, message, ax.title], controls)
        self.update()

    def _on_preset(self, change) -> None:
        ks, ds = PRESETS[self.preset.value]
        with self._quiet():
            self.kernels.value = ", ".join(map(str, ks))
            self.dilations.value = ", ".join(map(str, ds))
        self.update()

    def update(self) -> DilatedView:
        """Recompute from the controls and redraw in place."""
        v = dilated_stack_view(self.kernels.value, self.dilations.value, self.channels.value)
        self.view = v
        if v.message:
            self._show(np.tile(OUTSIDE, (15, 15, 1)))
            self._message.set_text(v.message)
            self._message.set_visible(True)
            self.ax.set_title("no footprint\n ", fontsize=10)
        else:
            s = v.summary
            self._show(_footprint_rgb(v.counts, max(s.field + 2, 15)))  # the field, with a grey border
            self._message.set_text("")
            self._message.set_visible(False)
            holes = f"{s.holes} holes ✗" if s.holes else "no holes ✓"
            k2 = " + ".join(f"{k}²" for k in s.kernel_sizes)
            self.ax.set_title(f"field {s.field}x{s.field}: sees {s.seen} of {s.field ** 2} pixels, {holes}\n"
                               f"weights ({k2})·C² = {s.weights:,} for C = {v.channels}", fontsize=10)
        self.redraw()
        return v

    def _show(self, rgb: np.ndarray) -> None:
        n = rgb.shape[0]
        self.image.set_data(rgb)
        self.image.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        self.ax.set_xlim(-0.5, n - 0.5)
        self.ax.set_ylim(n - 0.5, -0.5)


# =========================================================================== ERF widget
#: Kernel sizes offered by the ERF explorer.
ERF_KERNELS = (3, 5, 7, 9, 15, 31)
#: The largest theoretical field the ERF explorer measures (it measures live).
MAX_ERF_FIELD = 63
ERF_CHANNELS, ERF_SAMPLES, ERF_MARGIN = 4, 8, 4


@dataclass
class ErfView:
    """What the ERF explorer shows (``message`` set and ``erf`` None when invalid).

    ``erf`` is measured on an input of ``field + 2 · margin`` pixels, so the field sits in its
    middle with ``margin`` pixels around it.
    """

    depth: int = 0
    kernel_size: int = 0
    dilation: int = 0
    field: int = 0
    erf: np.ndarray | None = None
    sigma: float = float("nan")
    gaussian_r2: float = float("nan")
    message: str = ""

    @property
    def size(self) -> int:
        return 0 if self.erf is None else self.erf.shape[0]


@functools.lru_cache(maxsize=256)
def _measured(depth: int, kernel_size: int, dilation: int) -> tuple[np.ndarray, float, float]:
    field = 1 + depth * dilation * (kernel_size - 1)
    net = random_stack(depth, kernel_size, dilation, channels=ERF_CHANNELS, seed=0)
    erf = erf_map(net, field + 2 * ERF_MARGIN, n_samples=ERF_SAMPLES, seed=0)
    erf.flags.writeable = False
    return erf, effective_radius(erf), gaussian_fit(erf).r2


def erf_view(depth: int, kernel_size: int, dilation: int = 1) -> ErfView:
    """Measure the ERF of ``depth`` random conv+ReLU layers (He init, 4 channels, 8 random inputs).

    Results are cached per ``(depth, kernel_size, dilation)``. Never raises: a message instead.
    """
    view = ErfView(depth, kernel_size, dilation)
    ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
             for v in (depth, kernel_size, dilation))
    if not ok:
        view.message = "depth, kernel size and dilation must be whole numbers >= 1"
        return view
    view.field = 1 + depth * dilation * (kernel_size - 1)
    if view.field > MAX_ERF_FIELD:
        view.message = textwrap.fill(f"The field would be {view.field}x{view.field} pixels. This widget measures "
                                     f"live up to {MAX_ERF_FIELD}x{MAX_ERF_FIELD}: use fewer layers, a smaller "
                                     f"kernel or a smaller dilation.", 44)
        return view
    view.erf, view.sigma, view.gaussian_r2 = _measured(int(depth), int(kernel_size), int(dilation))
    return view


class ErfExplorer(FigureWidget):
    """Depth, kernel size and dilation → the measured ERF under the theoretical field (有效感受野).

    Left: the ERF of the centre unit (mean |∂y/∂x| over random inputs, normalised to its peak),
    the theoretical field as an orange box and a dashed circle of radius 2σ. Right: the centre
    row of the ERF, its offsets divided by the field's half-width, so the field always spans −1 to 1.
    """

    def __init__(self, depth: int = 4, kernel_size: int = 3, dilation: int = 1):
        import ipywidgets as W
        from matplotlib.patches import Circle, Rectangle

        style = {"description_width": "initial"}
        self.depth = W.IntSlider(value=depth, min=1, max=10, description="depth (layers)", style=style)
        self.kernel = W.Dropdown(options=ERF_KERNELS, value=kernel_size, description="kernel size", style=style,
                                 layout=W.Layout(width="160px"))
        self.dilation = W.IntSlider(value=dilation, min=1, max=3, description="dilation", style=style)
        self._watch(self.depth, self.kernel, self.dilation)
        self.view: ErfView | None = None

        fig, (ax_map, ax_row) = self.subplots(1, 2, figsize=(8.4, 3.8), layout="constrained",
                                              gridspec_kw={"width_ratios": [1, 1.25]})
        self.fig, self.ax_map, self.ax_row = fig, ax_map, ax_row
        self.image = ax_map.imshow(np.zeros((3, 3)), cmap="magma", vmin=0, vmax=1, interpolation="nearest")
        self.field_box = ax_map.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec="tab:orange", lw=2))
        self.sigma_circle = ax_map.add_patch(Circle((0, 0), 1, fill=False, ec="white", lw=1.2, ls="--"))
        ax_map.set(xticks=[], yticks=[])
        ax_map.set_title(" ")
        ax_map.set_xlabel("orange: theoretical field · dashed: radius 2σ")
        (self.row_line,) = ax_row.plot([], [], "o-", ms=3, color="tab:purple", label="ERF, centre row")
        (self.edges,) = ax_row.plot([], [], color="tab:orange", lw=2, label="theoretical field")
        ax_row.set_ylim(-0.05, 1.35)  # room for the legend above the curve
        ax_row.set_xlim(-1.5, 1.5)
        self.edges.set_data([-1, -1, 1, 1], [0, 1.05, 1.05, 0])
        ax_row.set_xlabel("offset from the centre / half-width of the field")
        ax_row.set_ylabel("ERF / peak")
        ax_row.legend(loc="upper right", fontsize=8)
        ax_row.set_title(" \n ", fontsize=9)
        message = self._message_area(ax_row, fontsize=9, bbox={"fc": "white", "ec": "crimson"})
        animated = [self.image, self.field_box, self.sigma_circle, self.row_line, self.edges, message,
                    ax_map.title, ax_row.title]
        self._finish(fig, animated, W.HBox([self.depth, self.kernel, self.dilation]))
        self.update()

    def update(self) -> ErfView:
        """Measure (or fetch from the cache) and redraw in place."""
        v = erf_view(self.depth.value, self.kernel.value, self.dilation.value)
        self.view = v
        drawn = (self.image, self.field_box, self.sigma_circle, self.row_line, self.edges)
        if v.message:
            for a in drawn:
                a.set_visible(False)
            self._message.set_text(v.message)
            self.ax_map.set_title("no measurement")
            self.ax_row.set_title(" \n ")
            self.redraw()
            return v
        for a in drawn:
            a.set_visible(True)
        self._message.set_text("")
        n, f = v.size, v.field
        self.image.set_data(v.erf / v.erf.max())
        self.image.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        self.ax_map.set_xlim(-0.5, n - 0.5)
        self.ax_map.set_ylim(n - 0.5, -0.5)
        o = (n - f) / 2 - 0.5
        self.field_box.set_bounds(o, o, f, f)
        self.sigma_circle.set_center(((n - 1) / 2, (n - 1) / 2))
        self.sigma_circle.set_radius(2 * v.sigma)
        h = (f - 1) / 2
        row = v.erf[n // 2]
        self.row_line.set_data((np.arange(n) - (n - 1) / 2) / h, row / row.max())
        self.ax_map.set_title(f"{v.depth} layer(s) of {v.kernel_size}x{v.kernel_size}, dilation {v.dilation}")
        self.ax_row.set_title(f"field {f}x{f} · effective radius σ = {v.sigma:.2f} px\n"
                               f"2σ / half-width = {2 * v.sigma / h:.2f} · Gaussian fit R² = "
                               f"{v.gaussian_r2:.2f}", fontsize=9)
        self.redraw()
        return v
