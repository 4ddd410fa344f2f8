"""Interactive figures for the notebooks.

Every widget is split in two, so that the logic is tested without a browser:

* a plain function of the widget's values that computes what is shown
  (here :func:`filter_image`), and
* a small class that wires ipywidgets controls to a persistent matplotlib
  figure and redraws in place only what changed (``set_data`` and
  :class:`helpers.figures.base.Blitter`), with the ipympl backend that
  :func:`helpers.setup_notebook` switches on. The explorer keeps the frames it
  sent and draws every preset ahead (:class:`helpers.figures.frames.StateWidget`):
  a choice in the dropdown costs about a millisecond in the kernel.

Invalid values never raise in a widget: the figure shows a short message instead.
Figure text stays in English (the default fonts have no CJK glyphs); the
Chinese slide terms appear in the notebooks' prose.
"""

from __future__ import annotations

import numpy as np

from helpers.figures.frames import StateWidget
from helpers.filters import PRESETS, FilterResult, filter_image, kernel_preset

__all__ = [
    "KernelFilterExplorer",
]


class KernelFilterExplorer(StateWidget):
    """Pick a kernel preset, or edit the 3x3 kernel, and see a photograph filtered.

    Three labelled panels: the input photograph, the kernel with its numbers,
    and the output feature map (特征图). ``display(explorer)`` or leaving it as
    the last expression of a cell shows it.

    Args:
        image: grayscale ``(H, W)`` image; default :func:`helpers.data.photograph`.
        preset: the preset to start from (a key of ``helpers.filters.PRESETS``).
    """

    CUSTOM = "custom"

    def __init__(self, image: np.ndarray | None = None, preset: str = "sobel x"):
        import ipywidgets as W

        from helpers.data import photograph

        if preset not in PRESETS:
            raise ValueError(f"preset={preset!r} is not allowed: expected one of {', '.join(map(repr, PRESETS))}")
        self.image = photograph() if image is None else np.asarray(image, dtype=np.float64)
        if self.image.ndim != 2:
            raise ValueError(f"image has shape {self.image.shape}; expected a grayscale (H, W) image")

        self.preset = W.Dropdown(options=[*PRESETS, self.CUSTOM], value=preset, description="kernel preset",
                                 style={"description_width": "initial"}, layout=W.Layout(width="260px"))
        self.cells = [W.FloatText(value=0.0, step=0.5, layout=W.Layout(width="80px")) for _ in range(9)]
        self.about = W.HTML(layout=W.Layout(width="300px"))
        grid = W.GridBox(self.cells, layout=W.Layout(grid_template_columns="repeat(3, 84px)"))
        self._watch(self.preset, handler=self._on_preset)
        self._watch(*self.cells, handler=self._on_cell)

        H, Wd = self.image.shape
        fig, (ax_in, ax_k, ax_out) = self.subplots(
            1, 3, figsize=(8.4, 3.4), gridspec_kw={"width_ratios": [1, 0.55, 1]}, layout="constrained"
        )
        self.fig = fig
        ax_in.imshow(self.image, cmap="gray", vmin=0, vmax=1)
        ax_in.set_title(f"Input: photograph ({H}×{Wd})")
        self._kimg = ax_k.imshow(np.zeros((3, 3)), cmap="RdBu_r", vmin=-1, vmax=1)
        self._ktext = [
            ax_k.text(j, i, "", ha="center", va="center", fontsize=10) for i in range(3) for j in range(3)
        ]
        ax_k.set_title("Kernel, 3×3")
        self._out = ax_out.imshow(np.zeros_like(self.image), cmap="gray")
        self._ax_out = ax_out
        self._message_area(ax_out, wrap=True)
        for ax in (ax_in, ax_k, ax_out):
            ax.set_xticks([])
            ax.set_yticks([])
        controls = W.HBox([W.VBox([self.preset, self.about], layout=W.Layout(margin="0 24px 0 0")),
                           W.VBox([W.Label("edit the kernel:"), grid])])
        # Only these change: redraw them alone (see helpers.figures.base.Blitter).
        # (the frames of the redrawn panels go on top of their images)
        self._finish(fig, [self._out, self._kimg, *ax_k.spines.values(), *ax_out.spines.values(),
                           *self._ktext, ax_out.title, self._message], controls)
        self._fill_cells(kernel_preset(preset))
        self.update()

    # ---- state -> widgets
    def _fill_cells(self, kernel: np.ndarray) -> None:
        with self._quiet():
            for cell, v in zip(self.cells, np.asarray(kernel, dtype=float).ravel()):
                cell.value = float(v)

    def kernel(self) -> np.ndarray:
        """The kernel that the nine boxes hold now."""
        return np.array([c.value for c in self.cells], dtype=np.float64).reshape(3, 3)

    def set_kernel(self, kernel) -> FilterResult:
        """Put ``kernel`` in the boxes (the dropdown shows its preset, or "custom") and redraw."""
        k = np.asarray(kernel, dtype=np.float64)
        if k.shape != (3, 3):
            raise ValueError(f"kernel has shape {k.shape}; expected (3, 3)")
        self._fill_cells(k)
        self._sync_dropdown()
        return self.update()

    # ---- widget events
    def _on_preset(self, change) -> None:
        if self._syncing or change["new"] == self.CUSTOM:
            return
        self._fill_cells(kernel_preset(change["new"]))
        self.update()

    def _on_cell(self, change) -> None:
        if self._syncing:
            return
        self._sync_dropdown()
        self.update()

    def _sync_dropdown(self) -> None:
        k = self.kernel()
        match = next((n for n in PRESETS if np.allclose(kernel_preset(n), k)), self.CUSTOM)
        with self._quiet():
            self.preset.value = match

    # ---- the figure as a function of the kernel (see helpers.figures.frames.StateWidget)
    def state(self) -> tuple[float, ...]:
        """The nine entries of the kernel: all the figure depends on."""
        return tuple(float(c.value) + 0.0 for c in self.cells)  # + 0.0: -0.0 and 0.0 show alike

    def _neighbours(self, state) -> list:
        """Every other preset: what the dropdown offers."""
        presets = [tuple(float(v) + 0.0 for v in kernel_preset(name).ravel()) for name in PRESETS]
        return [p for p in presets if p != state]

    def _compute(self, state) -> FilterResult:
        return filter_image(self.image, np.array(state, dtype=np.float64).reshape(3, 3))

    def _show(self, state, r: FilterResult) -> None:
        k = np.array(state, dtype=np.float64).reshape(3, 3)
        if np.all(np.isfinite(k)):
            m = float(np.abs(k).max()) or 1.0
            self._kimg.set_data(k)
            self._kimg.set_clim(-m, m)
            for t, v in zip(self._ktext, k.ravel()):
                t.set_text(f"{v:.3g}")
                t.set_color("white" if abs(v) > 0.6 * m else "black")  # readable on dark cells
        if r.output is None:
            self._out.set_visible(False)
            self._message.set_text(r.message)
            self._ax_out.set_title("Output: —")
        else:
            self._out.set_visible(True)
            self._message.set_text("")
            self._out.set_data(r.output)
            self._out.set_clim(*r.clim)
            lo, hi = float(r.output.min()), float(r.output.max())
            self._ax_out.set_title(f"Output: feature map, values {lo:.2g} … {hi:.2g}")

    def _after(self, r: FilterResult) -> None:
        name = self.preset.value
        about = PRESETS[name][1] if name in PRESETS else "your own kernel"
        self.about.value = f"<b>{name}</b>: {about}<br>entries sum to {self.kernel().sum():.3g}"

    def update(self) -> FilterResult:
        """Recompute the output from the boxes and redraw the figure in place."""
        return super().update()

    @property
    def result(self) -> FilterResult | None:
        """What the figure shows: the filtered image (or the message), as :func:`filter_image` returns it."""
        return self.view
