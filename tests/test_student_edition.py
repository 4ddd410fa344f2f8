"""The student edition: nothing of the instructor's survives in it, and its checks fail on the stubs.

* The leak test builds the folder that is handed out (``python -m helpers.nbclean --student``)
  and searches every built file for every solution line, every hidden-test line, every line of
  an instructor note and of the grader's hidden cases (``helpers/exercises/hidden.py``).
* Each notebook runs as set-up cell + exercise section only, as a student who jumps to the
  exercises (and the grader) runs it: the instructor's solutions pass every check, and in the
  student edition every graded check *raises* (fails) on the stubs, with the "not implemented"
  report. A notebook whose solutions do not pass on the set-up cell alone (its exercise section
  is not self-contained yet) falls back to the whole notebook, and the test says so.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
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


# ------------------------------------------------------------------ the stubs fail their checks
#: Notebooks whose exercise section does not yet run on the set-up cell alone: run whole.
WHOLE: set[str] = set()


def _exercise_run(nb, whole: bool):
    start, setup = exercise_start(nb), setup_index(nb)
    keep = list(range(setup, start)) if whole else [setup]
    run = nbformat.v4.new_notebook(metadata=nb.metadata)
    run.cells = [nb.cells[k] for k in keep] + nb.cells[start:]
    return run, len(keep)


def _graded_errors(path: Path, whole: bool, student: bool = True):
    nb = nbformat.read(path, as_version=4)
    nb = student_edition(nb) if student else nb
    run, n_prefix = _exercise_run(nb, whole)
    NotebookClient(run, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   allow_errors=True).execute()
    errors = []
    for k, cell in enumerate(run.cells):
        err = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        graded = cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
        errors.append((k, cell, err, graded))
    return errors, n_prefix


_SELF_CONTAINED: dict[str, bool] = {}


def self_contained(path: Path) -> bool:
    """Whether the instructor's solutions pass every check with the set-up cell + exercises only."""
    if path.stem not in _SELF_CONTAINED:
        errors, _ = _graded_errors(path, whole=False, student=False)
        bad = [(cell.source[:60], err["ename"]) for _, cell, err, _ in errors if err is not None]
        if bad:
            print(f"{path.name}: the exercise section needs more than the set-up cell {bad[:3]}; "
                  "running the whole notebook")
        _SELF_CONTAINED[path.stem] = not bad
    return _SELF_CONTAINED[path.stem]


def check_solutions(path: Path):
    """The instructor's solutions pass every check, set-up + exercises (or, as a fallback, whole)."""
    if path.stem not in WHOLE and self_contained(path):
        return  # self_contained() ran them, set-up + exercises, without an error
    errors, _ = _graded_errors(path, whole=True, student=False)
    bad = [(cell.source[:60], err["ename"], err["evalue"][:200]) for _, cell, err, _ in errors if err is not None]
    assert not bad, bad


def check_student_edition(path: Path):
    whole = path.stem in WHOLE or not self_contained(path)
    errors, n_prefix = _graded_errors(path, whole=whole)
    graded = [(k, cell, err) for k, cell, err, g in errors if g]
    assert graded
    for k, cell, err in graded:
        gid = cell.metadata["nbgrader"]["grade_id"]
        assert err is not None, f"{gid}: the check passed the stub"
        assert err["ename"] == "ExerciseFailed", f"{gid}: {err['ename']}: {err['evalue'][:200]}"
        assert err["evalue"].startswith("✗"), err["evalue"][:200]
        assert "not implemented" in err["evalue"] or "not answered" in err["evalue"], err["evalue"][:200]
    for k, cell, err, g in errors:  # nothing else breaks
        assert g or err is None, f"cell {k}: {cell.source[:80]!r} raised {err and err['ename']}"


# One test class per notebook, not one parametrized function, so that pytest-xdist's
# --dist loadscope (make test) can run the student editions on different workers.
for _path in WITH_EXERCISES:
    _name = "TestStudentEdition_" + _path.stem
    globals()[_name] = type(_name, (), {
        "__doc__": f"The student edition of {_path.name}, set-up cell + exercises.",
        "test_solutions_pass_their_checks": lambda self, path=_path: check_solutions(path),
        "test_checks_fail_on_the_student_stubs": lambda self, path=_path: check_student_edition(path),
    })
