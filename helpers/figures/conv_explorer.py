"""The convolution explorer of notebook 03: stride (步幅), padding (填充), padding mode and dilation, live.

Split in two, like every widget here:

* :func:`explore` is a plain function of the controls' values. It returns an
  :class:`ExplorerState`: the padded input, the output map (or a short
  message when the combination is invalid), the output-size formula with the
  numbers filled in, and the kernel window of the selected output cell.
* :class:`ConvExplorer` wires ipywidgets controls to one persistent figure and
  redraws only the artists that change (``set_data`` + :class:`helpers.figures.base.Blitter`).

The output-size formula and the symbolic names come from :mod:`helpers.symbolic`;
notebook 03's static figures are in :mod:`helpers.figures.stride_padding`, which
re-exports the names the notebook imports from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from helpers.conv import PADDING_MODES, conv2d, pad2d
from helpers.figures.base import FigureWidget
from helpers.filters import PRESETS, kernel_preset
from helpers.symbolic import cell_sum, padded_names, size_formula, symbol

__all__ = [
    "INPUTS",
    "STRIDES",
    "PADDINGS",
    "DILATIONS",
    "ExplorerState",
    "explorer_input",
    "explore",
    "label_overlay",
    "ConvExplorer",
]

#: The explorer's inputs: a real MNIST digit, a patch of a photograph, a small grid of named entries.
INPUTS = ("digit", "photo patch", "symbolic 5x5")
STRIDES = (1, 2, 3)
PADDINGS = (0, 1, 2, 3)
DILATIONS = (1, 2, 3)


@lru_cache(maxsize=None)
def _input(name: str) -> np.ndarray:
    if name == "digit":
        from helpers.data import sample_digit

        image = np.asarray(sample_digit(index=0), dtype=np.float64)  # a real 28x28 MNIST digit
    elif name == "photo patch":
        from helpers.data import photograph

        image = photograph(factor=4)[36:60, 38:62]  # 24x24: Grace Hopper's glasses
    else:
        image = np.arange(1.0, 26.0).reshape(5, 5)  # a11 = 1, a12 = 2, ..., a55 = 25
    image.setflags(write=False)
    return image


def explorer_input(name: str) -> np.ndarray:
    """The image behind input ``name`` (one of ``INPUTS``), float64, read-only."""
    if name not in INPUTS:
        raise ValueError(f"input={name!r} is not allowed: expected one of {', '.join(map(repr, INPUTS))}")
    return _input(name)


@dataclass
class ExplorerState:
    """Everything the explorer shows for one setting of its controls."""

    image: np.ndarray  # the input, unpadded (n x n)
    kernel: np.ndarray  # 3 x 3
    stride: int
    padding: int
    padding_mode: str
    dilation: int
    formula: str  # the output-size formula with the numbers filled in
    padded: np.ndarray | None = None  # the padded input, or None when that padding is impossible
    output: np.ndarray | None = None  # the output map, or None with a message
    message: str = ""
    step: int = 0  # the selected output cell, in row-major order
    cell: tuple[int, int] | None = None
    window: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=int))  # padded (row, col) of each tap
    cell_text: str = ""  # the selected cell's sum, as text
    clim: tuple[float, float] = (0.0, 1.0)

    @property
    def out_size(self) -> int | None:
        return None if self.output is None else self.output.shape[0]


def _clim(output: np.ndarray, kernel: np.ndarray) -> tuple[float, float]:
    if abs(kernel.sum()) < 1e-9:  # an edge detector: mid-grey means "no response"
        m = float(np.abs(output).max()) or 1.0
        return -m, m
    lo, hi = float(output.min()), float(output.max())
    return (lo, hi) if hi > lo else (lo - 0.5, lo + 0.5)


def explore(input_name: str = "digit", preset: str = "sobel x", stride: int = 1, padding: int = 0,
            padding_mode: str = "zeros", dilation: int = 1, step: int = -1) -> ExplorerState:
    """What the explorer shows for these control values. Never raises for a bad combination.

    Args:
        input_name: one of ``INPUTS``.
        preset: a kernel preset, a key of ``helpers.filters.PRESETS``.
        stride, padding, dilation: as in ``torch.nn.Conv2d``.
        padding_mode: one of ``PADDING_MODES``.
        step: the selected output cell in row-major order; ``-1`` (or past the
            end) selects the last one.

    Returns:
        An :class:`ExplorerState`. ``output`` is ``conv2d(image, kernel, stride=...,
        padding=..., dilation=..., padding_mode=...)``, the numbers of
        ``torch.nn.Conv2d``; for an impossible combination ``output`` is None
        and ``message`` says why in one line.
    """
    try:
        image = explorer_input(input_name)
        kernel = kernel_preset(preset)
    except ValueError as e:
        return ExplorerState(np.zeros((1, 1)), np.zeros((3, 3)), stride, padding, padding_mode, dilation, "",
                             message=str(e))
    n, k = image.shape[0], kernel.shape[0]
    for name, v, lo in (("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            return ExplorerState(image, kernel, stride, padding, padding_mode, dilation, "",
                                 message=f"{name}={v!r} is not allowed: use an int ≥ {lo}.")
    formula, out_n = size_formula(n, k, stride, padding, dilation)
    state = ExplorerState(image, kernel, stride, padding, padding_mode, dilation, formula)
    try:
        state.padded = pad2d(image, padding, padding_mode)
    except ValueError:
        state.message = _pad_message(padding, padding_mode, n)
        return state
    if out_n is None:
        span = dilation * (k - 1) + 1
        state.message = f"No output: the kernel spans {span} pixels (k + (k−1)(d−1)), the padded input {n + 2 * padding}."
        return state
    state.output = conv2d(state.padded, kernel, stride=stride, dilation=dilation)
    state.clim = _clim(state.output, kernel)
    last = out_n * out_n - 1
    state.step = last if step < 0 or step > last else int(step)
    i, j = divmod(state.step, out_n)
    state.cell = (i, j)
    taps = np.arange(k) * dilation
    rows, cols = np.meshgrid(i * stride + taps, j * stride + taps, indexing="ij")
    state.window = np.stack([rows.ravel(), cols.ravel()], axis=1)
    value = float(state.output[i, j])
    if abs(value) < 1e-12 * max(1.0, float(np.abs(state.output).max())):
        value = 0.0  # rounding noise, not a response: show 0 rather than 3e-16
    if input_name == "symbolic 5x5":
        names = padded_names(n, padding, padding_mode)
        by_row = state.window.reshape(k, k, 2)  # one line of the sum per kernel row u
        lines = [cell_sum([(names[r, c], symbol("k", u, v)) for v, (r, c) in enumerate(by_row[u]) if names[r, c] != "0"])
                 for u in range(k)]
        state.cell_text = f"out[{i},{j}] = " + "\n    + ".join(lines) + f"\n  = {value:.4g}"
    else:
        state.cell_text = f"out[{i},{j}] = sum(window × kernel) = {value:.4g}"
    return state


def _pad_message(padding, mode, n) -> str:
    if mode == "reflect":
        return f"Mirror (reflect) padding needs padding < input size: {padding} ≥ {n}."
    if mode == "circular":
        return f"Circular padding needs padding ≤ input size: {padding} > {n}."
    return f"padding_mode={mode!r} is not allowed: use one of {', '.join(PADDING_MODES)}."


# =========================================================================== the widget
_TILE = 28  # pixels per cell of the label overlay


@lru_cache(maxsize=None)
def _glyphs(text: str) -> np.ndarray:
    """The text's coverage bitmap (0..1), rendered once with matplotlib's own font engine."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_manager.findfont("DejaVu Sans"))
    font.set_size(8, 100)
    font.set_text(text)
    font.draw_glyphs_to_bitmap()
    bitmap = np.asarray(font.get_image(), dtype=np.float64) / 255.0
    return bitmap[:_TILE, :_TILE]


