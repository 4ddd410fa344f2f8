"""The LeNet-5 digit widgets of notebook 06: perturb a test digit, or draw one, and watch the network.

* :class:`DigitExplorer` shifts, rotates, adds noise to or distorts a test digit (the slides' four
  demos, :data:`DEMOS`) and shows C1, C3, F6 and the output;
* :class:`DrawDigit` turns mouse strokes into a network input and shows each network's output.

Both only wire controls and mouse events to plain functions: :func:`helpers.train.explore_digit`
(perturb, run the network, return every map) and :func:`helpers.data.strokes_to_image`. They
redraw in place (``set_data``, :class:`helpers.figures.base.Blitter`); an invalid combination shows
a message in the figure, never a traceback. :mod:`helpers.figures.lenet5` re-exports both classes,
where notebook 06 imports them from.
"""

from __future__ import annotations

import numpy as np
import torch

from helpers.data import strokes_to_image
from helpers.deform import NOISE_KINDS
from helpers.figures.base import Blitter, FigureWidget, freeze_layout, widget_canvas
from helpers.models.lenet import AMPLITUDE, LeNet5
from helpers.train import DigitView, explore_digit

__all__ = ["DEMOS", "PENALTY_AXIS", "activation_colours", "montage", "DigitExplorer", "DrawDigit"]

#: The slides' demos and the controls each shows.
DEMOS = {
    "shift": ("dx", "dy"),
    "rotate": ("angle",),
    "noise": ("noise", "level"),
    "distort": ("alpha", "seed"),
    "all": ("dx", "dy", "angle", "noise", "level", "alpha", "seed"),
}


def activation_colours(net) -> tuple[str, float, float | None]:
    """Colour map and range of a network's feature maps: LeNet-5's squashed ones on ``±AMPLITUDE``,
    ReLU maps from 0 up (``None``: up to the largest value shown)."""
    return ("RdBu_r", -AMPLITUDE, AMPLITUDE) if isinstance(net, LeNet5) else ("magma", 0.0, None)


