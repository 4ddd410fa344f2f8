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
