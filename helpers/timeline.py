"""The history of convolutional networks as a timeline figure (notebook 01).

Dates and attributions follow the lecture's slides; the events after 2012 are
the papers the slides cite for "why deep CNNs".
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Event", "EVENTS", "plot_timeline"]


class Event(NamedTuple):
    """One milestone: year, short label (English, for the figure), and its source."""

    year: int
    label: str
    source: str


#: The milestones, oldest first.
EVENTS: tuple[Event, ...] = (
    Event(1959, "Hubel & Wiesel:\nsingle cells in cat V1",
          "D. Hubel, T. Wiesel, J. Physiol. 148 (1959): receptive fields of single neurones in the cat's striate cortex"),
    Event(1962, "simple, complex and\nhyper-complex cells",
          "D. Hubel, T. Wiesel, J. Physiol. 160 (1962): receptive fields, binocular interaction and functional "
          "architecture in the cat's visual cortex"),
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
