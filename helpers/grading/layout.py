"""Read a notebook's exercises, and assemble the notebook that the grader runs.

A notebook's exercises follow nbgrader's cell metadata (``metadata.nbgrader``):

* an **answer cell** (``solution: true``, ``grade: false``): the student writes code in it;
* a **check cell** (``grade: true``, a code cell, locked): autograded; its ``points`` are
  earned when it runs without error;
* a **free-text cell** (``grade: true``, ``solution: true``, Markdown): marked by hand.

The grader never trusts the student's copy of a check cell or of the set-up: it runs the
instructor's set-up cell, the instructor's check cells (with their hidden tests) and, from the
student's notebook, only the answer cells (found by ``grade_id``, wherever the student moved
them) and the student's own extra code cells that follow them.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import nbformat

__all__ = ["EXERCISES_HEADING", "Exercise", "exercises", "exercise_start", "setup_index", "assemble", "grade_meta"]

EXERCISES_HEADING = "## Exercises"
#: Cell metadata that the assembled notebook carries, so that outputs can be traced back.
ROLE = "cnn_grade"


def grade_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_answer(cell) -> bool:
    m = grade_meta(cell)
    return bool(m.get("solution")) and not m.get("grade") and bool(m.get("grade_id"))


def _is_check(cell) -> bool:
    m = grade_meta(cell)
    return cell.cell_type == "code" and bool(m.get("grade")) and bool(m.get("grade_id"))


def _is_free_text(cell) -> bool:
    m = grade_meta(cell)
    return cell.cell_type == "markdown" and bool(m.get("grade")) and bool(m.get("solution"))


@dataclass
class Exercise:
    """One graded cell of a notebook: a check (autograded) or a free-text answer (by hand)."""

    grade_id: str
    title: str
    points: float
    kind: str  # "auto" or "manual"
    answers: list[str] = field(default_factory=list)  # grade_ids of the answer cells it checks
    question: str = ""


def exercise_start(nb) -> int:
    """Index of the ``## Exercises`` heading (the number of cells when there is none)."""
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith(EXERCISES_HEADING):
            return k
    return len(nb.cells)


def setup_index(nb) -> int:
    """Index of the first code cell: the set-up (``device = helpers.setup_notebook()``)."""
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            return k
    raise ValueError("the notebook has no code cell")


def _title(markdown: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("### "):
            return line[4:].strip()
    return ""


def exercises(nb) -> list[Exercise]:
    """The graded cells of the instructor's notebook, in order, with their answer cells and titles."""
    found: list[Exercise] = []
    # A check covers the answer cells since the previous check; a check right after another check
    # (two checks of one answer) covers the same answer cells as that one.
    title, question, pending, checked = "", "", [], []
    for cell in nb.cells[exercise_start(nb):]:
        meta = grade_meta(cell)
        if cell.cell_type == "markdown" and not meta and cell.source.lstrip().startswith("### "):
            title, question, pending, checked = _title(cell.source), cell.source, [], []
        elif _is_answer(cell):
            pending.append(meta["grade_id"])
        elif _is_check(cell):
            checked, pending = (pending or checked), []
            found.append(Exercise(meta["grade_id"], title, float(meta.get("points", 0) or 0), "auto",
                                  list(checked), question))
        elif _is_free_text(cell):
            found.append(Exercise(meta["grade_id"], title, float(meta.get("points", 0) or 0), "manual",
                                  [meta["grade_id"]], question))
    return found


def _student_cells_by_id(student) -> tuple[dict, dict]:
    """The student's cells by grade_id, and the student's own code cells that follow each of them."""
    by_id, extra, anchor = {}, {}, None
    start = exercise_start(student)
    for k, cell in enumerate(student.cells):
        gid = grade_meta(cell).get("grade_id")
        if gid:
            by_id.setdefault(gid, cell)
            anchor = gid
        elif cell.cell_type == "code" and k > start and anchor is not None and _is_answer_id(student, anchor):
            extra.setdefault(anchor, []).append(cell)
    return by_id, extra


def _is_answer_id(nb, gid) -> bool:
    return any(_is_answer(c) and grade_meta(c)["grade_id"] == gid for c in nb.cells)


def _code(source: str, role: str, grade_id: str = "") -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[ROLE] = {"role": role, "grade_id": grade_id}
    return cell


def assemble(source, student, whole: bool = False):
    """The notebook to run for ``student``: the instructor's ``source`` with the student's answers.

    Args:
        source: the instructor's notebook (solutions and hidden tests in it).
        student: the student's notebook (any order; cells may be missing).
        whole: run every cell of ``source`` before the exercises (for a notebook whose exercise
            section is not self-contained), not only the set-up cell.

    Returns:
        ``(notebook, missing)``: the cells carry ``metadata.cnn_grade`` (role ``setup``,
        ``prefix``, ``answer``, ``extra``, ``check`` or ``given``) and ``missing`` lists the
        answer grade_ids the student's notebook lacks.
    """
    by_id, extra = _student_cells_by_id(student)
    start, setup = exercise_start(source), setup_index(source)
    cells, missing = [], []
    prefix = range(setup, start) if whole else [setup]
    for k in prefix:
        cell = source.cells[k]
        if cell.cell_type == "code":
            cells.append(_code(cell.source, "setup" if k == setup else "prefix"))
    for cell in source.cells[start:]:
        if cell.cell_type != "code":
            continue
        gid = grade_meta(cell).get("grade_id", "")
        if _is_answer(cell):
            mine = by_id.get(gid)
            if mine is None or mine.cell_type != "code":
                missing.append(gid)
                cells.append(_code(f"raise RuntimeError('the answer cell {gid!r} is missing from the submission')",
                                   "answer", gid))
                continue
            cells.append(_code(mine.source, "answer", gid))
            for own in extra.get(gid, []):
                cells.append(_code(own.source, "extra", gid))
        elif _is_check(cell):
            cells.append(_code(cell.source, "check", gid))
        else:  # code the instructor gives inside the exercises
            cells.append(_code(cell.source, "given", gid))
    nb = nbformat.v4.new_notebook()
    nb.metadata = copy.deepcopy(source.metadata)
    nb.cells = cells
    return nb, missing


_STUB = re.compile(r"YOUR ANSWER HERE|raise NotImplementedError\(\)")


def free_text(student, grade_id: str) -> str | None:
    """The student's free-text answer for ``grade_id`` (None when the cell is missing)."""
    for cell in student.cells:
        if grade_meta(cell).get("grade_id") == grade_id:
            return cell.source
    return None


def is_unanswered(text: str | None) -> bool:
    return text is None or not _STUB.sub("", text).strip()
