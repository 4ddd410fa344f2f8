"""Figures and widgets of notebook 01 (history and motivation).

Each widget is a plain function that computes what is shown, tested without a
browser, and a thin class that wires ipywidgets controls to a persistent
figure, redrawn in place with :class:`helpers.figures.base.Blitter`; the frames
sent are kept, and those one key press away drawn ahead
(:class:`helpers.figures.frames.StateWidget`):

``receptive_field_view``  /  ``ReceptiveFieldExplorer``
    the input pixels one output unit of a conv stack sees (感受野), computed by the
    closed-form recursion and by autograd
``shift_view``  /  ``ShiftEquivarianceExplorer``
    ``conv(shift(x))`` against ``shift(conv(x))`` and their difference (等变表示)
``plot_connectivity``
    which inputs touch which outputs: dense layer against 1-D convolution (稀疏交互)

Invalid combinations never raise in a widget: the figure shows a short message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from helpers.equivariance import EquivarianceResult, shift_equivariance
from helpers.figures.frames import StateWidget, steps
from helpers.filters import PRESETS, kernel_preset
from helpers.receptive import (
    FieldStats,
    conv_stack,
    field_stats,
    footprint,
    gradient_field,
    input_window,
    output_sizes,
    uniform_stack,
)

__all__ = [
    "KERNEL_SIZES",
    "ReceptiveFieldView",
    "receptive_field_view",
    "ReceptiveFieldExplorer",
    "ShiftView",
    "shift_view",
    "ShiftEquivarianceExplorer",
    "plot_connectivity",
    "Event",
    "EVENTS",
    "plot_timeline",
    "CORTEX_LEVELS",
    "plot_cortex_hierarchy",
]

#: Kernel sizes offered by the receptive-field explorer.
KERNEL_SIZES = (1, 2, 3, 5, 7)
PADDINGS = ("valid", "same")


def _hide_ticks(*axes) -> None:
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])


# =========================================================================== receptive field
@dataclass
class ReceptiveFieldView:
    """What the receptive-field explorer shows (``message`` set and arrays ``None`` when invalid).

    ``closed_form`` counts the paths from each input pixel to the unit (index
    arithmetic, :func:`helpers.receptive.footprint`); ``gradient`` is
    ``d out[unit] / d input`` with all weights 1 (torch autograd). ``window`` is
    the recursion's ``((row0, row1), (col0, col1))``, inclusive and unclipped.
    """

    n: int
    sizes: list[int] = field(default_factory=list)
    stats: list[FieldStats] = field(default_factory=list)
    unit: tuple[int, int] = (0, 0)
    window: tuple[tuple[int, int], tuple[int, int]] | None = None
    closed_form: np.ndarray | None = None
    gradient: np.ndarray | None = None
    max_difference: float = float("nan")
    pixels_seen: int = 0
    window_filled: bool = False
    message: str = ""

    @property
    def agree(self) -> bool:
        """The two computations agree exactly."""
        return self.gradient is not None and self.max_difference == 0.0


def receptive_field_view(n: int, n_layers: int, kernel_size: int, stride: int = 1, dilation: int = 1,
                         padding: str = "valid", unit: tuple[int, int] | None = None,
                         device=None) -> ReceptiveFieldView:
    """The receptive field of one output unit of ``n_layers`` identical conv layers on an ``n x n`` input.

    Args:
        padding: ``"valid"`` (no padding) or ``"same"`` (``d (k - 1) // 2`` per layer).
        unit: ``(row, col)`` of the output unit; clamped into the output; ``None``: the centre.

    Never raises for a combination that does not fit: returns a view with a message.
    """
    view = ReceptiveFieldView(n=n)
    if padding not in PADDINGS:
        view.message = f"padding must be one of {PADDINGS}, got {padding!r}"
        return view
    try:
        layers = uniform_stack(n_layers, kernel_size, stride, padding, dilation)
        view.sizes = output_sizes(n, layers)
    except ValueError as e:
        view.message = _does_not_fit(n, layers) if "does not fit" in str(e) else _wrap(str(e))
        return view
    m = view.sizes[-1]
    if unit is None:
        unit = (m // 2, m // 2)
    row, col = (min(max(int(u), 0), m - 1) for u in unit)
    view.unit = (row, col)
    view.stats = field_stats(layers)
    view.window = (input_window(layers, row), input_window(layers, col))
    view.closed_form = footprint(n, layers, view.unit)
    view.gradient = gradient_field(n, layers, view.unit, device=device)
    view.max_difference = float(np.max(np.abs(view.closed_form - view.gradient)))
    view.pixels_seen = int(np.count_nonzero(view.closed_form))
    (r0, r1), (c0, c1) = view.window
    inside = view.closed_form[max(r0, 0):min(r1, n - 1) + 1, max(c0, 0):min(c1, n - 1) + 1]
    view.window_filled = bool(inside.size and np.all(inside > 0))
    return view


def _does_not_fit(n: int, layers) -> str:
    """Which layer of the stack is too large for its input, in words."""
    size = n
    for i, s in enumerate(layers, start=1):
        padded = size + 2 * s.padding
        if s.effective_kernel_size > padded:
            return (f"This stack does not fit the input.\nLayer {i}'s kernel spans {s.effective_kernel_size} pixels\n"
                    f"(k={s.kernel_size}, dilation={s.dilation}), but its input\nis only {padded} wide. "
                    f"Use fewer layers, or a\nsmaller kernel, stride or dilation.")
        size = (padded - s.effective_kernel_size) // s.stride + 1
    return "This stack does not fit the input."


def _wrap(text: str, width: int = 46) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _field_rgb(background: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The digit in grey with the field in orange; stronger orange where more paths arrive."""
    grey = 0.25 + 0.5 * background
    rgb = np.repeat(grey[..., None], 3, axis=2)
    peak = counts.max()
    if peak > 0:
        a = np.where(counts > 0, 0.35 + 0.65 * counts / peak, 0.0)[..., None]
        rgb = (1 - a) * rgb + a * np.array([1.0, 0.5, 0.0])
    return rgb


class ReceptiveFieldExplorer(StateWidget):
    """Choose a conv stack and an output unit; see the input pixels it sees (感受野).

    Left: the ``n x n`` input (a digit), with the unit's field in orange (darker
    where more paths arrive) and the recursion's window as a blue frame. Right:
    the output map (the all-ones stack applied to the digit); click a unit to
    select it, or use the row/column sliders. Below: the recursion, layer by layer,
    and the check that the closed form equals torch's gradient.
    """

    def __init__(self, image: np.ndarray | None = None, n_layers: int = 2, kernel_size: int = 3,
                 stride: int = 1, dilation: int = 1, padding: str = "valid"):
        import ipywidgets as W
        from matplotlib.patches import Rectangle

        if image is None:
            from helpers.data import sample_digit

            image = np.pad(sample_digit(0), 2)  # 32x32, as LeNet-5's input
        self.image = np.asarray(image, dtype=np.float64)
        if self.image.ndim != 2 or self.image.shape[0] != self.image.shape[1]:
            raise ValueError(f"image has shape {self.image.shape}; expected a square (n, n) image")
        self.n = n = self.image.shape[0]
        self.view: ReceptiveFieldView | None = None

        style = {"description_width": "initial"}
        self.layers = W.IntSlider(value=n_layers, min=1, max=6, description="layers", style=style)
        self.kernel = W.Dropdown(options=KERNEL_SIZES, value=kernel_size, description="kernel size", style=style,
                                 layout=W.Layout(width="160px"))
        self.stride = W.IntSlider(value=stride, min=1, max=3, description="stride", style=style)
        self.dilation = W.IntSlider(value=dilation, min=1, max=3, description="dilation", style=style)
        self.padding = W.Dropdown(options=PADDINGS, value=padding, description="padding", style=style,
                                  layout=W.Layout(width="160px"))
        self.row = W.IntSlider(value=0, min=0, max=n - 1, description="output row", style=style)
        self.col = W.IntSlider(value=0, min=0, max=n - 1, description="output col", style=style)
        self._watch(self.layers, self.kernel, self.stride, self.dilation, self.padding, handler=self._on_stack)
        self._watch(self.row, self.col)

        self.table = W.HTML()  # the recursion, layer by layer (cheaper here than as figure text)
        fig, (ax_in, ax_out) = self.subplots(1, 2, figsize=(8.4, 4.3), layout="constrained")
        self.fig = fig
        self._ax_in, self._ax_out = ax_in, ax_out
        self._in = ax_in.imshow(_field_rgb(self.image, np.zeros_like(self.image)))
        self._window = Rectangle((0, 0), 1, 1, fill=False, ec="tab:blue", lw=2)
        ax_in.add_patch(self._window)
        ax_in.set_xlim(-0.5, n - 0.5)
        ax_in.set_ylim(n - 0.5, -0.5)
        ax_in.set_title(" ")
        self._out = ax_out.imshow(np.zeros((n, n)), cmap="viridis", vmin=0, vmax=1)
        self._sel = Rectangle((0, 0), 1, 1, fill=False, ec="tab:orange", lw=2.5)
        ax_out.add_patch(self._sel)
        ax_out.set_title(" ")
        self._message_area(ax_out, fontsize=10)
        _hide_ticks(ax_in, ax_out)
        ax_in.set_xlabel("input (blue frame: the recursion's window)")
        ax_out.set_xlabel("output of the stack (click a unit)")
        controls = W.HBox([W.VBox([self.layers, self.kernel, self.padding]),
                           W.VBox([self.stride, self.dilation]), W.VBox([self.row, self.col])])
        self._finish(fig, [self._in, self._window, self._out, self._sel, self._message, ax_in.title, ax_out.title],
                     controls, below=[self.table])
        self._cache: dict[tuple, np.ndarray] = {}
        fig.canvas.mpl_connect("button_press_event", self._on_click)
        self._on_stack(None)

    # ---- events
    def _on_stack(self, change) -> None:
        top = max(self._output_size(self._stack()) - 1, 0)
        with self._quiet():
            for s in (self.row, self.col):
                if change is None:
                    s.value = top // 2  # start at the centre
                s.max = top  # a unit beyond the new output moves to its edge (the slider clamps it)
        self.update()

    def _on_click(self, event) -> None:
        if event.inaxes is not self._ax_out or event.xdata is None or self.view is None or not self.view.sizes:
            return
        self.select(int(round(event.ydata)), int(round(event.xdata)))

    def _stack(self) -> tuple:
        """(layers, kernel size, stride, padding, dilation): the stack the controls choose."""
        return self.layers.value, self.kernel.value, self.stride.value, self.padding.value, self.dilation.value

    def _output_size(self, stack: tuple) -> int:
        try:
            return output_sizes(self.n, uniform_stack(*stack))[-1]
        except ValueError:
            return 1

    def select(self, row: int, col: int) -> ReceptiveFieldView:
        """Select output unit ``(row, col)`` (what a click does) and redraw."""
        with self._quiet():
            self.row.value = min(max(row, self.row.min), self.row.max)
            self.col.value = min(max(col, self.col.min), self.col.max)
        return self.update()

    # ---- the figure as a function of the controls (see helpers.figures.frames.StateWidget)
    def state(self) -> tuple:
        """The stack (as :meth:`_stack`) and the selected unit (row, col)."""
        return (*self._stack(), self.row.value, self.col.value)

    def _neighbours(self, state) -> list:
        """A unit one step away, then a stack one step away (with the unit as ``_on_stack`` moves it)."""
        *stack, row, col = state
        near = [(*stack, r, col) for r in steps(self.row, row)] + [(*stack, row, c) for c in steps(self.col, col)]
        for i, control in enumerate((self.layers, self.kernel, self.stride, self.padding, self.dilation)):
            for v in steps(control, stack[i]):
                other = (*stack[:i], v, *stack[i + 1:])
                top = max(self._output_size(other) - 1, 0)
                near.append((*other, min(row, top), min(col, top)))  # as _on_stack moves the unit
        return near

    def _compute(self, state) -> ReceptiveFieldView:
        layers, k, s, padding, d, row, col = state
        return receptive_field_view(self.n, layers, k, s, d, padding, (row, col))

    def _show(self, state, v: ReceptiveFieldView) -> None:
        if v.message:
            self._in.set_data(_field_rgb(self.image, np.zeros_like(self.image)))
            for a in (self._window, self._out, self._sel):
                a.set_visible(False)
            self._message.set_text(v.message)
            self._ax_in.set_title("Input: —")
            self._ax_out.set_title("Output: —")
            return
        for a in (self._window, self._out, self._sel):
            a.set_visible(True)
        self._message.set_text("")
        self._in.set_data(_field_rgb(self.image, v.gradient))
        (r0, r1), (c0, c1) = v.window
        self._window.set_bounds(c0 - 0.5, r0 - 0.5, c1 - c0 + 1, r1 - r0 + 1)
        m = v.sizes[-1]
        out = self._stack_output(state[:5])
        self._out.set_data(out)
        self._out.set_clim(0, max(float(out.max()), 1e-12))
        self._out.set_extent((-0.5, m - 0.5, m - 0.5, -0.5))
        self._ax_out.set_xlim(-0.5, m - 0.5)
        self._ax_out.set_ylim(m - 0.5, -0.5)
        self._sel.set_bounds(v.unit[1] - 0.5, v.unit[0] - 0.5, 1, 1)
        self._ax_in.set_title(f"Input {self.n}×{self.n}: unit {v.unit} sees {v.pixels_seen} pixels")
        self._ax_out.set_title(f"Output {m}×{m}: unit (row {v.unit[0]}, col {v.unit[1]})")

    def _after(self, v: ReceptiveFieldView) -> None:
        self.table.value = "" if v.message else "<pre>" + self._table_text(v, v.stats[-1].size) + "</pre>"

    def update(self) -> ReceptiveFieldView:
        """Recompute the field from the controls and redraw the figure in place."""
        return super().update()

    def _stack_output(self, key: tuple) -> np.ndarray:
        """The all-ones stack ``key`` (as :meth:`_stack`) applied to the image (cached per stack)."""
        import torch

        if key not in self._cache:
            with torch.no_grad():
                self._cache[key] = conv_stack(uniform_stack(*key))(torch.as_tensor(self.image)[None, None])[0, 0].numpy()
        return self._cache[key]

    def _table_text(self, v: ReceptiveFieldView, r: int) -> str:
        k, s, d = self.kernel.value, self.stride.value, self.dilation.value
        p = d * (k - 1) // 2 if self.padding.value == "same" else 0
        lines = ["layer   k  s  d  p   map size   r (field)   j (jump)   start"]
        lines.append(f"input   -  -  -  -   {v.sizes[0]:>8}   {1:>9}   {1:>8}   {0:>5}")
        for i, st in enumerate(v.stats[1:], start=1):
            lines.append(f"{i:>5}   {k}  {s}  {d}  {p}   {v.sizes[i]:>8}   {st.size:>9}   {st.jump:>8}   {st.start:>5}")
        (r0, r1), (c0, c1) = v.window
        holes = "" if v.window_filled else "  (holes: dilation, or stride > kernel)"
        ok = "agree ✓" if v.agree else "DISAGREE ✗"
        lines.append(f"recursion: window rows {r0}..{r1}, cols {c0}..{c1} (r = {r}){holes}")
        lines.append(f"closed form vs torch gradient: max |difference| = {v.max_difference:g}, {ok}")
        return "\n".join(lines)


# =========================================================================== shift equivariance
@dataclass
class ShiftView:
    """What the shift explorer shows: the measurement, or a message."""

    result: EquivarianceResult | None
    shifted_input: np.ndarray | None
    message: str = ""


def shift_view(image: np.ndarray, kernel_name: str, dy: int, dx: int, stride: int = 1,
               padding_mode: str = "zeros", circular_shift: bool = False) -> ShiftView:
    """Measure ``‖conv(shift(x)) − shift(conv(x))‖`` for the explorer; never raises on bad values."""
    from helpers.deform import roll, shift

    if kernel_name not in PRESETS:
        return ShiftView(None, None, f"unknown kernel {kernel_name!r}")
    try:
        r = shift_equivariance(image, kernel_preset(kernel_name), dy, dx, stride, padding_mode, circular_shift)
    except ValueError as e:
        return ShiftView(None, None, _wrap(str(e)))
    moved = (roll if circular_shift else shift)(np.asarray(image, dtype=np.float64), dy, dx)
    return ShiftView(r, moved)


class ShiftEquivarianceExplorer(StateWidget):
    """Shift the input and compare ``conv(shift(x))`` with ``shift(conv(x))`` (平移等变).

    Four panels: the shifted input, the two orders of operations, and their
    absolute difference, with the interior (where no border effect can reach)
    framed. The title gives the norms of the difference inside and at the border.
    """

    def __init__(self, image: np.ndarray | None = None, kernel: str = "sobel x", max_shift: int = 8):
        import ipywidgets as W
        from matplotlib.patches import Rectangle

        if image is None:
            from helpers.data import photograph

            image = photograph(factor=8)[:72, :64]  # even sizes: a stride-2 output then rolls exactly
        self.image = np.asarray(image, dtype=np.float64)
        if self.image.ndim != 2:
            raise ValueError(f"image has shape {self.image.shape}; expected a grayscale (H, W) image")
        if kernel not in PRESETS:
            raise ValueError(f"kernel={kernel!r} is not allowed: expected one of {', '.join(map(repr, PRESETS))}")
        self.view: ShiftView | None = None
        style = {"description_width": "initial"}
        self.dy = W.IntSlider(value=3, min=-max_shift, max=max_shift, description="shift down (dy)", style=style)
        self.dx = W.IntSlider(value=2, min=-max_shift, max=max_shift, description="shift right (dx)", style=style)
        self.stride = W.IntSlider(value=1, min=1, max=3, description="stride", style=style)
        self.kernel = W.Dropdown(options=list(PRESETS), value=kernel, description="kernel", style=style,
                                 layout=W.Layout(width="220px"))
        from helpers.conv import PADDING_MODES

        self.padding_mode = W.Dropdown(options=PADDING_MODES, value="zeros", description="padding mode",
                                       style=style, layout=W.Layout(width="220px"))
        self.circular = W.Checkbox(value=False, description="circular shift (roll)", indent=False)
        self._watch(self.dy, self.dx, self.stride, self.kernel, self.padding_mode, self.circular)

        fig, axes = self.subplots(1, 4, figsize=(9.6, 3.4), layout="constrained")
        self.fig, self._axes = fig, axes
        H, Wd = self.image.shape
        titles = ["input after the shift T(x)", "conv(T(x))", "T'(conv(x))", "|difference|"]
        self._imgs = []
        for ax, t in zip(axes, titles):
            cmap = "magma" if t.startswith("|") else "gray"
            self._imgs.append(ax.imshow(np.zeros((H, Wd)), cmap=cmap, vmin=0, vmax=1))
            ax.set_title(t)
        self._frame = Rectangle((0, 0), 1, 1, fill=False, ec="cyan", lw=1.5, ls="--")
        axes[3].add_patch(self._frame)
        axes[3].set_xlabel("dashed: interior (no border effect)")
        self._message_area(axes[3], fontsize=9)
        self._headline = fig.suptitle(" \n ", fontsize=10)  # two lines: room for the stride note
        _hide_ticks(*axes)
        controls = W.HBox([W.VBox([self.dy, self.dx, self.stride]),
                           W.VBox([self.kernel, self.padding_mode, self.circular])])
        self._finish(fig, [*self._imgs, self._frame, self._message, self._headline, axes[2].title], controls)
        self.update()

    # ---- the figure as a function of the controls (see helpers.figures.frames.StateWidget)
    def state(self) -> tuple:
        """(kernel, dy, dx, stride, padding mode, circular)."""
        return (self.kernel.value, self.dy.value, self.dx.value, self.stride.value, self.padding_mode.value,
                self.circular.value)

    def _neighbours(self, state) -> list:
        """Each control one key press away (the shifts first)."""
        controls = (self.kernel, self.dy, self.dx, self.stride, self.padding_mode, self.circular)
        return [(*state[:i], v, *state[i + 1:]) for i in (1, 2, 3, 0, 4, 5) for v in steps(controls[i], state[i])]

    def _compute(self, state) -> ShiftView:
        kernel, dy, dx, stride, mode, circular = state
        return shift_view(self.image, kernel, dy, dx, stride, mode, circular)

    def _show(self, state, v: ShiftView) -> None:
        if v.result is None:
            for im in self._imgs[1:]:
                im.set_visible(False)
            self._frame.set_visible(False)
            self._message.set_text(v.message)
            self._headline.set_text("—")
            return
        r = v.result
        for im in self._imgs[1:]:
            im.set_visible(True)
        self._message.set_text("")
        self._imgs[0].set_data(v.shifted_input)
        a, b = r.transformed_then_conv, r.conv_then_transformed
        lo, hi = float(min(a.min(), b.min())), float(max(a.max(), b.max()))
        hi = hi if hi > lo else lo + 1.0
        h, w = a.shape
        for im, data, clim in ((self._imgs[1], a, (lo, hi)), (self._imgs[2], b, (lo, hi)),
                               (self._imgs[3], r.error, (0.0, max(float(r.error.max()), 1e-12)))):
            im.set_data(data)
            im.set_clim(*clim)
            extent = (-0.5, w - 0.5, h - 0.5, -0.5)
            if tuple(im.get_extent()) != extent:  # the stride changed the output's size
                im.set_extent(extent)
        rows, cols = np.nonzero(r.interior)
        self._frame.set_visible(rows.size > 0)
        if rows.size:
            self._frame.set_bounds(cols.min() - 0.5, rows.min() - 0.5, cols.max() - cols.min() + 1,
                                   rows.max() - rows.min() + 1)
        self._axes[2].set_title(f"T'(conv(x)), output shift {r.out_shift}")
        note = "" if r.exact_shift else (f"\nstride {state[3]} does not divide the shift: "
                                         f"no output shift matches (nearest shown)")
        self._headline.set_text(f"‖conv(T x) − T'(conv x)‖ = {r.norm:.3g}   (interior {r.interior_norm:.3g}, "
                                f"border {r.border_norm:.3g}; relative {r.relative:.2g}){note}")

    def update(self) -> ShiftView:
        """Recompute from the controls and redraw in place."""
        return super().update()


# =========================================================================== sparse interactions
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
