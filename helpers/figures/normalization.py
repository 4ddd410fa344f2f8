"""Figures and widgets of notebook 05 (normalization): the illumination explorer, the layer terminology."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.checks import rel_change
from helpers.deform import lit
from helpers.figures.pixels import mapped_imshow
from helpers.figures.frames import StateWidget, steps
from helpers.norm import local_contrast_norm

__all__ = [
    "IlluminationView",
    "illumination_view",
    "IlluminationExplorer",
    "LAYER_STAGES",
    "plot_layer_terminology",
    "NORM_KINDS",
    "norm_axes_mask",
    "plot_norm_axes",
]


@dataclass
class IlluminationView:
    """The relit image, the LCN of the original and of the relit image, and how far apart each pair is."""

    relit: np.ndarray | None
    normalized: np.ndarray | None
    reference: np.ndarray | None
    raw_change: float
    lcn_change: float
    message: str = ""


def illumination_view(image, gain: float = 1.0, gradient: float = 0.0, size: int = 9, sigma: float = 2.0,
                      reference: np.ndarray | None = None) -> IlluminationView:
    """Relight ``image`` and normalize it; never raises for widget values.

    ``raw_change`` is ``‖relit − image‖ / ‖image‖``; ``lcn_change`` the same
    for their local contrast normalizations (:func:`helpers.norm.local_contrast_norm`).
    ``reference`` may pass the LCN of the original image to save its computation.
    """
    image = np.asarray(image, dtype=np.float64)
    try:
        relit = lit(image, gain, gradient)
        ref = local_contrast_norm(image, size, sigma) if reference is None else reference
        out = local_contrast_norm(relit, size, sigma)
    except ValueError as err:
        return IlluminationView(None, None, None, float("nan"), float("nan"), str(err))
    return IlluminationView(relit, out, ref, rel_change(relit, image), rel_change(out, ref))


class IlluminationExplorer(StateWidget):
    """Dim, brighten or light a photograph from one side, and watch local contrast normalization undo it.

    Three panels: the relit photograph (on a fixed grey scale, so dimming
    shows), its local contrast normalization, and the normalization of the
    original for comparison; the titles give the relative change of each.
    """

    def __init__(self, image: np.ndarray | None = None, size: int = 9, sigma: float = 2.0):
        import ipywidgets as W

        from helpers.data import photograph

        self.image = photograph(factor=4) if image is None else np.asarray(image, dtype=np.float64)
        if self.image.ndim != 2:
            raise ValueError(f"image has shape {self.image.shape}; expected a grayscale (H, W) image")
        self.size, self.sigma = size, sigma
        self.reference = local_contrast_norm(self.image, size, sigma)
        self.view: IlluminationView | None = None
        style = {"description_width": "initial"}
        self.gain = W.FloatSlider(value=1.0, min=0.1, max=2.0, step=0.05, description="brightness (gain)", style=style)
        self.gradient = W.FloatSlider(value=0.0, min=0.0, max=0.95, step=0.05, description="light from the right",
                                      style=style)
        self._watch(self.gain, self.gradient)
        fig, axes = self.subplots(1, 3, figsize=(9.6, 3.7), layout="constrained")
        self.fig = fig
        m = float(np.percentile(np.abs(self.reference), 99.5))
        self._raw = mapped_imshow(axes[0], self.image, cmap="gray", vmin=0, vmax=1)  # redrawn often: fast to draw
        self._lcn = mapped_imshow(axes[1], self.reference, cmap="gray", vmin=-m, vmax=m)
        axes[2].imshow(self.reference, cmap="gray", vmin=-m, vmax=m, interpolation="nearest")
        axes[2].set_title("LCN of the original")
        self._titles = [axes[0].set_title(" "), axes[1].set_title(" ")]
        self._message_area(va="baseline")
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        self._finish(fig, [self._raw, self._lcn, *self._titles, self._message], W.HBox([self.gain, self.gradient]))
        self.update()

    # ---- the figure as a function of the sliders (see helpers.figures.frames.StateWidget)
    def state(self) -> tuple[float, float]:
        """(gain, gradient), rounded to 9 digits: the browser's slider steps carry float noise."""
        return round(self.gain.value, 9), round(self.gradient.value, 9)

    def _neighbours(self, state) -> list:
        gain, gradient = state
        return [(g, gradient) for g in steps(self.gain, gain)] + [(gain, g) for g in steps(self.gradient, gradient)]

    def _compute(self, state) -> IlluminationView:
        return illumination_view(self.image, *state, self.size, self.sigma, reference=self.reference)

    def _show(self, state, v: IlluminationView) -> None:
        ok = v.message == ""
        self._raw.set_visible(ok)
        self._lcn.set_visible(ok)
        self._message.set_text(v.message)
        if ok:
            self._raw.set_data(v.relit)
            self._lcn.set_data(v.normalized)
            self._titles[0].set_text(f"Relit photograph: change {v.raw_change:.0%}")
            self._titles[1].set_text(f"After LCN: change {v.lcn_change:.1%}")

    def update(self) -> IlluminationView:
        """Recompute from the sliders and redraw in place."""
        return super().update()


#: The stages of one CNN layer on the summary slide (总结: CNN网络层), bottom to top.
LAYER_STAGES = (
    ("Convolution", "affine transform"),
    ("Detector", "nonlinearity, e.g. ReLU"),
    ("Pooling", "max / average"),
    ("Normalization", "LCN, later batch norm"),
)


