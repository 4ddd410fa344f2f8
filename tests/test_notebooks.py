"""Notebook conventions: clean in git, one set-up call first, exercises last, nbgrader markers."""

import re
from pathlib import Path

import nbformat
import pytest

from helpers.nbclean import CHECK_TAG, dirty_reasons, main, student_edition

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]


def test_there_are_notebooks_and_they_are_numbered():
    assert NOTEBOOKS, "no notebooks found"
    for p in NOTEBOOKS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name), p.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_clean_in_git(path):
    assert dirty_reasons(path) == [], f"run `python -m helpers.nbclean` ({path.name})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_conventions(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"  # opens without asking for a kernel
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "helpers.setup_notebook(" in code[0].source, "the first code cell must call helpers.setup_notebook()"
    assert not any("sys.path" in c.source for c in code), "no sys.path edits: the project is installed"
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("## ")]
    assert headings[-1].strip() == "## Exercises (homework)", "the last section must be 'Exercises (homework)'"
    for c in nb.cells:
        if "### BEGIN SOLUTION" in c.source:
            assert "### END SOLUTION" in c.source
            meta = c.metadata.get("nbgrader", {})
            assert meta.get("solution") is True and meta.get("grade_id"), "solution cells carry nbgrader metadata"
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"):
            assert CHECK_TAG in c.metadata.get("tags", []), "autograded check cells have their ✓ output checked"
            assert any(o.get("data", {}).get("text/plain", "").startswith("✓") for o in c.outputs), \
                "a checked exercise cell must hold its ✓ report"
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(grade_ids) == len(set(grade_ids)), "nbgrader grade_ids must be unique"


def test_cleaner_finds_and_removes_dirt(tmp_path):
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    unchecked = next(c for c in nb.cells if c.cell_type == "code" and CHECK_TAG not in c.metadata.get("tags", []))
    unchecked.execution_count = 7
    unchecked.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    nb.metadata["widgets"] = {"state": {}}
    dirty = tmp_path / "01_dirty.ipynb"
    nbformat.write(nb, dirty)
    reasons = dirty_reasons(dirty)
    assert any("outputs" in r for r in reasons) and any("widget" in r for r in reasons)
    assert main(["--check", str(dirty)]) == 1
    assert main([str(dirty)]) == 0  # cleans in place
    assert dirty_reasons(dirty) == []
    cleaned = nbformat.read(dirty, as_version=4)
    kept = [c for c in cleaned.cells if CHECK_TAG in c.metadata.get("tags", [])]
    assert all(c.outputs for c in kept if c.cell_type == "code"), "checked cells keep their outputs"


def test_student_edition_removes_every_solution():
    for path in NOTEBOOKS:
        original = nbformat.read(path, as_version=4)
        student = student_edition(original)
        text = "".join(c.source for c in student.cells)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        n_solutions = sum(c.source.count("### BEGIN SOLUTION") for c in original.cells)
        assert text.count("raise NotImplementedError()") + text.count("YOUR ANSWER HERE") == n_solutions
        assert all(not c.outputs and c.execution_count is None for c in student.cells if c.cell_type == "code")


# ---------------------------------------------------------------- exercise sections stand alone
# A student may restart the kernel, run the set-up cell and go straight to the homework. So each
# notebook's "## Exercises (homework)" section may use only what the first code cell defines
# (`helpers`, `device`), the builtins and what the section itself imports or defines.

EXERCISES_HEADING = "## Exercises (homework)"
IPYTHON_BUILTINS = {"display", "get_ipython"}


def _exercise_code_cells(nb):
    start = next(i for i, c in enumerate(nb.cells)
                 if c.cell_type == "markdown" and c.source.lstrip().startswith(EXERCISES_HEADING))
    return [c for c in nb.cells[start:] if c.cell_type == "code"]


def global_names(source: str) -> tuple[set[str], set[str]]:
    """``(bound, used)``: the module-level names a cell binds, and the global names it reads anywhere.

    A name read inside a function body counts when it is not local there (it is looked up in the
    notebook's namespace when the function runs).

    >>> bound, used = global_names("import numpy as np\\nk = 3\\ndef f(x):\\n    return np.sum(x) * k + w")
    >>> sorted(bound), sorted(used)
    (['f', 'k', 'np'], ['k', 'np', 'w'])
    """
    import symtable

    top = symtable.symtable(source, "<cell>", "exec")
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
    used = set()

    def visit(table):
        for s in table.get_symbols():
            if s.is_referenced() and (table is top or s.is_global()):
                used.add(s.get_name())
        for child in table.get_children():
            visit(child)

    visit(top)
    return bound, used


def test_global_names_sees_names_read_inside_functions_and_comprehensions():
    bound, used = global_names("def f(a):\n    return [g(a, b) for b in range(a)]\nclass K:\n    size = n\n")
    assert bound == {"f", "K"} and used == {"g", "range", "n"}
    bound, used = global_names("from helpers.conv import conv2d\nx = conv2d(x0, w)\n")
    assert bound == {"conv2d", "x"} and used == {"conv2d", "x0", "w"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_need_only_the_setup_cell(path):
    import builtins

    nb = nbformat.read(path, as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    known = set(dir(builtins)) | IPYTHON_BUILTINS | global_names(setup.source)[0]
    assert {"helpers", "device"} <= known
    for cell in _exercise_code_cells(nb):
        bound, used = global_names(cell.source)
        missing = sorted(used - bound - known)
        assert not missing, (f"{path.name}: an exercise cell uses {missing}, defined only in the lecture part; "
                             f"import or create them in the exercise section:\n{cell.source[:300]}")
        known |= bound


# tests/test_student_edition.py runs every notebook's set-up cell + exercise section alone, solutions in.


# ---------------------------------------------------------------- no copies of helpers, no hidden state
# Code that a helper already has is imported, not pasted into a cell; a cell that changes torch's
# thread count sets it back in a `finally:` block, so no later cell runs with a count it did not ask for.
PASTED = {
    "def best_time": "time with timeit or helpers.checks",
    "def field_by_autograd": "use helpers.receptive.gradient_field",
    ".numel() for p in": "count with helpers.counting.count_parameters",
    "def rel_diff": "use helpers.checks.rel_change",
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_cells_use_helpers_and_leave_no_hidden_state(path):
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        if c.cell_type != "code" or "### BEGIN SOLUTION" in c.source:
            continue
        for text, instead in PASTED.items():
            assert text not in c.source, f"{path.name}: a cell has `{text}`: {instead}\n{c.source[:200]}"
        if "torch.set_num_threads(" in c.source:
            assert "threads = torch.get_num_threads()" in c.source and "finally:\n    torch.set_num_threads(threads)" \
                in c.source, f"{path.name}: set the thread count back in a finally: block\n{c.source[:200]}"
