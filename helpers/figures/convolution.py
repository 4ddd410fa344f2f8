"""From continuous to discrete convolution in 1-D: the flipped kernel slides along the signal.

The slides define

.. math::
    s(t) = (x * w)(t) = \\int x(a)\\, w(t - a)\\, da, \\qquad
    s(t) = \\sum_{a} x(a)\\, w(t - a).

For a fixed ``t``, ``w(t - a)`` as a function of ``a`` is the kernel
*flipped* (``-a``) and *shifted* to ``t``. ``s(t)`` is the area under the
product ``x(a) w(t - a)`` (continuous), or the sum of the products (discrete).

:func:`slide_continuous` and :func:`slide_discrete` compute what the widget
shows for one ``t``; :class:`SlidingConvolution` draws it and moves ``t``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from helpers.connectivity import divisors, group_connectivity
from helpers.conv import (
    convolve1d,
    convolve2d,
    correlate2d,
    multichannel_parts,
)
from helpers.figures.frames import StateWidget, steps

__all__ = [
    "signal_x",
    "kernel_w",
    "exact_s",
    "SLIDE_GRID",
    "DISCRETE_X",
    "DISCRETE_W",
    "Slide",
    "slide_continuous",
    "slide_discrete",
    "SlidingConvolution",
    "plot_multichannel",
    "plot_convolution_vs_correlation",
    "plot_group_connectivity",
]

#: The continuous example: a unit pulse on [0, 2] and a decaying exponential kernel.
SLIDE_GRID = np.linspace(-3.0, 9.0, 1201)  # a, t in [-3, 9], step 0.01
#: The discrete example: an asymmetric kernel, so that the flip is visible.
DISCRETE_X = np.array([0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0, -1.0])
DISCRETE_W = np.array([1.0, 0.5, 0.25])


def signal_x(a):
    """x(a): 1 on [0, 2], 0 elsewhere."""
    a = np.asarray(a, dtype=np.float64)
    return ((a >= 0) & (a <= 2)).astype(np.float64)


def kernel_w(a):
    """w(a) = exp(-a) for a >= 0, 0 before: a causal, decaying kernel."""
    a = np.asarray(a, dtype=np.float64)
    return np.where(a >= 0, np.exp(-np.clip(a, 0, None)), 0.0)


def exact_s(t):
    """The closed form of s = x * w for the continuous example (for checking)."""
    t = np.asarray(t, dtype=np.float64)
    rising = 1 - np.exp(-np.clip(t, 0, None))
    falling = np.exp(-(t - 2)) - np.exp(-t)
    return np.where(t < 0, 0.0, np.where(t <= 2, rising, falling))


@dataclass
class Slide:
    """What the widget shows for one t: x(a), the flipped-and-shifted kernel w(t - a), their product, s."""

    t: float
    a: np.ndarray  # positions
    x: np.ndarray  # x(a)
    w_flipped: np.ndarray  # w(t - a)
    product: np.ndarray  # x(a) w(t - a)
    s_t: float  # s(t): the area (continuous) or the sum (discrete)
    ts: np.ndarray  # every t of the curve
    s: np.ndarray  # s at every t


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


def slide_continuous(t: float, a: np.ndarray = SLIDE_GRID) -> Slide:
    """The continuous picture at ``t``: ``s(t) = ∫ x(a) w(t − a) da`` by the trapezoid rule on ``a``."""
    if not np.isfinite(t):
        raise ValueError(f"t={t!r} is not allowed: expected a finite number")
    x, wf = signal_x(a), kernel_w(t - a)
    product = x * wf
    ts, s = _s_curve(a.tobytes())
    return Slide(float(t), a, x, wf, product, _trapezoid(product, a), ts, s)


@lru_cache(maxsize=4)
def _s_curve(a_bytes: bytes) -> tuple[np.ndarray, np.ndarray]:
    """s(t) at every t of the grid, by the same trapezoid rule (computed once)."""
    a = np.frombuffer(a_bytes, dtype=np.float64)
    products = signal_x(a)[None, :] * kernel_w(a[:, None] - a[None, :])  # row t: x(a) w(t - a)
    s = ((products[:, 1:] + products[:, :-1]) * np.diff(a)).sum(axis=1) / 2
    return a.copy(), s


def slide_discrete(t: int, x=DISCRETE_X, w=DISCRETE_W) -> Slide:
    """The discrete picture at integer ``t``: ``s(t) = Σ_a x(a) w(t − a)`` (full convolution, t = 0 … n+k−2)."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    n, k = x.size, w.size
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t <= n + k - 2:
        raise ValueError(f"t={t!r} is not allowed: expected an int in 0 … {n + k - 2}")
    a = np.arange(-(k - 1), n + k - 1)  # wide enough to show the kernel hanging off both ends
    xa = np.where((a >= 0) & (a < n), x[np.clip(a, 0, n - 1)], 0.0)
    idx = t - a
    wf = np.where((idx >= 0) & (idx < k), w[np.clip(idx, 0, k - 1)], 0.0)
    product = xa * wf
    return Slide(float(t), a, xa, wf, product, float(product.sum()), np.arange(n + k - 1), convolve1d(x, w))


