"""The one set-up call at the top of every notebook: seed, plotting style, device."""

from __future__ import annotations

import random

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


def setup_notebook(seed: int = 0, interactive: bool = True, device: str = "auto", verbose: bool = True):
    """Seed every generator, set the plotting style and pick the device; print the choices.

    Call it once, in the first code cell of a notebook.

    Args:
        seed: seeds Python's ``random``, numpy's legacy global generator and torch.
            Notebooks should still draw from ``np.random.default_rng(seed)``.
        interactive: switch matplotlib to the ipympl widget backend
            (``%matplotlib widget``) so that widget figures update in place.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"`` (see :func:`pick_device`).
        verbose: print one line that says what was chosen.

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
    mpl.rcParams.update(STYLE)
    hook = "helpers.figures.base:hide_canvas_header"
    if hook not in mpl.rcParams["figure.hooks"]:
        mpl.rcParams["figure.hooks"] = [*mpl.rcParams["figure.hooks"], hook]

    if verbose:
        name = torch.cuda.get_device_name(chosen) if chosen.type == "cuda" else "CPU"
        print(f"seed={seed} | device={chosen} ({name}) | matplotlib backend: {backend} | torch {torch.__version__}")
    return chosen
