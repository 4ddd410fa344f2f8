"""Keep the committed notebooks clean, and build the student edition.

Clean means: no outputs, no execution counts, no widget state, no volatile
metadata, in nbformat's canonical layout. The one exception is a code cell
tagged ``nbval-check-output``: it keeps its printed output, because nbval
compares a fresh run against it, and the execution count that Run All gives
it (nbval ignores cells that were never run).

Commands (run from the repository root)::

    python -m helpers.nbclean              # clean notebooks/*.ipynb in place
    python -m helpers.nbclean --check      # list dirty notebooks, exit 1 if any
    python -m helpers.nbclean --student OUT_DIR
                                           # the student edition, a folder to hand out

The student edition (:func:`build_student`) is what students get: ``OUT_DIR/notebooks/`` with

* every solution, between nbgrader's markers ``### BEGIN SOLUTION`` and ``### END SOLUTION``,
  replaced by ``raise NotImplementedError()`` (code) or "YOUR ANSWER HERE" (Markdown), as
  nbgrader's ``generate_assignment`` does;
* every hidden-test region, between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``
  (nbgrader's markers), removed;
* every cell tagged ``instructor-note`` removed;
* no outputs;

and beside them what runs them: ``helpers/`` (without the grader's hidden cases,
``helpers/exercises/hidden.py``), ``pyproject.toml``, ``environment.yml``, ``postBuild``,
``Makefile``, ``scripts/setup.sh`` and ``README.md``. No tests: they hold right answers.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat

__all__ = ["CHECK_TAG", "INSTRUCTOR_TAG", "build_student", "clean", "dirty_reasons", "student_edition", "main"]

CHECK_TAG = "nbval-check-output"
INSTRUCTOR_TAG = "instructor-note"  # a cell for the instructor only: left out of the student edition
_CELL_KEYS = ("tags", "nbgrader", "slideshow", "jupyter", "jp-MarkdownHeadingCollapsed")  # the only cell metadata kept (slideshow: RISE slide types; jupyter: source_hidden / outputs_hidden of check cells)
_NOTEBOOK_KEYS = ("rise",)  # the only notebook metadata kept besides the kernel (rise: RISE's deck settings)
_SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*$", re.M | re.S)
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n.*?^[ \t]*### END HIDDEN TESTS[^\n]*(\n|\Z)", re.M | re.S)
#: What the student edition ships beside the notebooks (relative to the repository root).
STUDENT_FILES = ("helpers", "pyproject.toml", "environment.yml", "postBuild", "Makefile", "scripts/setup.sh",
                 "README.md")
#: Instructor-only files inside what ships.
INSTRUCTOR_ONLY = ("helpers/exercises/hidden.py",)


def _checked(cell) -> bool:
    return CHECK_TAG in cell.get("metadata", {}).get("tags", [])


def clean(nb):
    """Return a cleaned deep copy of the notebook ``nb`` (a ``NotebookNode``)."""
    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.from_dict(
        {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            **{k: nb.metadata[k] for k in _NOTEBOOK_KEYS if k in nb.metadata},
        }
    )
    n_code = 0
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict({k: cell.metadata[k] for k in _CELL_KEYS if k in cell.metadata})
        if cell.cell_type != "code":
            continue
        n_code += 1
        if not _checked(cell):
            cell.execution_count = None
            cell.outputs = []
            continue
        # A checked cell keeps what it printed. nbval skips a cell without an
        # execution count, so it gets the count that Run All gives it: stable.
        cell.execution_count = n_code
        for out in cell.outputs:
            if out.get("output_type") == "execute_result":
                out["execution_count"] = n_code
    return nb


def _canonical(nb) -> str:
    return nbformat.writes(nb, version=4) + "\n"


def dirty_reasons(path: str | Path) -> list[str]:
    """Why the file at ``path`` is not clean; empty when it is."""
    text = Path(path).read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    reasons = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or _checked(cell):
            continue
        if cell.get("outputs"):
            reasons.append(f"cell {k} has outputs but is not tagged {CHECK_TAG!r}")
        if cell.get("execution_count") is not None:
            reasons.append(f"cell {k} has an execution count")
    if "widgets" in nb.metadata:
        reasons.append("the notebook metadata holds widget state")
    if not reasons and _canonical(clean(nb)) != text:
        reasons.append("metadata or layout differs from the clean form")
    return reasons


def student_edition(nb):
    """A copy of ``nb`` with every solution block replaced by a stub, no hidden tests, no
    instructor notes, and no outputs."""
    nb = clean(nb)
    nb.cells = [c for c in nb.cells if INSTRUCTOR_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        cell.source = _HIDDEN.sub("", cell.source).rstrip("\n") if _HIDDEN.search(cell.source) else cell.source
        if cell.cell_type == "code":
            stub = lambda m: f"{m.group(1)}# YOUR CODE HERE\n{m.group(1)}raise NotImplementedError()"  # noqa: E731
            cell.source = _SOLUTION.sub(stub, cell.source)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = _SOLUTION.sub("YOUR ANSWER HERE", cell.source)
    return nb


def build_student(out_dir: str | Path, notebooks: list[Path] | None = None, root: str | Path = ".") -> list[Path]:
    """Write the student edition into ``out_dir`` (replacing what was there); returns the files written."""
    root, out_dir = Path(root), Path(out_dir)
    if out_dir.resolve() == root.resolve() or root.resolve().is_relative_to(out_dir.resolve()):
        raise ValueError(f"out_dir={str(out_dir)!r} is not allowed: expected a folder outside the sources")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    written = []
    (out_dir / "notebooks").mkdir(parents=True)
    for p in notebooks or sorted((root / "notebooks").glob("*.ipynb")):
        target = out_dir / "notebooks" / p.name
        target.write_text(_canonical(student_edition(nbformat.read(p, as_version=4))), encoding="utf-8")
        written.append(target)
    skip = {(root / f).resolve() for f in INSTRUCTOR_ONLY}
    for name in STUDENT_FILES:
        src = root / name
        files = [src] if src.is_file() else sorted(f for f in src.rglob("*") if f.is_file()) if src.is_dir() else []
        for f in files:
            if f.resolve() in skip or "__pycache__" in f.parts or f.suffix == ".pyc":
                continue
            target = out_dir / f.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            if f.suffix == ".py":
                target.write_text(_HIDDEN.sub("", f.read_text(encoding="utf-8")), encoding="utf-8")
            else:
                shutil.copy2(f, target)
            written.append(target)
    return written


def _paths(given: list[str]) -> list[Path]:
    if given:
        return [Path(p) for p in given]
    return sorted(Path("notebooks").glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.nbclean", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: notebooks/*.ipynb)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="only report; exit 1 if any notebook is dirty")
    group.add_argument("--student", metavar="OUT_DIR", help="write the student edition into OUT_DIR (replaced)")
    args = parser.parse_args(argv)

    paths = _paths(args.paths)
    if args.student:
        written = build_student(args.student, [Path(p) for p in args.paths] or None)
        print(f"student edition: {len(written)} files in {args.student}/ (notebooks in {args.student}/notebooks/)")
        return 0

    dirty = 0
    for p in paths:
        reasons = dirty_reasons(p)
        if not reasons:
            continue
        if args.check:
            dirty += 1
            print(f"{p}: " + "; ".join(reasons))
        else:
            nb = nbformat.read(p, as_version=4)
            p.write_text(_canonical(clean(nb)), encoding="utf-8")
            print(f"cleaned {p}")
    if args.check and dirty:
        print(f"{dirty} notebook(s) not clean: run `python -m helpers.nbclean`")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main())
