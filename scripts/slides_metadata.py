"""Give each notebook cell a default slide type, so that the notebook presents as a RISE deck.

RISE (the ``jupyterlab-rise`` extension) reads ``cell.metadata.slideshow.slide_type``:

* ``"slide"``: starts a new slide (left to right); ``"subslide"``: a new slide below the current one;
* ``"fragment"``: appears on the current slide at the next key press;
* ``"-"``: stays on the current slide; ``"skip"``: not shown; ``"notes"``: speaker notes only.

The default this script applies:

* a Markdown cell that starts with ``# `` or ``## `` -> ``slide``; with ``### `` -> ``subslide``;
* the set-up cell (the code cell that calls ``helpers.setup_notebook(``) and check cells (tagged
  ``nbval-check-output``, or autograded nbgrader cells) -> ``skip``;
* any other cell keeps the type it has (a hand-set ``fragment`` or ``notes`` survives), else ``-``.

It also sets the notebook's RISE settings (``metadata.rise``, other keys kept): ``"scroll": true``.
With it, RISE gives a slide taller than the screen (a big figure, a long table) a scroll bar.
Without it, the bottom of such a slide is cut off.

Usage (from the repository root)::

    python scripts/slides_metadata.py notebooks/01_motivation.ipynb   # apply, in place
    python scripts/slides_metadata.py --check notebooks/*.ipynb       # report, exit 1 if any differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
RISE_SETTINGS = {"scroll": True}  # notebook-level, in metadata.rise
CHECK_TAG = "nbval-check-output"  # helpers.nbclean.CHECK_TAG (kept here so the script runs on its own)


def is_check(cell) -> bool:
    """A check cell: its output is compared by nbval, or nbgrader grades it."""
    return CHECK_TAG in cell.metadata.get("tags", []) or bool(cell.metadata.get("nbgrader", {}).get("grade"))


def is_setup(cell) -> bool:
    return cell.cell_type == "code" and "helpers.setup_notebook(" in cell.source


def default_slide_type(cell) -> str:
    """The slide type this script gives ``cell`` (see the module docstring)."""
    if cell.cell_type == "markdown":
        first = cell.source.lstrip().split("\n", 1)[0]
        if first.startswith(("# ", "## ")):
            return "slide"
        if first.startswith("### "):
            return "subslide"
    if cell.cell_type == "code" and (is_setup(cell) or is_check(cell)):
        return "skip"
    current = cell.metadata.get("slideshow", {}).get("slide_type")
    return current if current in SLIDE_TYPES else "-"


def apply_rise_settings(nb) -> bool:
    """Set ``RISE_SETTINGS`` in ``nb.metadata.rise`` (in place; other keys kept); return whether it changed."""
    rise = nb.metadata.setdefault("rise", {})
    if all(rise.get(key) == value for key, value in RISE_SETTINGS.items()):
        return False
    rise.update(RISE_SETTINGS)
    return True


def apply_defaults(nb):
    """Set every cell's ``metadata.slideshow.slide_type`` in ``nb`` (in place); return how many changed."""
    changed = 0
    for cell in nb.cells:
        want = default_slide_type(cell)
        if cell.metadata.get("slideshow", {}).get("slide_type") != want:
            cell.metadata["slideshow"] = {"slide_type": want}
            changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="notebooks")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    differs = []
    for path in args.paths:
        nb = nbformat.read(path, as_version=4)
        changed = apply_defaults(nb)
        settings = apply_rise_settings(nb)
        if changed or settings:
            differs.append(path)
            parts = [f"{changed} cell(s)"] if changed else []
            if settings:
                parts.append("metadata.rise")
            print(f"{path}: {' and '.join(parts)} {'differ' if args.check else 'updated'}")
            if not args.check:
                path.write_text(nbformat.writes(nb, version=4) + "\n", encoding="utf-8")
    return 1 if args.check and differs else 0


if __name__ == "__main__":
    sys.exit(main())
