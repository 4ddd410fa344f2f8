"""The receptive-field explorer of notebook 01: which input pixels one output unit sees (感受野).

Split in two, like every widget here:

* :func:`receptive_field_view` is a plain function of the controls' values. It
  returns a :class:`ReceptiveFieldView`: the field computed twice, by the
  closed-form recursion (:func:`helpers.receptive.footprint`) and by torch's
  autograd (:func:`helpers.receptive.gradient_field`), or a short message when
  the stack does not fit the input.
* :class:`ReceptiveFieldExplorer` wires ipywidgets controls to one persistent
  figure and redraws it in place; the frames sent are kept, and those one key
  press away drawn ahead (:class:`helpers.figures.frames.StateWidget`).

Notebook 01's static figures are in :mod:`helpers.figures.motivation`, which
re-exports the names the notebook imports from here.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np

from helpers.figures.pixels import mapped_imshow
from helpers.figures.frames import StateWidget, steps
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

__all__ = ["KERNEL_SIZES", "PADDINGS", "ReceptiveFieldView", "receptive_field_view", "ReceptiveFieldExplorer"]

#: Kernel sizes offered by the receptive-field explorer.
KERNEL_SIZES = (1, 2, 3, 5, 7)
#: Padding choices: ``"valid"`` (none) or ``"same"`` (``d (k - 1) // 2`` per layer).
PADDINGS = ("valid", "same")


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
        view.message = _does_not_fit(n, layers) if "does not fit" in str(e) else textwrap.fill(str(e), 46)
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
        self._out = mapped_imshow(ax_out, np.zeros((n, n)), cmap="viridis", vmin=0, vmax=1)  # fast to draw
        self._sel = Rectangle((0, 0), 1, 1, fill=False, ec="tab:orange", lw=2.5)
        ax_out.add_patch(self._sel)
        ax_out.set_title(" ")
        self._message_area(ax_out, fontsize=10)
        for ax in (ax_in, ax_out):
            ax.set(xticks=[], yticks=[])
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
