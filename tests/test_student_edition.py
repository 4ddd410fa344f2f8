"""The student edition runs, and every autograded checker reports ✗ on its stubs.

This executes each notebook's student edition in a real kernel (nbclient),
so it exercises the very cells students will run.
"""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers.nbclean import student_edition

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
WITH_EXERCISES = [p for p in NOTEBOOKS if "### BEGIN SOLUTION" in p.read_text(encoding="utf-8")]


def check_student_edition(path):
    nb = student_edition(nbformat.read(path, as_version=4))
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   allow_errors=True).execute()
    graded = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    assert graded
    for cell in graded:
        text = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.outputs)
        assert text.startswith("✗"), f"{cell.metadata['nbgrader']['grade_id']}: expected ✗, got {text[:200]!r}"
        assert "not implemented" in text or "not answered" in text or "NotImplementedError" in text
    # nothing before the exercises breaks in the student edition
    first_graded = nb.cells.index(graded[0])
    for cell in nb.cells[:first_graded]:
        assert not any(o.get("output_type") == "error" for o in cell.get("outputs", [])), cell.source[:80]



# One test class per notebook, not one parametrized function, so that pytest-xdist's
# --dist loadscope (make test) can run the student editions on different workers.
for _path in WITH_EXERCISES:
    _name = "TestStudentEdition_" + _path.stem
    globals()[_name] = type(_name, (), {
        "__doc__": f"The student edition of {_path.name}.",
        "test_checkers_reject_the_student_stubs": lambda self, path=_path: check_student_edition(path),
    })
