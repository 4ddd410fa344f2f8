"""The one set-up call at the top of every notebook: seed, plotting style, device.

It also sets two things for the classroom:

* **Chinese in figures.** When a CJK font from :data:`CJK_FONTS` is installed, matplotlib falls
  back to it for Chinese characters (DejaVu Sans stays first, for Latin text). Figure code asks
  :func:`cjk_available` before it writes Chinese, or writes labels with :func:`zh`, which gives
  "English (中文)" with a CJK font and plain English without one: no empty boxes, no warning.
* **Projector mode.** ``setup_notebook(presentation=True)``, or the environment variable
  ``CNN_COURSE_PRESENTATION=1``, makes fonts, lines and the default figure size larger
  (:data:`PRESENTATION_SCALE`).
"""

from __future__ import annotations

import os
import random
from contextlib import contextmanager

import numpy as np

from helpers.args import as_int, one_of

#: Plotting style shared by every notebook: readable labels, pixel-exact images.
STYLE = {
    "figure.dpi": 100,
    "figure.figsize": (8.0, 3.2),
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "image.cmap": "gray",
    "image.interpolation": "nearest",
    "axes.grid": False,
}

#: Fonts with Chinese glyphs, tried in this order. Debian's ``fonts-noto-cjk`` is one file with
#: all its languages, and matplotlib names it after the first one, "Noto Sans CJK JP": it has the
#: simplified Chinese glyphs too, so it is the last choice.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimHei",
             "WenQuanYi Micro Hei", "Noto Sans CJK JP")
#: The font for Latin letters, digits and math; it comes with matplotlib.
LATIN_FONT = "DejaVu Sans"

#: Projector mode: how much larger fonts, line widths and the default figure size get.
PRESENTATION_SCALE = {"font": 1.6, "line": 1.5, "figure": 1.25}
#: The environment variable that turns projector mode on ("1", "true", "yes" or "on").
PRESENTATION_ENV = "CNN_COURSE_PRESENTATION"
_FONT_KEYS = ("font.size", "axes.titlesize", "axes.labelsize")
_LINE_KEYS = ("lines.linewidth", "lines.markersize", "axes.linewidth", "grid.linewidth", "patch.linewidth",
              "xtick.major.width", "ytick.major.width", "xtick.major.size", "ytick.major.size")


def cjk_font() -> str | None:
    """The first font of :data:`CJK_FONTS` that matplotlib finds installed, or None."""
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def cjk_available() -> bool:
    """True when figures can show Chinese characters (a font of :data:`CJK_FONTS` is installed)."""
    return cjk_font() is not None


def zh(text_en: str, text_zh: str) -> str:
    """A figure label: "English (中文)" when a CJK font is installed, else the English alone.

    Keep ``$...$`` math out of a label that holds Chinese: matplotlib draws such a label with its
    math fonts only, which have no Chinese glyphs.

    >>> zh("convolution", "卷积") in ("convolution", "convolution (卷积)")
    True
    """
    return f"{text_en} ({text_zh})" if cjk_available() else text_en


def font_style() -> dict:
    """rcParams for the font: DejaVu Sans first, then the installed CJK font (if any) as fallback.

    matplotlib (3.6 and later) takes each glyph from the first font in ``font.family`` that has
    it. Only installed fonts go in the list, as a missing one makes matplotlib log a warning.
    """
    cjk = cjk_font()
    fallback = [cjk] if cjk else []
    from matplotlib import rcParamsDefault

    others = [f for f in rcParamsDefault["font.sans-serif"] if f not in (LATIN_FONT, cjk)]
    return {"font.family": [LATIN_FONT, *fallback], "font.sans-serif": [LATIN_FONT, *fallback, *others]}