def label_overlay(names: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """An RGBA image with one text label per cell (navy inside the input, red on the padding).

    Drawing one image is far cheaper than one matplotlib text per cell, which
    keeps the symbolic grid's updates fast.
    """
    rows, cols = names.shape
    out = np.zeros((rows * _TILE, cols * _TILE, 4))
    navy, red = np.array([0.0, 0.0, 0.5]), np.array([0.8, 0.1, 0.1])
    for (r, c), text in np.ndenumerate(names):
        g = _glyphs(text)
        h, w = g.shape
        y, x = r * _TILE + (_TILE - h) // 2, c * _TILE + (_TILE - w) // 2
        out[y: y + h, x: x + w, :3] = navy if inside[r, c] else red
        out[y: y + h, x: x + w, 3] = g
    return out


class ConvExplorer(FigureWidget):
    """The explorer widget: pick an input, a kernel, stride, padding, padding mode, dilation and a step.

    Three labelled panels share one pixel scale: the input with its padded
    border (dashed) and the kernel's window for the selected output cell, the
    kernel, and the output map (cells after the selected one are blank, so the
    step slider walks the kernel across the input as the slides do). Under the
    figure, the output-size formula with the current numbers, and the selected
    cell's sum. ``display(explorer)`` or leaving it last in a cell shows it.

    The controls have stable descriptions and CSS classes (``conv-explorer-stride``,
    ``conv-explorer-padding``, ...; the size line is ``conv-explorer-size``).
    """

    MAX_PAD = max(PADDINGS)

    def __init__(self, input_name: str = "digit", preset: str = "sobel x", stride: int = 1, padding: int = 1,
                 padding_mode: str = "zeros", dilation: int = 1):
        import ipywidgets as W

        explorer_input(input_name)
        kernel_preset(preset)  # ValueErrors for bad names, before anything is built
        for name, v, allowed in (("stride", stride, STRIDES), ("padding", padding, PADDINGS),
                                 ("dilation", dilation, DILATIONS)):
            if v not in allowed:
                raise ValueError(f"{name}={v!r} is not allowed: expected one of {allowed}")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode={padding_mode!r} is not allowed: expected one of {PADDING_MODES}")

        style, wide = {"description_width": "initial"}, W.Layout(width="230px")
        self.input = W.Dropdown(options=INPUTS, value=input_name, description="input", style=style, layout=wide)
        self.kernel = W.Dropdown(options=list(PRESETS), value=preset, description="kernel", style=style, layout=wide)
        self.stride = W.IntSlider(value=stride, min=min(STRIDES), max=max(STRIDES), description="stride",
                                  style=style, continuous_update=True)
        self.padding = W.IntSlider(value=padding, min=min(PADDINGS), max=max(PADDINGS), description="padding",
                                   style=style, continuous_update=True)
        self.padding_mode = W.Dropdown(options=PADDING_MODES, value=padding_mode, description="padding mode",
                                       style=style, layout=wide)
        self.dilation = W.IntSlider(value=dilation, min=min(DILATIONS), max=max(DILATIONS), description="dilation",
                                    style=style, continuous_update=True)
        self.step = W.IntSlider(value=0, min=0, max=0, description="step", style=style, continuous_update=True)
        self.play = W.Play(value=0, min=0, max=0, interval=350, description="walk the kernel")
        W.jslink((self.play, "value"), (self.step, "value"))
        self.size = W.HTML()
        self.cell_line = W.HTML()
        for name in ("input", "kernel", "stride", "padding", "padding_mode", "dilation", "step", "play", "size",
                     "cell_line"):
            getattr(self, name).add_class(f"conv-explorer-{name.replace('_', '-')}")

        fig, (ax_in, ax_k, ax_out) = self.subplots(
            1, 3, figsize=(9.6, 3.9), gridspec_kw={"width_ratios": [1, 0.45, 1]}, layout="constrained")
        self.fig, self._ax_in, self._ax_k, self._ax_out = fig, ax_in, ax_k, ax_out
        self._build_artists()

        self._n = None  # the input size the axes limits were set for
        self._preset = None  # the kernel the static kernel panel shows
        self.state: ExplorerState | None = None
        self._last_max = 0
        self._watch(self.input, self.kernel, self.stride, self.padding, self.padding_mode, self.dilation,
                    handler=self._on_change)
        self._watch(self.step, handler=self._on_step)

        controls = W.HBox([W.VBox([self.input, self.kernel, self.padding_mode]),
                           W.VBox([self.stride, self.padding, self.dilation]),
                           W.VBox([self.step, self.play])])
        self._finish(fig, self._animated, controls, below=[self.size, self.cell_line], css_class="conv-explorer")
        self.update(step=-1)

    # ---- figure
    def _build_artists(self) -> None:
        from matplotlib.patches import Rectangle

        ax_in, ax_k, ax_out = self._ax_in, self._ax_k, self._ax_out
        self._img = ax_in.imshow(np.zeros((2, 2)), cmap="gray", extent=(0, 1, 1, 0), interpolation="nearest")
        self._pad_box = Rectangle((0, 0), 1, 1, fill=False, ls="--", lw=1.2, ec="tab:orange")
        self._img_box = Rectangle((0, 0), 1, 1, fill=False, lw=1.5, ec="tab:blue")
        self._win_box = Rectangle((0, 0), 1, 1, fill=False, lw=2.0, ec="crimson")
        for patch in (self._pad_box, self._img_box, self._win_box):
            ax_in.add_patch(patch)
        (self._taps,) = ax_in.plot([], [], "s", ms=5, mfc="none", mec="crimson", mew=1.2, alpha=0.8)
        self._labels = ax_in.imshow(np.zeros((2, 2, 4)), extent=(0, 1, 1, 0), interpolation="antialiased",
                                    visible=False)
        self._kimg = ax_k.imshow(np.zeros((3, 3)), cmap="RdBu_r", vmin=-1, vmax=1)
        self._ktext = [ax_k.text(j, i, "", ha="center", va="center", fontsize=9) for i in range(3) for j in range(3)]
        import matplotlib as mpl

        gray = mpl.colormaps["gray"].with_extremes(bad="white")  # blank: cells the kernel has not reached yet
        self._out = ax_out.imshow(np.zeros((2, 2)), cmap=gray, extent=(0, 1, 1, 0), interpolation="nearest")
        self._cell_box = Rectangle((0, 0), 1, 1, fill=False, lw=2.0, ec="crimson")
        ax_out.add_patch(self._cell_box)
        self._message_area(ax_out, wrap=True, fontsize=10)
        # Static titles (drawing text is the slow part of an update); the numbers are in the lines below.
        ax_in.set_title("Input (blue frame), padding (dashed),\nkernel window (red)", fontsize=10)
        self._title_k = ax_k.set_title("Kernel 3×3")
        self._title_out = ax_out.set_title("Output")
        ax_out.text(0.5, -0.02, "selected cell framed in red", transform=ax_out.transAxes, ha="center", va="top",
                    fontsize=9)
        for ax in (ax_in, ax_k, ax_out):
            ax.set_xticks([])
            ax.set_yticks([])
        # Only these change when a slider moves; the kernel panel changes with the preset alone
        # and is redrawn with a full draw then. (The axes limits leave a margin around the widest
        # padding, so the images never cover the frames, which can stay in the background.)
        self._animated = [self._img, self._labels, self._pad_box, self._img_box, self._taps, self._win_box,
                          self._out, self._cell_box, self._message, self._title_out]

    def _set_limits(self, n: int) -> None:
        """Both big panels span the input plus the largest padding, at one pixel scale."""
        lo, hi = -self.MAX_PAD - 1.0, n + self.MAX_PAD  # half a cell of margin around the widest padding
        for ax in (self._ax_in, self._ax_out):
            ax.set_xlim(lo, hi)
            ax.set_ylim(hi, lo)
        self._n = n
        # each kernel tap framed by a square marker one cell wide
        cell_pt = self._ax_in.get_window_extent().width / (hi - lo) * 72 / self.fig.dpi
        self._taps.set_markersize(0.92 * cell_pt)

    # ---- events
    def _on_change(self, change) -> None:
        at_end = self.step.value >= self._last_max
        self.update(step=-1 if at_end else self.step.value)

    def _on_step(self, change) -> None:
        if not self._syncing:
            self.update(step=change["new"])

    # ---- redraw
    def update(self, step: int | None = None) -> ExplorerState:
        """Recompute from the controls and redraw the changed artists; returns the state shown."""
        s = explore(self.input.value, self.kernel.value, self.stride.value, self.padding.value,
                    self.padding_mode.value, self.dilation.value, self.step.value if step is None else step)
        self.state = s
        n, p = s.image.shape[0], s.padding
        if n != self._n:
            self._set_limits(n)

        # input: the padded image (or the bare one when that padding is impossible)
        shown = s.padded if s.padded is not None else s.image
        q = p if s.padded is not None else 0
        lo_in, hi_in = (-25.0, 30.0) if self.input.value == "symbolic 5x5" else (0.0, 1.0)
        self._img.set_data(shown)
        self._img.set_clim(lo_in, hi_in)
        self._img.set_extent((-q - 0.5, n + q - 0.5, n + q - 0.5, -q - 0.5))
        self._pad_box.set_bounds(-q - 0.5, -q - 0.5, n + 2 * q, n + 2 * q)
        self._pad_box.set_visible(q > 0)
        self._img_box.set_bounds(-0.5, -0.5, n, n)
        span = s.dilation * 2 + 1
        self._draw_labels(s, n, q)

        # kernel (static between preset changes)
        if self.kernel.value != self._preset:
            k = s.kernel
            m = float(np.abs(k).max()) or 1.0
            self._kimg.set_data(k)
            self._kimg.set_clim(-m, m)
            for t, v in zip(self._ktext, k.ravel()):
                t.set_text(f"{v:.2g}")
                t.set_color("white" if abs(v) > 0.6 * m else "black")
            self._title_k.set_text(f"Kernel 3×3\n({self.kernel.value})")
            self._preset = self.kernel.value

        # output and the selected window
        if s.output is None:
            for a in (self._out, self._cell_box, self._win_box, self._taps):
                a.set_visible(False)
            self._message.set_text(s.message)
            self._title_out.set_text("Output: none")
            n_out = 0
        else:
            n_out = s.output.shape[0]
            partial = s.output.copy()
            partial.ravel()[s.step + 1:] = np.nan  # not computed yet at this step
            off = (n - n_out) / 2  # centred under the input, same pixel scale
            self._out.set_data(partial)
            self._out.set_clim(*s.clim)
            self._out.set_extent((off - 0.5, off + n_out - 0.5, off + n_out - 0.5, off - 0.5))
            i, j = s.cell
            self._cell_box.set_bounds(off + j - 0.5, off + i - 0.5, 1, 1)
            rows, cols = s.window[:, 0] - p, s.window[:, 1] - p  # padded -> input coordinates
            self._taps.set_data(cols, rows)
            self._win_box.set_bounds(cols.min() - 0.5, rows.min() - 0.5, span, span)
            for a in (self._out, self._cell_box, self._win_box, self._taps):
                a.set_visible(True)
            self._message.set_text("")
            self._title_out.set_text(f"Output {n_out}×{n_out}")

        # the step slider follows the output size
        with self._quiet():
            self._last_max = max(n_out * n_out - 1, 0)
            self.step.max = self.play.max = self._last_max
            self.step.value = s.step if s.output is not None else 0
        self.size.value = f"<b>output size</b>: {s.formula}"
        self.cell_line.value = f"<pre>{s.cell_text or s.message}</pre>"

        # the axes limits and the kernel panel are static: a saved background for them, or a full draw
        self.redraw(static=(n, self.kernel.value))
        return s

    def _draw_labels(self, s: ExplorerState, n: int, q: int) -> None:
        """The symbolic grid's names (a11, ...; padding shows which entry it copies, or 0)."""
        symbolic = self.input.value == "symbolic 5x5"
        self._labels.set_visible(symbolic)
        if not symbolic:
            return
        names = padded_names(n, q, s.padding_mode if s.padded is not None else "zeros")
        inside = np.zeros(names.shape, dtype=bool)
        inside[q: q + n, q: q + n] = True
        self._labels.set_data(label_overlay(names, inside))
        self._labels.set_extent((-q - 0.5, n + q - 0.5, n + q - 0.5, -q - 0.5))

    @property
    def view(self) -> ExplorerState | None:
        """What the figure shows (the same as ``state``)."""
        return self.state