def montage(maps: np.ndarray, cols: int, gap: int = 1) -> np.ndarray:
    """Feature maps ``(K, H, W)`` tiled on a grid of ``cols`` columns; gaps and empty tiles are NaN."""
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3 or not isinstance(cols, int) or cols < 1:
        raise ValueError(f"montage needs maps of shape (K, H, W) and cols >= 1, got {maps.shape} and cols={cols!r}")
    k, h, w = maps.shape
    rows = -(-k // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan)
    for i in range(k):
        r, c = divmod(i, cols)
        out[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = maps[i]
    return out


#: The penalty axis of LeNet-5's bar chart: a trained net's best penalty is ~1, the worst ~150.
PENALTY_AXIS = 200.0


class _ScoreBars:
    """Ten bars, the prediction highlighted: LeNet-5's RBF penalties (lower is better), or a
    softmax network's class probabilities."""

    def __init__(self, ax, net):
        self.ax, self.penalties = ax, isinstance(net, LeNet5)
        self.bars = ax.bar(range(10), np.zeros(10), color="silver")
        ax.set_xticks(range(10))
        ax.set_xlabel("digit")
        if self.penalties:
            ax.set_ylim(0, PENALTY_AXIS)
            ax.set_ylabel("RBF penalty (lower = better)")
        else:
            ax.set_ylim(0, 1)
            ax.set_ylabel("probability")

    def artists(self):
        return list(self.bars)

    def show(self, view: DigitView | None) -> None:
        empty = view is None or view.message
        values = np.zeros(10) if empty else (view.scores if self.penalties else view.probabilities)
        for d, (bar, v) in enumerate(zip(self.bars, values)):
            bar.set_height(float(v))
            bar.set_color("tab:orange" if not empty and d == view.prediction else "silver")

    def summary(self, view: DigitView) -> str:
        """Prediction and its score, for a title."""
        k = view.prediction
        return f"{k} (penalty {float(view.scores[k]):.1f})" if self.penalties else f"{k} (p = {float(view.probabilities[k]):.2f})"


class DigitExplorer(FigureWidget):
    """Shift, rotate, add noise to or distort a test digit; watch C1, C3 and the prediction change.

    Panels: the network's input, C1's 6 feature maps, C3's 16, (LeNet-5 only) F6's 84 states drawn
    as 7x12 next to the predicted digit's bitmap, and the class probabilities.

    Args:
        net: a trained :class:`helpers.models.lenet.LeNet5` or :class:`helpers.models.lenet.ModernLeNet`.
        images: test digits ``(N, 1, 32, 32)`` or ``(N, 32, 32)`` in [0, 1]; labels: ``(N,)``.
        demo: which controls to show, one of :data:`DEMOS` (the slides' four demos, or "all").
        index: the digit to start with.
    """

    def __init__(self, net, images, labels, demo: str = "shift", index: int = 0):
        import ipywidgets as W

        if demo not in DEMOS:
            raise ValueError(f"demo={demo!r} is not allowed: expected one of {', '.join(map(repr, DEMOS))}")
        imgs = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else np.asarray(images)
        imgs = imgs.reshape(len(imgs), *imgs.shape[-2:]).astype(np.float32)
        if imgs.shape[1:] != (32, 32):
            raise ValueError(f"images must be 32x32 digits, got shape {np.shape(images)}")
        if not 0 <= index < len(imgs):
            raise ValueError(f"index={index!r} is not allowed: expected 0 <= index < {len(imgs)}")
        self.net, self.images = net, imgs
        self.labels = np.asarray(labels.cpu() if isinstance(labels, torch.Tensor) else labels)
        self.demo = demo
        self.view: DigitView | None = None
        style = {"description_width": "initial"}
        self.controls = {
            "index": W.IntSlider(value=index, min=0, max=len(imgs) - 1, description="test digit", style=style),
            "dx": W.IntSlider(value=0, min=-10, max=10, description="shift right (px)", style=style),
            "dy": W.IntSlider(value=0, min=-10, max=10, description="shift down (px)", style=style),
            "angle": W.FloatSlider(value=0, min=-90, max=90, step=5, description="rotate (deg)", style=style),
            "noise": W.Dropdown(options=NOISE_KINDS, value="salt and pepper" if demo == "noise" else "none",
                                description="noise", style=style),
            "level": W.FloatSlider(value=0, min=0, max=1, step=0.05, description="noise level", style=style),
            "alpha": W.FloatSlider(value=0, min=0, max=4, step=0.25, description="distortion (px)", style=style),
            "seed": W.IntSlider(value=0, min=0, max=20, description="random seed", style=style),
        }
        shown = ("index", *DEMOS[demo])
        self._watch(*(self.controls[name] for name in shown))

        lenet = isinstance(net, LeNet5)
        ratios = [1, 1.4, 1.9] + ([0.9] if lenet else []) + [1.3]
        fig, axs = self.subplots(1, len(ratios), figsize=(1.5 * sum(ratios) + 0.2, 2.9),
                                 gridspec_kw={"width_ratios": ratios}, layout="constrained")
        self.fig = fig
        ax_in, ax_c1, ax_c3 = axs[:3]
        cmap, lo, hi = activation_colours(net)
        self._in = ax_in.imshow(np.zeros((32, 32)), cmap="gray_r", vmin=0, vmax=1)
        self._c1 = ax_c1.imshow(montage(np.zeros((6, 28, 28)), 3), cmap=cmap, vmin=lo, vmax=hi if hi else 1)
        self._c3 = ax_c3.imshow(montage(np.zeros((16, 10, 10)), 4), cmap=cmap, vmin=lo, vmax=hi if hi else 1)
        ax_c1.set_title("C1: 6 maps 28x28")
        ax_c3.set_title("C3: 16 maps 10x10")
        self._f6 = None
        if lenet:
            ax_f6 = axs[3]
            self._f6 = ax_f6.imshow(np.zeros((12, 15)), cmap="gray_r", vmin=-AMPLITUDE, vmax=AMPLITUDE)
            ax_f6.set_title("F6 | bitmap")
            ax_f6.set_xlabel("F6 as 7x12 | target")
        self._bars = _ScoreBars(axs[-1], net)
        axs[-1].set_title("output")
        ax_in.set_title("label 0 → 0 ✓\npenalty 0.0")  # two lines, for the layout
        for a in axs[:-1]:
            a.set_xticks([])
            a.set_yticks([])
        self._ax_in = ax_in
        self._message_area(ax_in, wrap=True, fontsize=9)
        animated = [self._in, self._c1, self._c3, *self._bars.artists(), ax_in.title, self._message]
        animated += [self._f6] if self._f6 is not None else []
        box = W.HBox([self.controls[n] for n in shown], layout=W.Layout(flex_flow="row wrap"))
        self._finish(fig, animated, box, css_class="lenet-explorer")  # the class: for browser tests
        self.update()

    def values(self) -> dict:
        """The perturbation the controls hold now (controls this demo hides stay at "no change")."""
        shown = DEMOS[self.demo]
        v = {n: self.controls[n].value for n in ("dx", "dy", "angle", "noise", "level", "alpha", "seed") if n in shown}
        if "seed" in shown or "noise" in shown:
            v.setdefault("seed", self.controls["seed"].value)
        return v

    def set(self, **values) -> DigitView:
        """Set controls by name (``index``, ``dx``, ``angle``, ...) and redraw; returns the view."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"{name!r} is not a control: expected one of {', '.join(self.controls)}")
        with self._quiet():  # one redraw, not one per control
            for name, value in values.items():
                self.controls[name].value = value
        return self.update()

    def update(self, **override) -> DigitView:
        """Recompute from the controls (or ``override``) and redraw in place."""
        k = self.controls["index"].value
        params = {**self.values(), **override}
        self.view = v = explore_digit(self.net, self.images[k], **params)
        changing = [a for a in (self._in, self._c1, self._c3, self._f6) if a is not None]
        if v.message:
            for art in changing:
                art.set_visible(False)
            self._message.set_text(v.message)
            self._ax_in.set_title(f"input: digit #{k}")
            self._bars.show(None)
        else:
            for art in changing:
                art.set_visible(True)
            self._message.set_text("")
            self._in.set_data(v.image)
            self._c1.set_data(montage(v.c1, 3))
            self._c3.set_data(montage(v.c3, 4))
            if self._f6 is not None:
                from helpers.models.prototypes import PROTOTYPES

                pair = np.full((12, 15), np.nan)
                pair[:, :7] = v.f6.reshape(12, 7)
                pair[:, 8:] = PROTOTYPES[v.prediction]
                self._f6.set_data(pair)
            if not isinstance(self.net, LeNet5):
                self._c1.set_clim(0, max(float(v.c1.max()), 1e-6))
                self._c3.set_clim(0, max(float(v.c3.max()), 1e-6))
            ok = "✓" if v.prediction == int(self.labels[k]) else "✗"
            score = self._bars.summary(v).split(" ", 1)[1].strip("()")
            self._ax_in.set_title(f"label {int(self.labels[k])} → {v.prediction} {ok}\n{score}")
            self._bars.show(v)
        self.redraw()
        return v


class DrawDigit(FigureWidget):
    """Draw a digit with the mouse and see the networks' predictions live.

    Left: a drawing area (press, drag, release; several strokes are fine). Middle: what the network
    sees, prepared like MNIST (:func:`strokes_to_image`). Right: each network's class
    probabilities. "clear" starts again. Needs the interactive ipympl backend
    (``helpers.setup_notebook()`` switches it on).

    Args:
        nets: ``{name: network}`` (one or two networks).

    Attributes:
        strokes: the drawing, one list of ``(x, y)`` points per stroke (0..1, y down).
        views: ``{name: DigitView}`` of the last drawing (empty while nothing is drawn).
        ax_draw, ax_in: the drawing area and the network-input panel.
        score_axes: ``{name: axes}``, each network's output panel.
    """

    def __init__(self, nets: dict):
        import ipywidgets as W
        import matplotlib.pyplot as plt

        if not nets or len(nets) > 2:
            raise ValueError(f"nets must hold one or two networks, got {len(nets) if nets else 0}")
        self.nets = dict(nets)
        self.strokes: list[list[tuple[float, float]]] = []
        self._drawing = False
        self.views: dict[str, DigitView] = {}
        with plt.ioff():
            fig, axs = plt.subplots(1, 2 + len(nets), figsize=(2.4 * (2 + len(nets)), 2.9),
                                    gridspec_kw={"width_ratios": [1.2, 1] + [1.2] * len(nets)}, layout="constrained")
        self.fig, self.ax_draw, self.ax_in = fig, axs[0], axs[1]
        self.ax_draw.set_xlim(0, 1)
        self.ax_draw.set_ylim(1, 0)
        self.ax_draw.set_aspect("equal")
        self.ax_draw.set_title("draw here (drag)")
        self.ax_draw.set_xticks([])
        self.ax_draw.set_yticks([])
        self._ink = self.ax_draw.plot([], [], color="black", lw=10, solid_capstyle="round")[0]
        self._in = self.ax_in.imshow(np.zeros((32, 32)), cmap="gray_r", vmin=0, vmax=1)
        self.ax_in.set_title("input 32x32")
        self.ax_in.set_xticks([])
        self.ax_in.set_yticks([])
        self._message = self.ax_in.text(0.5, 0.5, "draw a digit", transform=self.ax_in.transAxes,
                                        ha="center", va="center", color="crimson", fontsize=10)
        self._bars = {}
        for ax, name in zip(axs[2:], self.nets):
            self._bars[name] = _ScoreBars(ax, self.nets[name])
            ax.set_title(f"{name}: —")
        widget_canvas(fig)
        freeze_layout(fig)
        animated = [self._ink, self._in, self._message]
        for name, bars in self._bars.items():
            animated += bars.artists() + [bars.ax.title]
        self._blit = Blitter(fig, animated)
        self._cids = [fig.canvas.mpl_connect(ev, fn) for ev, fn in (
            ("button_press_event", self.on_press), ("motion_notify_event", self.on_move),
            ("button_release_event", self.on_release))]
        self.clear_button = W.Button(description="clear")
        self.clear_button.on_click(lambda _: self.clear())
        canvas = fig.canvas
        self.widget = W.VBox([self.clear_button, canvas]) if isinstance(canvas, W.DOMWidget) else self.clear_button
        self.widget.add_class("lenet-draw")  # for browser tests
        self.update()

    @property
    def score_axes(self) -> dict:
        """Each network's output panel, by name; its title reads "name: prediction (score)"."""
        return {name: bars.ax for name, bars in self._bars.items()}

    # ---- mouse events (matplotlib's, so tests can send them without a browser)
    def on_press(self, event) -> None:
        if event.inaxes is not self.ax_draw or event.xdata is None:
            return
        self._drawing = True
        self.strokes.append([(float(event.xdata), float(event.ydata))])
        self._show_ink(ink_only=True)

    def on_move(self, event) -> None:
        if not self._drawing or event.inaxes is not self.ax_draw or event.xdata is None:
            return
        self.strokes[-1].append((float(event.xdata), float(event.ydata)))
        self._show_ink(ink_only=True)

    def on_release(self, event) -> None:
        if self._drawing:
            self._drawing = False
            self.update()

    def clear(self) -> None:
        """Wipe the drawing."""
        self.strokes = []
        self._drawing = False
        self.update()

    def _show_ink(self, ink_only: bool = False) -> None:
        xs, ys = [], []
        for s in self.strokes:
            xs += [p[0] for p in s] + [np.nan]
            ys += [p[1] for p in s] + [np.nan]
        self._ink.set_data(xs, ys)
        if ink_only:  # while the pen moves only the ink changes: redraw the drawing area alone
            self._blit.redraw_within([self._ink], self.ax_draw.bbox)
        else:
            self._blit.redraw()

    def update(self) -> dict[str, DigitView]:
        """Prepare the drawing, run every network on it and redraw."""
        image = strokes_to_image([np.array(s) for s in self.strokes])
        self._in.set_data(image)
        if not image.any():
            self.views = {}
            self._message.set_text("draw a digit")
            for name, bars in self._bars.items():
                bars.show(None)
                bars.ax.set_title(f"{name}: —")
        else:
            self._message.set_text("")
            self.views = {name: explore_digit(net, image) for name, net in self.nets.items()}
            for name, v in self.views.items():
                self._bars[name].show(v)
                self._bars[name].ax.set_title(f"{name}: {self._bars[name].summary(v)}")
        self._show_ink()
        return self.views