def plot_layer_terminology(axes=None):
    """The slide's two ways of naming the parts of a CNN layer, side by side.

    Left, the *complex layer* terminology: one "convolutional layer" made of
    stages (convolution, detector, pooling, normalization). Right, the *simple
    layer* terminology: every stage is a layer of its own. (After Goodfellow,
    Bengio & Courville, *Deep Learning*, Fig. 9.7, which has the first three
    stages; the slide's summary adds normalization.)

    Returns:
        The two axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.5, 5.2), layout="constrained")
    n = len(LAYER_STAGES)
    for ax, complex_terms in zip(axes, (True, False)):
        ax.set_xlim(0, 10)
        ax.set_ylim(-0.6, n + 1.8)
        ax.axis("off")
        ax.text(5, -0.35, "Input to layer", ha="center", va="center")
        ax.text(5, n + 1.45, "Next layer", ha="center", va="center")
        if complex_terms:
            ax.add_patch(FancyBboxPatch((1.0, 0.25), 8.0, n + 0.5, boxstyle="round,pad=0.05",
                                        facecolor="#f2f2f2", edgecolor="0.3"))
            ax.text(1.25, n + 0.95, "Convolutional layer", ha="left", va="center", fontweight="bold")
        for k, (name, what) in enumerate(LAYER_STAGES):
            y = 0.5 + k
            label = f"{name} stage: {what}" if complex_terms else f"{name} layer: {what}"
            ax.add_patch(FancyBboxPatch((1.6, y), 6.8, 0.62, boxstyle="round,pad=0.04",
                                        facecolor="white" if complex_terms else "#dbe9f6", edgecolor="0.3"))
            ax.text(5, y + 0.31, label, ha="center", va="center", fontsize=10)
        ys = [-0.15] + [0.5 + k for k in range(n)] + [n + 1.25]
        tops = [-0.15] + [1.12 + k for k in range(n)]
        for k in range(n + 1):  # arrows from each box to the next
            start = tops[k] if k else -0.15
            end = ys[k + 1] if k < n else n + 1.25
            ax.annotate("", xy=(5, end - 0.02), xytext=(5, start + 0.02),
                        arrowprops=dict(arrowstyle="->", color="0.2"))
        ax.set_title("Complex layer terminology" if complex_terms else "Simple layer terminology")
    return axes


# ---------------------------------------------------------------- which axes each normalization uses
NORM_KINDS = ("batch norm", "layer norm", "instance norm", "group norm")


def norm_axes_mask(kind: str, n: int = 4, c: int = 6, hw: int = 5, groups: int = 2) -> np.ndarray:
    """The ``(N, C, H*W)`` entries that share one mean and variance with entry ``[0, 0, 0]``.

    batch norm: one channel, all images and positions; layer norm: one image, all channels and positions;
    instance norm: one image and one channel; group norm: one image, one group of ``c // groups`` channels.

    >>> norm_axes_mask("group norm", n=2, c=4, hw=1, groups=2)[:, :, 0].astype(int)
    array([[1, 1, 0, 0],
           [0, 0, 0, 0]])
    """
    from helpers.args import as_int, one_of

    kind = one_of("kind", kind, NORM_KINDS)
    n, c, hw, groups = as_int("n", n, 1), as_int("c", c, 1), as_int("hw", hw, 1), as_int("groups", groups, 1)
    if c % groups:
        from helpers.args import not_allowed
        raise not_allowed("groups", groups, f"a divisor of c={c}")
    mask = np.zeros((n, c, hw), dtype=bool)
    if kind == "batch norm":
        mask[:, 0, :] = True
    elif kind == "layer norm":
        mask[0, :, :] = True
    elif kind == "instance norm":
        mask[0, 0, :] = True
    else:
        mask[0, :c // groups, :] = True
    return mask


def plot_norm_axes(n: int = 4, c: int = 6, hw: int = 5, groups: int = 2):
    """The classic cube picture: a batch as an ``N x C x (H*W)`` block, and in blue the values that
    one normalization averages over together, for batch, layer, instance and group normalization."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(12, 3.6), layout="constrained")
    for i, kind in enumerate(NORM_KINDS):
        ax = fig.add_subplot(1, 4, i + 1, projection="3d")
        mask = norm_axes_mask(kind, n, c, hw, groups)
        colors = np.where(mask[..., None], np.array([0.2, 0.45, 0.85, 0.95]), np.array([0.9, 0.9, 0.9, 0.35]))
        # axes of the drawing: x = N (images), y = H*W (positions), z = C (channels)
        filled = np.ones((n, hw, c), dtype=bool)
        ax.voxels(filled, facecolors=colors.transpose(0, 2, 1, 3), edgecolor=(0.3, 0.3, 0.3, 0.4), linewidth=0.3)
        ax.set_xlabel("N (images)", labelpad=-8)
        ax.set_ylabel("H·W (positions)", labelpad=-8)
        ax.set_zlabel("C (channels)", labelpad=-8)
        ax.set_box_aspect(None, zoom=0.8)  # room for the three axis labels
        ax.set_xticks([]), ax.set_yticks([]), ax.set_zticks([])
        title = kind if kind != "group norm" else f"group norm ({groups} groups)"
        ax.set_title(title)
        ax.view_init(elev=20, azim=-55)
    fig.suptitle("Blue: the values that share one mean and one variance")
    return fig
