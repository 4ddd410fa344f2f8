"""The class grader (python -m helpers.grade) on a tiny course: one good submission and every
kind of bad one, graded in one run; and plain nbgrader on our notebook 00.

The fixture course (tests/fixtures/grading/tiny_course.ipynb) has a set-up cell and three
exercises: two autograded (2 and 3 points; the second with a hidden-test region) and one free
text (1 point). Submissions are built from its student edition.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from helpers.grade import COLUMNS, main
from helpers.nbclean import student_edition

FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "tiny_course.ipynb"

RIGHT_1 = ("def input_sizes(n_out, kernel_size, stride, padding):\n"
           "    smallest = (n_out - 1) * stride + kernel_size - 2 * padding\n    return smallest, smallest + stride - 1")
RIGHT_2 = ("def convolve(x, w):\n    out = [0.0] * (len(x) + len(w) - 1)\n    for a in range(len(x)):\n"
           "        for b in range(len(w)):\n            out[a + b] += x[a] * w[b]\n    return np.array(out)")


def _set(nb, grade_id, source):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return nb
    raise KeyError(grade_id)


def _drop(nb, grade_id):
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return nb


def _fresh():
    return student_edition(nbformat.read(FIXTURE, as_version=4))


def _good(ex1=RIGHT_1, ex2=RIGHT_2):
    nb = _set(_set(_fresh(), "ex1-output-size", ex1), "ex2-convolve", ex2)
    return _set(nb, "ex3-why", "Training learns the flipped kernel, so nothing is lost.")


def _reordered():
    nb = _good()
    start = next(k for k, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))
    nb.cells = nb.cells[:start] + nb.cells[start:][::-1]
    return nb


def _other_course():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('hello from another course')")
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": "hw1-q1", "solution": True, "locked": False,
                                 "schema_version": 3, "task": False}
    nb.cells = [nbformat.v4.new_markdown_cell("# Another course"), cell]
    return nb


def _vandal(targets):
    return ("import glob, os, shutil\n"
            f"for p in glob.glob('*') + glob.glob('../*') + glob.glob('../../*') + {targets!r}:\n"
            "    try:\n"
            "        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)\n"
            "    except OSError:\n"
            "        pass\n"
            "os.chdir('/')\n" + RIGHT_1)


def _tampered():
    nb = _fresh()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex1-output-size-check":
            cell.source = "print('✓ input_sizes: all cases passed')"
    return nb


#: student -> (what the folder holds, expected status of ex1, ex2, ex3)
EXPECTED = {
    "good": ("passed", "passed", "manual"),
    "stub": ("failed", "failed", "missing"),
    "shortcut": ("passed", "shortcut", "manual"),
    "loop": ("timeout", "passed", "manual"),
    "import_crash": ("error", "passed", "manual"),
    "sys_exit": ("error", "passed", "manual"),
    "os_exit": ("passed", "error", "manual"),
    "vandal": ("passed", "passed", "manual"),
    "memory": ("passed", "error", "manual"),
    "malformed": ("error", "error", "error"),
    "deleted_cell": ("passed", "missing", "manual"),
    "renamed": ("passed", "error", "manual"),
    "reordered": ("passed", "passed", "manual"),
    "other_course": ("missing", "missing", "missing"),
    "tampered_check": ("failed", "failed", "missing"),
    "no_notebook": ("missing", "missing", "missing"),
    "tuned": ("passed", "failed", "manual"),  # right on the visible cases only: the hidden ones catch it
}
TUNED = RIGHT_2.replace("def convolve(x, w):", "def convolve(x, w):\n    if len(x) > 20:\n"
                                               "        return np.zeros(len(x) + len(w) - 1)")


def _make_class(tmp_path):
    source = tmp_path / "instructor"
    source.mkdir()
    shutil.copy(FIXTURE, source / FIXTURE.name)
    subs = tmp_path / "submissions"
    for student in EXPECTED:
        (subs / student).mkdir(parents=True)
    targets = [str(source / FIXTURE.name), str(subs / "good" / FIXTURE.name), str(subs / "good")]
    notebooks = {
        "good": _good(),
        "stub": _fresh(),
        "shortcut": _good(ex2="def convolve(x, w):\n    return np.convolve(x, w)"),
        "loop": _good(ex1="while True:\n    pass"),
        "import_crash": _good(ex1="import no_such_module_anywhere\n" + RIGHT_1),
        "sys_exit": _good(ex1="import sys\nsys.exit(1)\n" + RIGHT_1),
        "os_exit": _good(ex2="import os\nos._exit(1)"),
        "vandal": _good(ex1=_vandal(targets)),
        "memory": _good(ex2="big = np.ones((60_000, 60_000))\n" + RIGHT_2),
        "deleted_cell": _drop(_good(), "ex2-convolve"),
        "renamed": _good(ex2=RIGHT_2.replace("def convolve(", "def convolve_1d(")),
        "reordered": _reordered(),
        "other_course": _other_course(),
        "tampered_check": _tampered(),
        "tuned": _good(ex2=TUNED),
    }
    for student, nb in notebooks.items():
        nbformat.write(nb, subs / student / FIXTURE.name)
    (subs / "malformed" / FIXTURE.name).write_text('{"cells": [ this is not json', encoding="utf-8")
    (subs / "no_notebook" / "notes.txt").write_text("I forgot to upload it.", encoding="utf-8")
    return source, subs


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_class_with_every_kind_of_bad_submission(tmp_path):
    source, subs = _make_class(tmp_path)
    before = {**_digest(source), **{f"subs/{k}": v for k, v in _digest(subs).items()}}
    out = tmp_path / "results" / "grades.csv"
    t = time.perf_counter()
    assert main([str(subs), "--out", str(out), "--source", str(source), "-j", "2", "--timeout", "5",
                 "--memory", "3000"]) == 0
    print(f"graded {len(EXPECTED)} submissions in {time.perf_counter() - t:.0f} s")

    after = {**_digest(source), **{f"subs/{k}": v for k, v in _digest(subs).items()}}
    assert after == before, "the grader or a submission changed the instructor's or the students' files"

    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == COLUMNS
    got = {(r["student"], r["exercise"]): r for r in rows}
    problems = []
    for student, statuses in EXPECTED.items():
        for gid, want in zip(("ex1-output-size-check", "ex2-convolve-check", "ex3-why"), statuses):
            r = got[(student, gid)]
            if r["status"] != want:
                problems.append(f"{student} {gid}: {r['status']} (expected {want})")
    assert not problems, problems
    good = [(r["exercise"], r["points"], r["max_points"]) for r in rows if r["student"] == "good"]
    assert good == [("ex1-output-size-check", "2", "2"), ("ex2-convolve-check", "3", "3"), ("ex3-why", "", "1")]
    for r in rows:
        if r["status"] != "passed":
            assert r["points"] in ("0", ""), r

    feedback = (out.parent / "feedback" / "shortcut.md").read_text(encoding="utf-8")
    assert "uses the library's own solution (numpy.convolve): write it yourself" in feedback
    assert "not implemented yet" in (out.parent / "feedback" / "stub.md").read_text(encoding="utf-8")
    assert "time limit" in (out.parent / "feedback" / "loop.md").read_text(encoding="utf-8")
    assert "hidden" in (out.parent / "feedback" / "tuned.md").read_text(encoding="utf-8")
    assert sorted(p.stem for p in (out.parent / "feedback").glob("*.md")) == sorted(EXPECTED)
    free = (out.parent / "free_text.md").read_text(encoding="utf-8")
    assert "Training learns the flipped kernel" in free and "### good" in free


# ------------------------------------------------------------------ plain nbgrader
def _nbgrader(course: Path, *args):
    import subprocess
    import sys

    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course, env=env, check=True,
                   capture_output=True, timeout=900)


def test_plain_nbgrader_gives_0_to_stubs_and_full_marks_to_solutions(tmp_path):
    """For courses with their own nbgrader: generate_assignment + autograde on our notebook 00.

    Its check cells carry hidden-test regions, as every notebook's do: nbgrader removes them from the
    release and runs them when it grades.
    """
    pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook

    notebook = Path(__file__).parent.parent / "notebooks" / "00_course_map.ipynb"
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copy(notebook, course / "source" / "ps1" / notebook.name)
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\nc.CourseDirectory.course_id = 'cnn'\n"
        "c.ExecutePreprocessor.timeout = 600\n")
    _nbgrader(course, "generate_assignment", "ps1")
    released = course / "release" / "ps1" / notebook.name
    assert "### BEGIN SOLUTION" not in released.read_text(encoding="utf-8")
    assert "### BEGIN HIDDEN TESTS" in notebook.read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in released.read_text(encoding="utf-8")
    for student, copy_from in (("stub", released), ("solution", notebook)):
        (course / "submitted" / student / "ps1").mkdir(parents=True)
        shutil.copy(copy_from, course / "submitted" / student / "ps1" / notebook.name)
    _nbgrader(course, "autograde", "ps1")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: [(g.name, g.auto_score, g.max_score) for g in gb.find_submission_notebook(notebook.stem, "ps1", s).grades
                      if g.cell_type == "code"] for s in ("stub", "solution")}
    assert scores["stub"] and all(score == 0 for _, score, _ in scores["stub"]), scores["stub"]
    assert all(score == top and top > 0 for _, score, top in scores["solution"]), scores["solution"]


# ------------------------------------------------------------------ which answers a check covers
def test_each_check_covers_the_answer_cells_since_the_previous_check():
    from helpers.grading.layout import exercises

    def cell(kind, gid=None, source=""):
        c = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        if kind == "answer":
            c.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": gid}
        elif kind == "check":
            c.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": gid, "points": 1}
        return c

    nb = nbformat.v4.new_notebook()
    nb.cells = [cell("code", source="import helpers"), cell("md", source="## Exercises"),
                cell("md", source="### Exercise 1: two parts"), cell("answer", "a"), cell("check", "a-check"),
                cell("answer", "b"), cell("check", "b-check"), cell("check", "b-check-again"),
                cell("md", source="### Exercise 2"), cell("check", "c-check")]
    assert [(e.grade_id, e.answers) for e in exercises(nb)] == [
        ("a-check", ["a"]), ("b-check", ["b"]), ("b-check-again", ["b"]), ("c-check", [])]
