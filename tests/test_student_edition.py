"""The student edition: nothing of the instructor's survives in it, and its checks fail on the stubs.

* The leak test builds the folder that is handed out (``python -m helpers.nbclean --student``)
  and searches every built file for every solution line, every hidden-test line, every line of
  an instructor note and of the grader's hidden cases (``helpers/exercises/hidden.py``).
* Each notebook runs as set-up cell + exercise section only, as a student who jumps to the
  exercises (and the grader) runs it: the instructor's solutions pass every check (✓, no stderr),
  and in the student edition every graded check *raises* (fails) on the stubs, with the
  "not implemented" report.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.grading.layout import exercise_start, setup_index
from helpers.nbclean import build_student, student_edition

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WITH_EXERCISES = [p for p in NOTEBOOKS if "### BEGIN SOLUTION" in p.read_text(encoding="utf-8")]
INSTRUCTOR_TAG = "instructor-note"  # the documented tag (not imported: the test must not follow a change)
FIXTURE = ROOT / "tests" / "fixtures" / "grading" / "tiny_course.ipynb"

_BLOCK = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)[^\n]*\n(.*?)### END \1", re.S)


def _secret_lines(nb) -> tuple[dict[str, str], set[str]]:
    """Lines that only the instructor may see -> where they come from; and the public lines.

    A line that also appears outside any secret (a blank line, ``return out`` of the lecture
    code, here or in another notebook) is not a secret: the caller leaves those out.
    """
    secret, public = {}, set()
    for cell in nb.cells:
        note = INSTRUCTOR_TAG in cell.get("metadata", {}).get("tags", [])
        for m in _BLOCK.finditer(cell.source):
            for line in m.group(2).splitlines():
                secret.setdefault(line.strip(), m.group(1).lower())
        rest = _BLOCK.sub("", cell.source)
        for line in rest.splitlines():
            (secret.setdefault(line.strip(), "instructor note") if note else public.add(line.strip()))
    return {line: why for line, why in secret.items() if len(line) > 3}, public


def _built_text(folder: Path) -> dict[Path, str]:
    texts = {}
    for f in folder.rglob("*"):
        if f.suffix == ".ipynb":
            texts[f] = "\n".join(c.source for c in nbformat.read(f, as_version=4).cells)
        elif f.is_file() and f.suffix in (".py", ".md", ".txt", ".toml", ".yml", ".cfg", ""):
            texts[f] = f.read_text(encoding="utf-8", errors="replace")
    return texts


def _with_instructor_note(nb):
    nb = nbformat.from_dict(nb)
    note = nbformat.v4.new_markdown_cell("Instructor note: students often forget the +1; spend two minutes on it.")
    note.metadata["tags"] = [INSTRUCTOR_TAG]
    nb.cells.insert(2, note)
    return nb


def test_nothing_of_the_instructor_s_survives_in_the_student_edition(tmp_path):
    sources = tmp_path / "src"
    (sources / "notebooks").mkdir(parents=True)
    for p in NOTEBOOKS + [FIXTURE]:  # the fixture has hidden tests; every notebook gets an instructor note
        nbformat.write(_with_instructor_note(nbformat.read(p, as_version=4)), sources / "notebooks" / p.name)
    for name in ("helpers", "pyproject.toml", "environment.yml", "postBuild", "Makefile", "scripts", "README.md"):
        src = ROOT / name
        (sources / name).symlink_to(src, target_is_directory=src.is_dir())
    out = tmp_path / "student"
    build_student(out, root=sources)
    built = _built_text(out)
    assert (out / "notebooks" / FIXTURE.name).exists() and (out / "helpers" / "exercises" / "framework.py").exists()
    assert not (out / "helpers" / "exercises" / "hidden.py").exists()
    assert not (out / "tests").exists()

    secrets, public = {}, set()
    for p in sorted((sources / "notebooks").glob("*.ipynb")):
        secret, seen = _secret_lines(nbformat.read(p, as_version=4))
        secrets.update({line: f"{p.name}: {why}" for line, why in secret.items()})
        public |= seen
    secrets = {line: why for line, why in secrets.items() if line not in public}
    public_helpers = {line.strip() for f, t in built.items() if f.suffix == ".py" for line in t.splitlines()}
    hidden_py = (ROOT / "helpers" / "exercises" / "hidden.py").read_text(encoding="utf-8")
    secrets.update({line.strip(): "helpers/exercises/hidden.py" for line in hidden_py.splitlines()
                    if "Case((" in line and line.strip() not in public_helpers})
    kinds = {why.split(": ")[-1] for why in secrets.values()}
    assert {"solution", "hidden tests", "instructor note", "helpers/exercises/hidden.py"} <= kinds, kinds
    leaks = []
    for f, text in built.items():
        lines = {line.strip() for line in text.splitlines()}
        source = sources / f.relative_to(out)
        if f.suffix != ".ipynb" and source.exists():  # a copied file: only what the copy adds can leak
            lines -= {line.strip() for line in source.read_text(encoding="utf-8", errors="replace").splitlines()}
            lines |= {line.strip() for line in text.splitlines() if "Case((" in line}
        leaks += [(line, secrets[line], str(f.relative_to(out))) for line in lines if line in secrets]
    assert not leaks, leaks[:5]


def test_student_edition_markers(tmp_path):
    nb = student_edition(_with_instructor_note(nbformat.read(FIXTURE, as_version=4)))
    text = "\n".join(c.source for c in nb.cells)
    assert "raise NotImplementedError()" in text and "YOUR ANSWER HERE" in text
    assert "HIDDEN TESTS" not in text and "hidden_seed" not in text and "Instructor note" not in text
    assert "check_convolve1d(convolve)" in text  # the visible check stays
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


# ------------------------------------------------------------------ the stubs fail, the solutions pass
# One kernel serves every run of this module. Each run starts from an empty namespace (%reset -f,
# every figure closed), then runs the notebook's set-up cell and its exercise section: exactly
# what a student who jumps to the exercises has, except that imported modules stay loaded.
RESET = "import matplotlib.pyplot as plt\nplt.close('all')\n%reset -f"


@pytest.fixture(scope="module")
def kernel():
    client = NotebookClient(nbformat.v4.new_notebook(), timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    with client.setup_kernel():
        yield client


def _run_exercises(kernel, path: Path, student: bool):
    """Set-up cell + exercise section of the notebook (its student edition, or the instructor's)."""
    nb = nbformat.read(path, as_version=4)
    nb = student_edition(nb) if student else nb
    run = nbformat.v4.new_notebook(metadata=nb.metadata)
    run.cells = [nbformat.v4.new_code_cell(RESET), nb.cells[setup_index(nb)]] + nb.cells[exercise_start(nb):]
    kernel.nb = run  # the client writes each executed cell back into its notebook
    for k, cell in enumerate(run.cells):
        kernel.execute_cell(cell, k)
    return [c for c in run.cells[1:] if c.cell_type == "code"]


def _error(cell):
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


def _graded(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_solutions_pass_their_checks(kernel, path):
    """The instructor's solutions: every check prints its ✓ line, nothing fails, nothing goes to stderr."""
    cells = _run_exercises(kernel, path, student=False)
    bad = [(c.source[:60], e["ename"], e["evalue"][:200]) for c in cells if (e := _error(c))]
    assert not bad, bad
    graded = [c for c in cells if _graded(c)]
    assert graded, "the notebook has autograded checks"
    for c in graded:
        text = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in c.outputs)
        assert text.startswith("✓"), f"{c.metadata['nbgrader']['grade_id']}: {text[:300]!r}"
    stderr = [o.get("text", "") for c in cells for o in c.outputs if o.get("name") == "stderr"]
    assert not stderr, stderr


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_checks_fail_on_the_student_stubs(kernel, path):
    """The student edition: every graded check raises its ✗ "not implemented" report; nothing else breaks."""
    cells = _run_exercises(kernel, path, student=True)
    graded = [c for c in cells if _graded(c)]
    assert graded
    for cell in graded:
        gid, err = cell.metadata["nbgrader"]["grade_id"], _error(cell)
        assert err is not None, f"{gid}: the check passed the stub"
        assert err["ename"] == "ExerciseFailed", f"{gid}: {err['ename']}: {err['evalue'][:200]}"
        assert err["evalue"].startswith("✗"), err["evalue"][:200]
        assert "not implemented" in err["evalue"] or "not answered" in err["evalue"], err["evalue"][:200]
    for k, cell in enumerate(cells):  # nothing else breaks
        assert _graded(cell) or _error(cell) is None, f"cell {k}: {cell.source[:80]!r} raised {_error(cell)['ename']}"