def presentation_wanted(presentation=None) -> bool:
    """Projector mode: ``presentation`` when given, else the :data:`PRESENTATION_ENV` variable."""
    if presentation is None:
        return os.environ.get(PRESENTATION_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    if not isinstance(presentation, bool):
        raise ValueError(f"presentation={presentation!r} is not allowed: expected True, False or None")
    return presentation


def plot_style(presentation: bool = False) -> dict:
    """The course's rcParams; with ``presentation``, scaled by :data:`PRESENTATION_SCALE`.

    Line widths start from matplotlib's defaults, so switching back to the normal style undoes
    projector mode.

    >>> plot_style(presentation=True)["font.size"] / plot_style()["font.size"]
    1.6
    """
    from matplotlib import rcParamsDefault

    scale = PRESENTATION_SCALE if presentation else {"font": 1.0, "line": 1.0, "figure": 1.0}
    style = {**STYLE, **{k: rcParamsDefault[k] for k in _LINE_KEYS}}
    for key in _FONT_KEYS:
        style[key] = round(style[key] * scale["font"], 2)
    for key in _LINE_KEYS:
        style[key] = round(style[key] * scale["line"], 2)
    style["figure.figsize"] = tuple(round(v * scale["figure"], 2) for v in STYLE["figure.figsize"])
    return style



@contextmanager
def torch_threads(n: int = 1):
    """Run a block with ``n`` CPU threads for torch, then restore the count, even after an error.

    Small networks train fastest on one thread; the rest of the notebook keeps torch's default.
    As a decorator (``@torch_threads(1)``) it does the same for each call of a function.

    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch

    n = as_int("n", n, 1)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def pick_device(prefer: str = "auto"):
    """``torch.device``: a CUDA GPU when present (and ``prefer`` allows it), else the CPU.

    Args:
        prefer: ``"auto"`` (GPU if available), ``"cpu"`` or ``"cuda"``.

    Example:
        >>> pick_device("cpu")
        device(type='cpu')
    """
    import torch

    one_of("prefer", prefer, ("auto", "cpu", "cuda"))
    if prefer == "cuda" and not torch.cuda.is_available():
        raise ValueError("prefer='cuda' is not allowed here: torch sees no CUDA device (use 'auto' or 'cpu')")
    if prefer == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda")


def setup_notebook(seed: int = 0, interactive: bool = True, device: str = "auto", verbose: bool = True,
                   presentation: bool | None = None):
    """Seed every generator, set the plotting style and pick the device; print the choices.

    Call it once, in the first code cell of a notebook.

    Args:
        seed: seeds Python's ``random``, numpy's legacy global generator and torch.
            Notebooks should still draw from ``np.random.default_rng(seed)``.
        interactive: switch matplotlib to the ipympl widget backend
            (``%matplotlib widget``) so that widget figures update in place.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"`` (see :func:`pick_device`).
        verbose: print one line that says what was chosen.
        presentation: projector mode: larger fonts, lines and figures (:func:`plot_style`).
            ``None`` reads the environment variable ``CNN_COURSE_PRESENTATION``.

    Returns:
        The ``torch.device`` to use.
    """
    import matplotlib as mpl
    import torch

    seed = as_int("seed", seed, 0)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds CUDA too
    chosen = pick_device(device)
    projector = presentation_wanted(presentation)

    backend = "inline"
    if interactive:
        try:
            from IPython import get_ipython
        except ImportError:  # plain Python: nothing to switch
            shell = None
        else:
            shell = get_ipython()
        if shell is not None and getattr(shell, "kernel", None) is not None:
            shell.run_line_magic("matplotlib", "widget")
            backend = "widget (ipympl)"
    mpl.rcParams.update(plot_style(projector))
    mpl.rcParams.update(font_style())
    hook = "helpers.figures.base:hide_canvas_header"
    if hook not in mpl.rcParams["figure.hooks"]:
        mpl.rcParams["figure.hooks"] = [*mpl.rcParams["figure.hooks"], hook]

    if verbose:
        name = torch.cuda.get_device_name(chosen) if chosen.type == "cuda" else "CPU"
        extras = " | projector mode" if projector else ""
        print(f"seed={seed} | device={chosen} ({name}) | matplotlib backend: {backend} | torch {torch.__version__}"
              + extras)
    return chosen
