"""The shift-equivariance explorer of notebook 01: ``conv(shift(x))`` against ``shift(conv(x))`` (平移等变).

Split in two, like every widget here:

* :func:`shift_view` is a plain function of the controls' values. It returns a
  :class:`ShiftView`: the measurement of :func:`helpers.equivariance.shift_equivariance`
  and the shifted input, or a short message when the values are invalid.
* :class:`ShiftEquivarianceExplorer` wires ipywidgets controls to one persistent
  figure and redraws it in place; the frames sent are kept, and those one key
  press away drawn ahead (:class:`helpers.figures.frames.StateWidget`).

Notebook 01's static figures are in :mod:`helpers.figures.motivation`, which
re-exports the names the notebook imports from here.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from helpers.equivariance import EquivarianceResult, shift_equivariance
from helpers.figures.pixels import mapped_imshow
from helpers.figures.frames import StateWidget, steps
from helpers.filters import PRESETS, kernel_preset

__all__ = ["ShiftView", "shift_view", "ShiftEquivarianceExplorer"]


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
        return ShiftView(None, None, textwrap.fill(str(e), 46))
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
            self._imgs.append(mapped_imshow(ax, np.zeros((H, Wd)), cmap=cmap, vmin=0, vmax=1))  # fast to draw
            ax.set_title(t)
        self._frame = Rectangle((0, 0), 1, 1, fill=False, ec="cyan", lw=1.5, ls="--")
        axes[3].add_patch(self._frame)
        axes[3].set_xlabel("dashed: interior (no border effect)")
        self._message_area(axes[3], fontsize=9)
        self._headline = fig.suptitle(" \n ", fontsize=10)  # two lines: room for the stride note
        for ax in axes:
            ax.set(xticks=[], yticks=[])
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
