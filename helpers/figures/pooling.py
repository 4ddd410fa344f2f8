"""Interactive figures for pooling (池化) and normalization (归一化), and their static companions.

As in :mod:`helpers.figures.kernel_explorer`, each widget is a plain function of the widget
values (tested without a browser) plus a thin class that wires ipywidgets to
a persistent matplotlib figure and redraws only what changed
(``set_data`` and :class:`helpers.figures.base.Blitter`), keeping the frames it sent
(:class:`helpers.figures.frames.StateWidget`). Invalid combinations show a
short message in the figure, never a traceback.

``pool_view`` / ``PoolingExplorer``       kind, kernel size, stride, padding, ceil_mode and one
                                          selected output: its window highlighted, the size formula live
``illumination_view`` / ``IlluminationExplorer``
                                          a photograph dimmed, brightened or lit by a gradient, before
                                          and after local contrast normalization
``plot_gradient_routes``                  where the gradient of max and of average pooling goes
``plot_layer_terminology``                the summary slide: a CNN layer in complex and in simple terminology
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.figures.base import Blitter
from helpers.figures.frames import StateWidget, steps
from helpers.pool import (
    POOL_KINDS,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    pool2d,
    pool_output_size,
)

__all__ = [
    "symbolic_grid",
    "PoolView",
    "pool_view",
    "PoolingExplorer",
    "plot_gradient_routes",
]

#: The explorer's slider ranges.
KERNEL_SIZES = (1, 2, 3, 4)
STRIDES = (1, 2, 3, 4)
PADDINGS = (0, 1, 2)


def symbolic_grid(n: int = 8, seed: int = 0) -> np.ndarray:
    """An ``n x n`` grid of small whole numbers 0..9 (float64), easy to pool by eye."""
    return np.random.default_rng(seed).integers(0, 10, size=(n, n)).astype(np.float64)


# --------------------------------------------------------------------------- pooling explorer
class _TwoLayerBlitter(Blitter):
    """A :class:`helpers.figures.base.Blitter` with two layers of animated artists.

    The lower layer (the output grid and its numbers) is redrawn only when it
    changed; the upper layer (the outlines of the selected window) on every
    update, over a saved copy of the background with the lower layer drawn.
    Dragging the output sliders then redraws two rectangles instead of every
    number of the output grid.
    """

    def __init__(self, fig, lower, upper):
        super().__init__(fig, [*lower, *upper])
        self.upper = list(upper)  # the lower layer: the rest, with the frames Blitter adds, in draw order
        self.lower = [a for a in self.artists if not any(a is u for u in self.upper)]
        self._middle = None

    def _on_draw(self, event) -> None:
        super()._on_draw(event)
        self._middle = None  # a full draw: the saved middle layer is stale

    def redraw(self, lower_changed: bool = True) -> None:
        if not self.ready():
            self.fig.canvas.draw_idle()
            return
        self.render(lower_changed)
        self.show_blitted(self.fig.bbox)

    def render(self, lower_changed: bool = True) -> None:
        canvas = self.fig.canvas
        if lower_changed or self._middle is None:
            canvas.restore_region(self._background)
            for a in self.lower:
                self.fig.draw_artist(a)
            self._middle = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._middle)
        for a in self.upper:
            self.fig.draw_artist(a)

    def forget(self) -> None:
        self._middle = None


@dataclass
class PoolView:
    """What the pooling explorer shows.

    ``padded`` is the input with its padding (padding cells hold the value
    pooling gives them: ``-inf`` for max, 0 for average and sum); ``window``
    is the selected output's window as ``(row0, col0, row1, col1)`` in padded
    coordinates (end exclusive; a ``ceil_mode`` window may stick out past the
    padding); ``selected`` is the (row, col) shown, clipped to the output.
    """

    padded: np.ndarray | None
    output: np.ndarray | None
    window: tuple[int, int, int, int] | None
    selected: tuple[int, int] | None
    formula: str
    message: str = ""


def _formula(n: int, k: int, s: int, p: int, ceil_mode: bool, out: int | None) -> str:
    op = "ceil" if ceil_mode else "floor"
    text = f"H_out = {op}(({n} + 2·{p} − {k}) / {s}) + 1"
    return text + (f" = {out}" if out is not None else "")


def pool_view(x, kind: str = "max", kernel_size: int = 2, stride: int = 2, padding: int = 0,
              ceil_mode: bool = False, row: int = 0, col: int = 0) -> PoolView:
    """Pool a square grid and describe the window of output ``(row, col)``. Never raises for widget values.

    The output is :func:`helpers.pool.pool2d` (torch's numbers). The formula
    is the one of :func:`helpers.pool.pool_output_size`, with the numbers filled in.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != x.shape[1]:
        return PoolView(None, None, None, None, "", f"The input must be a square grid (got shape {x.shape}).")
    n = x.shape[0]
    if kind not in POOL_KINDS:
        return PoolView(None, None, None, None, "", f"Pick a kind of pooling: {', '.join(POOL_KINDS)}.")
    for name, v in (("kernel size", kernel_size), ("stride", stride)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            return PoolView(None, None, None, None, "", f"The {name} must be a whole number ≥ 1 (got {v!r}).")
    if not isinstance(padding, (int, np.integer)) or isinstance(padding, bool) or padding < 0:
        return PoolView(None, None, None, None, "", f"The padding must be a whole number ≥ 0 (got {padding!r}).")
    ceil_mode = bool(ceil_mode)
    if padding > kernel_size // 2:
        return PoolView(None, None, None, None, _formula(n, kernel_size, stride, padding, ceil_mode, None),
                        f"padding = {padding} is not allowed with a {kernel_size}×{kernel_size} window:\n"
                        f"padding must be at most kernel_size // 2 = {kernel_size // 2} (torch refuses it too).")
    if kernel_size > n + 2 * padding:
        return PoolView(None, None, None, None, _formula(n, kernel_size, stride, padding, ceil_mode, None),
                        f"The {kernel_size}×{kernel_size} window does not fit in the padded "
                        f"{n + 2 * padding}×{n + 2 * padding} input.")
    n_out = pool_output_size(n, kernel_size, stride, padding, ceil_mode=ceil_mode)
    out = pool2d(x, kind, kernel_size, stride, padding, ceil_mode)
    padded = np.full((n + 2 * padding,) * 2, -np.inf if kind == "max" else 0.0)
    padded[padding:padding + n, padding:padding + n] = x
    i = int(min(max(int(row), 0), n_out - 1)) if _is_number(row) else 0
    j = int(min(max(int(col), 0), n_out - 1)) if _is_number(col) else 0
    window = (i * stride, j * stride, i * stride + kernel_size, j * stride + kernel_size)
    return PoolView(padded, out, window, (i, j), _formula(n, kernel_size, stride, padding, ceil_mode, n_out))


def _is_number(v) -> bool:
    return isinstance(v, (int, np.integer, float, np.floating)) and not isinstance(v, bool) and np.isfinite(v)


def _cell_text(v: float, kind: str) -> str:
    if np.isneginf(v):
        return "−∞"
    if kind == "avg" and not float(v).is_integer():
        return f"{v:.2f}"
    return f"{v:.0f}"


class PoolingExplorer(StateWidget):
    """Slide a pooling window over a small grid of numbers; pick one output to see its window.

    Two panels: the (padded) input with the selected output's window outlined,
    and the output with the selected cell outlined. The title shows the
    output-size formula with the current numbers. Padding cells are grey and
    show what pooling sees there (``−∞`` for max, 0 for average and sum).

    Args:
        x: a square grid (default :func:`symbolic_grid`, 8x8).
    """

    def __init__(self, x=None, kind: str = "max", kernel_size: int = 2, stride: int = 2, padding: int = 0):
        import ipywidgets as W
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle

        self.x = symbolic_grid() if x is None else np.asarray(x, dtype=np.float64)
        if self.x.ndim != 2 or self.x.shape[0] != self.x.shape[1] or self.x.shape[0] > 12:
            raise ValueError(f"x has shape {self.x.shape}; expected a square grid of at most 12x12")
        n = self.x.shape[0]
        self.view: PoolView | None = None
        self._n_in = n + 2 * max(PADDINGS)
        self._n_out = max(pool_output_size(n, k, s, p, ceil_mode=c) for k in KERNEL_SIZES for s in STRIDES
                          for p in PADDINGS for c in (False, True) if p <= k // 2 and k <= n + 2 * p)

        style = {"description_width": "initial"}
        self.kind = W.ToggleButtons(options=list(POOL_KINDS), value=kind, description="pooling", style=style)
        self.kernel = W.IntSlider(value=kernel_size, min=min(KERNEL_SIZES), max=max(KERNEL_SIZES), description="kernel size",
                                  style=style, continuous_update=True)
        self.stride = W.IntSlider(value=stride, min=min(STRIDES), max=max(STRIDES), description="stride", style=style)
        self.padding = W.IntSlider(value=padding, min=min(PADDINGS), max=max(PADDINGS), description="padding", style=style)
        self.ceil = W.Checkbox(value=False, description="ceil_mode", indent=False)
        self.row = W.IntSlider(value=0, min=0, max=self._n_out - 1, description="output row", style=style)
        self.col = W.IntSlider(value=0, min=0, max=self._n_out - 1, description="output column", style=style)
        self._watch(self.kind, self.kernel, self.stride, self.padding, self.ceil, self.row, self.col)

        fig, (ax_in, ax_out) = self.subplots(1, 2, figsize=(9.0, 4.6), layout="constrained")
        self.fig, self.ax_in, self.ax_out = fig, ax_in, ax_out
        cmap = plt.get_cmap("Blues").with_extremes(bad="0.85")  # padding (NaN in the display) is grey
        lo, hi = float(self.x.min()), float(self.x.max())
        self._img_in = ax_in.imshow(np.zeros((1, 1)), cmap=cmap, vmin=lo, vmax=hi + 0.6 * (hi - lo) + 1e-9)
        self._img_out = ax_out.imshow(np.zeros((1, 1)), cmap="Oranges", vmin=0, vmax=9)
        self._txt_in = [ax_in.text(0, 0, "", ha="center", va="center", fontsize=8) for _ in range(self._n_in ** 2)]
        self._txt_out = [ax_out.text(0, 0, "", ha="center", va="center", fontsize=8) for _ in range(self._n_out ** 2)]
        self._win = Rectangle((0, 0), 1, 1, fill=False, edgecolor="crimson", linewidth=2.5)
        self._inside = Rectangle((0, 0), 1, 1, fill=False, edgecolor="black", linewidth=1.0, linestyle="--")
        self._sel = Rectangle((0, 0), 1, 1, fill=False, edgecolor="crimson", linewidth=2.5)
        ax_in.add_patch(self._win)
        ax_in.add_patch(self._inside)
        ax_out.add_patch(self._sel)
        self.fig = fig
        self._message_area(y=0.45, fontsize=11)
        # a placeholder as long as the real titles, so that the layout leaves room for them
        self._formula = fig.suptitle("max pooling, 4×4 window, stride 4, padding 2:   "
                                     "H_out = floor((8 + 2·2 − 4) / 4) + 1 = 3", fontsize=11)
        for ax, m in ((ax_in, self._n_in), (ax_out, self._n_out)):
            ax.set_xlim(-0.5, m - 0.5)
            ax.set_ylim(m - 0.5, -0.5)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_aspect("equal")
            for spine in ax.spines.values():
                spine.set_visible(False)
        ax_in.set_title("Input (grey: padding); red: the window")
        ax_out.set_title("Output; red: the selected output")
        # The input grid changes only with the kind and the padding: it stays in the background
        # (a full redraw when it changes). Dragging a slider redraws only the output side.
        # Moving only the selected output redraws only the two outlines (see _TwoLayerBlitter).
        self._input_key = self._output_key = None
        controls = W.HBox([W.VBox([self.kind, self.kernel, self.stride, self.padding]),
                           W.VBox([self.ceil, self.row, self.col])])
        lower, upper = [self._img_out, *self._txt_out, self._message, self._formula], [self._win, self._sel]
        self._finish(fig, None, controls, make_blitter=lambda f: _TwoLayerBlitter(f, lower, upper))
        self.update()

    def set(self, kind=None, kernel_size=None, stride=None, padding=None, ceil_mode=None, row=None, col=None) -> PoolView:
        """Move several controls at once, with one redraw (what a notebook cell or a test does)."""
        with self._quiet():
            for control, value in ((self.kind, kind), (self.kernel, kernel_size), (self.stride, stride),
                                   (self.padding, padding), (self.ceil, ceil_mode)):
                if value is not None:
                    control.value = value
            for control, value in ((self.row, row), (self.col, col)):
                if value is not None:
                    control.max = max(control.max, value)
                    control.value = value
        return self.update()

    @staticmethod
    def _place(img, texts, values, offset: float, shown: list[str]) -> None:
        """Show ``values`` (2-D) centred in a fixed-size panel, with ``shown`` as cell texts."""
        m = values.shape[0]
        img.set_data(values)
        img.set_extent((offset - 0.5, offset + m - 0.5, offset + m - 0.5, offset - 0.5))
        for k, t in enumerate(texts):
            if k < m * m:
                r, c = divmod(k, m)
                t.set_position((offset + c, offset + r))
                t.set_text(shown[k])
                t.set_visible(True)
            else:
                t.set_visible(False)

    # ---- the figure as a function of the controls (see helpers.figures.frames.StateWidget)
    def state(self) -> tuple:
        """(kind, kernel size, stride, padding, ceil_mode, row, col)."""
        return (self.kind.value, self.kernel.value, self.stride.value, self.padding.value, self.ceil.value,
                self.row.value, self.col.value)

    def _neighbours(self, state) -> list:
        """Each control one key press away (the selected output first)."""
        controls = (self.kind, self.kernel, self.stride, self.padding, self.ceil, self.row, self.col)
        return [(*state[:i], v, *state[i + 1:]) for i in (5, 6, 1, 2, 3, 4, 0) for v in steps(controls[i], state[i])]

    def _compute(self, state) -> PoolView:
        return pool_view(self.x, *state)

    def _show(self, state, v: PoolView) -> dict:
        kind, k, s, p = state[:4]
        self._formula.set_text(f"{kind} pooling, {k}×{k} window, stride {s}, padding {p}:   {v.formula}")
        ok = v.message == ""
        for a in (self._img_out, self._win, self._sel, *self._txt_out):
            a.set_visible(ok)
        self._message.set_text(v.message)
        input_key = (kind, p) if ok else None
        if input_key != self._input_key:
            self._draw_input(v, kind, p)
        if ok:
            m_in, m_out = v.padded.shape[0], v.output.shape[0]
            off_in, off_out = (self._n_in - m_in) / 2, (self._n_out - m_out) / 2
            self._place(self._img_out, self._txt_out, v.output, off_out, [_cell_text(a, kind) for a in v.output.ravel()])
            lo, hi = float(v.output.min()), float(v.output.max())
            self._img_out.set_clim(lo, hi + 0.6 * (hi - lo) if hi > lo else lo + 1)  # light colours: numbers stay readable
            r0, c0, r1, c1 = v.window
            self._win.set_bounds(off_in + c0 - 0.5, off_in + r0 - 0.5, c1 - c0, r1 - r0)
            i, j = v.selected
            self._sel.set_bounds(off_out + j - 0.5, off_out + i - 0.5, 1, 1)
        output_key = (*state[:5], v.message)
        changed = input_key != self._input_key or output_key != self._output_key
        self._input_key, self._output_key = input_key, output_key
        # the input panel is static: the background saved for this (kind, padding), or a full draw
        return {"static": ("input", input_key), "lower_changed": changed}

    def _after(self, v: PoolView) -> None:
        if v.message == "":
            self._sync_sliders(v.output.shape[0], *v.selected)

    def update(self) -> PoolView:
        """Recompute from the controls and redraw in place."""
        return super().update()

    def _draw_input(self, v: PoolView, kind: str, p: int) -> None:
        """Update the (static) input panel: the padded grid, its numbers and the outline of the real input."""
        ok = v.message == ""
        for a in (self._img_in, self._inside, *self._txt_in):
            a.set_visible(ok)
        if not ok:
            return
        m_in = v.padded.shape[0]
        off_in = (self._n_in - m_in) / 2
        shown_in = np.where(np.isfinite(v.padded), v.padded, np.nan)
        if p:
            shown_in[:p], shown_in[-p:], shown_in[:, :p], shown_in[:, -p:] = np.nan, np.nan, np.nan, np.nan
        self._place(self._img_in, self._txt_in, shown_in, off_in, [_cell_text(a, kind) for a in v.padded.ravel()])
        n = self.x.shape[0]
        self._inside.set_bounds(off_in + p - 0.5, off_in + p - 0.5, n, n)

    def _sync_sliders(self, m_out: int, i: int, j: int) -> None:
        """Keep the output sliders inside the output (without triggering another update)."""
        with self._quiet():
            for s, value in ((self.row, i), (self.col, j)):
                s.max = m_out - 1
                s.value = value


# --------------------------------------------------------------------------- illumination explorer


# --------------------------------------------------------------------------- gradient routes
def plot_gradient_routes(x, kernel_size: int = 2, axes=None):
    """Three panels: the input grid, the gradient that max pooling sends back, and that of average pooling.

    The upstream gradient is 1 for every output (the loss is the sum of the
    outputs); the panels show ``dL/dx`` from :func:`helpers.pool.max_pool2d_backward`
    and :func:`helpers.pool.avg_pool2d_backward`, with the numbers written in.

    Returns:
        The three axes.
    """
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x has shape {x.shape}; expected a 2-D grid")
    out, idx = max_pool2d(x, kernel_size, return_indices=True)
    ones = np.ones_like(out)
    grads = [max_pool2d_backward(ones, idx, x.shape), avg_pool2d_backward(ones, x.shape, kernel_size)]
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(9.6, 3.5), layout="constrained")
    titles = ["Input x", f"dL/dx through max pooling {kernel_size}×{kernel_size}",
              f"dL/dx through average pooling {kernel_size}×{kernel_size}"]
    top = max(float(g.max()) for g in grads)
    for ax, a, title in zip(axes, [x] + grads, titles):
        if a is x:
            ax.imshow(a, cmap="Blues", vmin=a.min(), vmax=a.max() + 0.6 * (a.max() - a.min()) + 1e-9)
        else:  # the same scale for both gradients, light enough to read the numbers
            ax.imshow(a, cmap="Reds", vmin=0, vmax=1.6 * top)
        for (r, c), v in np.ndenumerate(a):
            ax.text(c, r, f"{v:.3g}", ha="center", va="center", fontsize=8)
        for k in range(0, x.shape[0] + 1, kernel_size):  # the pooling windows
            ax.axhline(k - 0.5, color="k", lw=0.8)
        for k in range(0, x.shape[1] + 1, kernel_size):
            ax.axvline(k - 0.5, color="k", lw=0.8)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    return axes


# --------------------------------------------------------------------------- the CNN layer, two terminologies