def _stems(a: np.ndarray, y: np.ndarray, dx: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """One Line2D's data for a stem plot: vertical segments from 0 to y, separated by NaN."""
    xs = np.repeat(a + dx, 3).astype(np.float64)
    ys = np.column_stack([np.zeros_like(y), y, np.full_like(y, np.nan)]).ravel()
    xs[2::3] = np.nan
    return xs, ys


class SlidingConvolution(StateWidget):
    """Drag ``t`` and watch the flipped kernel slide along the signal; s(t) is traced below.

    Args:
        mode: ``"continuous"`` (the integral) or ``"discrete"`` (the sum).
    """

    MODES = ("continuous", "discrete")

    def __init__(self, mode: str = "continuous"):
        import ipywidgets as W
        from matplotlib.patches import Polygon

        if mode not in self.MODES:
            raise ValueError(f"mode={mode!r} is not allowed: expected 'continuous' or 'discrete'")
        self.mode = mode
        if mode == "continuous":
            self.t = W.FloatSlider(value=1.0, min=-1.0, max=7.0, step=0.05, description="t",
                                   continuous_update=True, readout_format=".2f")
        else:
            n, k = DISCRETE_X.size, DISCRETE_W.size
            self.t = W.IntSlider(value=2, min=0, max=n + k - 2, description="t", continuous_update=True)
        self.t.add_class("conv1d-t")
        self.readout = W.HTML()
        self.readout.add_class("conv1d-readout")

        fig, (ax, ax_s) = self.subplots(2, 1, figsize=(8.0, 4.6), sharex=True, layout="constrained")
        self.fig, self._ax, self._ax_s = fig, ax, ax_s
        first = self._slide(self.t.value)
        if mode == "continuous":
            ax.plot(first.a, first.x, color="tab:blue", lw=2, label="signal x(a)")
            (self._w,) = ax.plot(first.a, first.w_flipped, color="tab:orange", lw=2, label="kernel flipped, w(t − a)")
            self._area = Polygon(np.zeros((3, 2)), closed=True, fc="tab:green", alpha=0.35,
                                 label="x(a)·w(t − a): its area is s(t)")
            ax.add_patch(self._area)
            ax.set_xlim(-2, 8)
            ax_s.plot(first.ts, first.s, color="0.8", lw=1.5, label="s over all t")
            ax.set_xlabel("")
            ax_s.set_xlabel("a (top), t (bottom)")
        else:
            (base,) = ax.plot(*_stems(first.a, first.x, -0.08), color="tab:blue", lw=2.5, label="signal x(a)")
            ax.plot(first.a - 0.08, first.x, "o", color="tab:blue", ms=5)
            (self._w,) = ax.plot(*_stems(first.a, first.w_flipped, 0.08), color="tab:orange", lw=2.5,
                                 label="kernel flipped, w(t − a)")
            (self._wdots,) = ax.plot(first.a + 0.08, first.w_flipped, "o", color="tab:orange", ms=5)
            (self._prod,) = ax.plot(first.a, first.product, "D", color="tab:green", ms=6,
                                    label="products x(a)·w(t − a), summed into s(t)")
            ax.set_xlim(first.a[0] - 0.5, first.a[-1] + 0.5)
            ax_s.plot(first.ts, first.s, "o", color="0.8", ms=6, label="s over all t")
            ax_s.set_xlabel("a (top), t (bottom)")
        ax.axhline(0, color="0.5", lw=0.8)
        ax_s.axhline(0, color="0.5", lw=0.8)
        lo = min(first.x.min(), first.w_flipped.min(), first.s.min(), 0) - 0.2
        hi = max(first.x.max(), DISCRETE_W.max() if mode == "discrete" else 1.0, first.s.max()) + 0.6
        ax.set_ylim(lo, hi)
        ax_s.set_ylim(lo, max(first.s.max(), 1.0) + 0.4)
        (self._trace,) = ax_s.plot([], [], color="tab:red", lw=2, marker="o" if mode == "discrete" else "",
                                   ms=5, label="s(t) so far")
        (self._dot,) = ax_s.plot([], [], "o", color="tab:red", ms=9)
        self._tline = ax.axvline(0, color="tab:orange", ls=":", lw=1)
        ax.set_title("Top: signal and flipped kernel at shift t" + ("; shaded: their product"
                                                                       if mode == "continuous" else ""))
        ax_s.set_title("Bottom: the output s(t) = (x * w)(t)")
        ax.legend(loc="upper right", fontsize=8)
        ax_s.legend(loc="upper right", fontsize=8)
        self._title = ax_s.text(0.01, 0.95, "", transform=ax_s.transAxes, va="top", fontsize=10)
        moving = [self._w, self._trace, self._dot, self._tline, self._title]
        moving += [self._area] if mode == "continuous" else [self._wdots, self._prod]
        self._finish(fig, moving, self.t, below=[self.readout])
        self._watch(self.t)
        self.update()

    def _slide(self, t) -> Slide:
        return slide_continuous(float(t)) if self.mode == "continuous" else slide_discrete(int(t))

    # ---- the figure as a function of t (see helpers.figures.frames.StateWidget)
    def state(self):
        """t (rounded to 9 digits: the browser's slider steps carry float noise)."""
        return round(self.t.value, 9) if self.mode == "continuous" else self.t.value

    def _neighbours(self, t) -> list:
        return steps(self.t, t)

    def _compute(self, t) -> Slide:
        return self._slide(t)

    def _show(self, t, sl: Slide) -> None:
        if self.mode == "continuous":
            self._w.set_ydata(sl.w_flipped)
            self._area.set_xy(np.column_stack([np.r_[sl.a[0], sl.a, sl.a[-1]], np.r_[0, sl.product, 0]]))
        else:
            self._w.set_data(*_stems(sl.a, sl.w_flipped, 0.08))
            self._wdots.set_ydata(sl.w_flipped)
            self._prod.set_ydata(np.where(sl.product != 0, sl.product, np.nan))
        upto = sl.ts <= sl.t
        self._trace.set_data(sl.ts[upto], sl.s[upto])
        self._dot.set_data([sl.t], [sl.s_t])
        self._tline.set_xdata([sl.t, sl.t])
        self._title.set_text(self._text(sl))

    def _text(self, sl: Slide) -> str:
        if self.mode == "continuous":
            return f"t = {sl.t:.2f}:  s(t) = ∫ x(a) w(t − a) da = {sl.s_t:.3f}"
        terms = [f"{x:g}·{w:g}" for x, w in zip(sl.x, sl.w_flipped) if x != 0 and w != 0]
        return f"t = {int(sl.t)}:  s(t) = Σ x(a) w(t − a) = {' + '.join(terms) or '0'} = {sl.s_t:g}"

    def _after(self, sl: Slide) -> None:
        self.readout.value = self._text(sl)

    def update(self) -> Slide:
        """Recompute for the slider's t and redraw the moving artists."""
        return super().update()


_CHANNEL_COLORS = ("red", "lime", "blue")  # each RGB channel shown black -> its colour


def plot_multichannel(x, weight, bias, out_channel: int = 0, channel_names=("R", "G", "B"), **conv_args):
    """Rows: input channel x_j, its kernel w_{j,i}, the map w_{j,i} * x_j; right: their sum and + bias.

    Returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap

    parts = multichannel_parts(x, weight, bias, out_channel, **conv_args)
    c_in = parts.per_channel.shape[0]
    fig, axes = plt.subplots(c_in, 4, figsize=(9.6, 2.3 * c_in), layout="constrained")
    m = float(np.abs(parts.per_channel).max()) or 1.0
    for j in range(c_in):
        name = channel_names[j] if j < len(channel_names) else f"{j + 1}"
        cmap = LinearSegmentedColormap.from_list(name, ["black", _CHANNEL_COLORS[j % 3]]) if c_in == 3 else "gray"
        axes[j, 0].imshow(x[j], cmap=cmap, vmin=0, vmax=1)
        axes[j, 0].set_title(f"input channel x_{j + 1} ({name})")
        k = weight[out_channel, j]
        km = float(np.abs(k).max()) or 1.0
        axes[j, 1].imshow(k, cmap="RdBu_r", vmin=-km, vmax=km)
        for (r, c), v in np.ndenumerate(k):
            axes[j, 1].text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=8)
        axes[j, 1].set_title(f"kernel w_{j + 1},{out_channel + 1}")
        axes[j, 2].imshow(parts.per_channel[j], cmap="RdBu_r", vmin=-m, vmax=m)
        axes[j, 2].set_title(f"w_{j + 1},{out_channel + 1} * x_{j + 1}")
    total_m = float(np.abs(parts.output).max()) or 1.0
    axes[0, 3].imshow(parts.total, cmap="RdBu_r", vmin=-total_m, vmax=total_m)
    axes[0, 3].set_title(f"sum over j = 1…{c_in}")
    axes[1, 3].imshow(parts.output, cmap="RdBu_r", vmin=-total_m, vmax=total_m)
    axes[1, 3].set_title(f"+ bias b = {parts.bias:.2g}:\nfeature map F_{out_channel + 1}")
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[2:, 3]:
        ax.axis("off")
    return fig


def plot_convolution_vs_correlation(image, kernel):
    """Kernel, flipped kernel, cross-correlation (what libraries compute) and true convolution. Returns the figure."""
    import matplotlib.pyplot as plt

    kernel = np.asarray(kernel, dtype=np.float64)
    corr = correlate2d(image, kernel, mode="valid")
    conv = convolve2d(image, kernel, mode="valid")
    fig, axes = plt.subplots(1, 4, figsize=(10.0, 2.9), layout="constrained",
                             gridspec_kw={"width_ratios": [0.6, 0.6, 1, 1]})
    km = float(np.abs(kernel).max()) or 1.0
    for ax, k, title in ((axes[0], kernel, "kernel K"), (axes[1], kernel[::-1, ::-1], "K flipped (both axes)")):
        ax.imshow(k, cmap="RdBu_r", vmin=-km, vmax=km)
        for (r, c), v in np.ndenumerate(k):
            ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=9)
        ax.set_title(title)
    m = max(float(np.abs(corr).max()), float(np.abs(conv).max())) or 1.0
    axes[2].imshow(corr, cmap="RdBu_r", vmin=-m, vmax=m)
    axes[2].set_title("cross-correlation with K\n(torch's conv2d)")
    axes[3].imshow(conv, cmap="RdBu_r", vmin=-m, vmax=m)
    axes[3].set_title("convolution with K\n= cross-correlation with K flipped")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def plot_group_connectivity(channels: int = 4, groups_list=None, axes=None):
    """One panel per ``groups``: input channels (bottom) linked to the output channels (top) they feed.

    Colours mark the groups. Returns the axes.
    """
    import matplotlib.pyplot as plt

    groups_list = divisors(channels) if groups_list is None else list(groups_list)
    if axes is None:
        _, axes = plt.subplots(1, len(groups_list), figsize=(2.6 * len(groups_list), 2.9), layout="constrained")
    axes = np.atleast_1d(axes)
    colors = plt.get_cmap("tab10")
    x = np.arange(channels)
    for ax, g in zip(axes, groups_list):
        m = group_connectivity(channels, channels, g)
        for o, j in zip(*np.nonzero(m)):
            ax.plot([j, o], [0, 1], color=colors(o // (channels // g) % 10), lw=1.4, alpha=0.8)
        ax.scatter(x, np.zeros(channels), s=110, color="white", edgecolor="black", zorder=3)
        ax.scatter(x, np.ones(channels), s=110, color="lightgray", edgecolor="black", zorder=3)
        name = "standard" if g == 1 else ("depthwise" if g == channels else "grouped")
        ax.set_title(f"groups={g} ({name})\n{int(m.sum())} of {channels * channels} links")
        ax.set_xticks(x, [str(i + 1) for i in x])
        ax.set_yticks([0, 1], ["input", "output"])
        ax.set_ylim(-0.25, 1.25)
        ax.set_xlim(-0.6, channels - 0.4)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel("channel")
    return axes


def _iso(x, y, z, depth: float = 0.45):
    """Isometric-style projection: depth ``z`` moves a point up and to the right."""
    return x + depth * z, y + 0.6 * depth * z


def _slab(ax, x0, y0, w, h, d, color, label=None, lw=1.0):
    """A box of width ``w``, height ``h`` and depth ``d`` drawn at ``(x0, y0)``; returns the front face."""
    from matplotlib.patches import Polygon

    def face(points, shade):
        xy = [_iso(*p) for p in points]
        rgb = np.clip(np.array(color[:3]) * shade, 0, 1)
        ax.add_patch(Polygon(xy, closed=True, facecolor=rgb, edgecolor="black", lw=lw))

    face([(x0, y0 + h, 0), (x0 + w, y0 + h, 0), (x0 + w, y0 + h, d), (x0, y0 + h, d)], 1.0)   # top
    face([(x0 + w, y0, 0), (x0 + w, y0, d), (x0 + w, y0 + h, d), (x0 + w, y0 + h, 0)], 0.7)   # right side
    front = [(x0, y0, 0), (x0 + w, y0, 0), (x0 + w, y0 + h, 0), (x0, y0 + h, 0)]
    face(front, 0.85)
    if label:
        ax.text(x0 + w / 2, y0 - 0.35, label, ha="center", va="top", fontsize=10)
    return front


def plot_multichannel_volume(in_channels: int = 3, out_channel: int = 1, ax=None):
    """3-D sketch of $F_i = \\sum_j w_{j,i} * x_j$: input slabs, one kernel per slab, one summed output map.

    The input is a stack of ``in_channels`` slabs $x_1, x_2, \\dots$ (one per channel). Output channel
    ``out_channel`` (= $i$) owns one small kernel $w_{j,i}$ per input slab; the per-channel maps are added
    into one output map $F_i$. Returns the axes.

    >>> ax = plot_multichannel_volume(2)
    >>> sorted(t.get_text() for t in ax.texts if t.get_text().startswith("$x"))
    ['$x_1$', '$x_2$']
    """
    import matplotlib.pyplot as plt

    from helpers.args import as_int

    in_channels = as_int("in_channels", in_channels, 1, 6)
    out_channel = as_int("out_channel", out_channel, 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    colors = plt.get_cmap("tab10")
    size = 3.0                                 # side of an input map
    step = 1.0                                 # depth between two channel slabs
    kx, kside = 6.0, 0.9                       # kernels column
    ox = 10.0                                  # output map
    base_y = 0.0
    for j in reversed(range(in_channels)):     # back slabs first, so front slabs cover them
        c = colors(j % 10)
        xs, ys = _iso(0.0, base_y, j * step)
        _slab(ax, xs, ys, size, size, 0.25, c, lw=0.8)
        tx, ty = _iso(xs + size, ys + size, 0.25)
        if j == 0:                             # the front slab: label inside its face
            tx, ty, c = xs + 0.3, ys + size - 0.3, "white"
        ax.text(tx + 0.08, ty, f"$x_{j + 1}$", ha="left", va="center", fontsize=11, color=c)
    ax.text(size / 2 + 0.4, -0.45, f"input: {in_channels} channels\n(one slab per channel)",
            ha="center", va="top", fontsize=10)
    # one kernel per input channel, stacked like the input
    kernel_y0 = size / 2 - kside / 2
    for j in reversed(range(in_channels)):
        c = colors(j % 10)
        xs, ys = _iso(kx, kernel_y0, j * step)
        _slab(ax, xs, ys, kside, kside, 0.25, c, lw=0.8)
        tx, ty = _iso(xs + kside, ys + kside, 0.25)
        if j == 0:
            tx, ty, c = xs + 0.02, ys + kside / 2, "white"
        ax.text(tx + 0.08, ty, f"$w_{{{j + 1},{out_channel}}}$", fontsize=10, color=c, va="bottom")
    ax.text(kx + kside / 2 + 0.4, -0.45, f"kernels of output {out_channel}\n(one per input channel)",
            ha="center", va="top", fontsize=10)
    # window on the front slab, linked to the kernel
    wx, wy = 1.4, 1.2
    ax.add_patch(plt.Rectangle((wx, wy), kside, kside, fill=False, ec="black", lw=2))
    ax.annotate("", xy=(kx - 0.1, kernel_y0 + kside / 2), xytext=(wx + kside + 0.05, wy + kside / 2),
                arrowprops=dict(arrowstyle="<->", lw=1.2, color="black"))
    ax.text((wx + kx) / 2 + 0.9, wy - 0.7, "multiply\nand add", ha="center", fontsize=9)
    # output: one map (a single slab)
    _slab(ax, ox, 0.0, size, size, step * 0.6, (0.75, 0.75, 0.75))
    ax.add_patch(plt.Rectangle((ox + 1.4, 1.2 + 0.0), 0.3, 0.3, color="black"))
    ax.annotate("", xy=(ox - 0.1, size / 2), xytext=(kx + kside + in_channels * step * 0.45 + 0.6, size / 2),
                arrowprops=dict(arrowstyle="->", lw=1.5))
    ax.text((kx + ox) / 2 + 0.9, size / 2 + 0.25, "$\\sum_j$", ha="center", fontsize=13)
    ax.text(ox + size / 2, -0.45, f"output map $F_{out_channel} = \\sum_j w_{{j,{out_channel}}} * x_j$\n"
            "(one channel)", ha="center", va="top", fontsize=10)
    ax.set_xlim(-1.2, ox + size + 1.0)
    ax.set_ylim(-1.6, size + in_channels * step * 0.27 + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"Multi-channel convolution: {in_channels} input channels → 1 output channel")
    return ax
