"""Grade a class: ``python -m helpers.grade SUBMISSIONS --out grades.csv``.

SUBMISSIONS holds one folder per student with that student's notebooks (same file names as in
``notebooks/``). For every student and every notebook with exercises, the grader

1. reads the submission (a file that is not a notebook gets status ``error``);
2. assembles the notebook to run: the instructor's set-up cell, the student's answer cells
   (found by nbgrader ``grade_id``, in any order), the instructor's check cells with their
   hidden tests (:mod:`helpers.grading.layout`);
3. runs it on its own copy in a fresh kernel, without network, with a memory limit and a time
   limit per cell, several kernels at a time (:mod:`helpers.grading.runner`,
   :mod:`helpers.grading.sandbox`), with the hidden cases switched on;
4. writes ``grades.csv`` (student, notebook, exercise, points, max_points, status), one feedback
   file per student, and one file with every free-text answer for marking by hand.

Status: ``passed``, ``failed`` (the check's ✗), ``shortcut`` (the library's own solution),
``error`` (the answer or the kernel broke), ``timeout``, ``missing`` (no notebook, or no answer
cell), and ``manual`` for a free-text answer (points left empty for the instructor).

Before the students, each notebook's own solutions are graded once ("calibration"): they must
score full marks. A notebook whose exercise section does not run on the set-up cell alone is
then graded with every cell before its exercises (``--whole auto``, the default).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from helpers.grading.layout import Exercise, assemble, exercises, free_text, is_unanswered

__all__ = ["Row", "grade", "main"]

COLUMNS = ["student", "notebook", "exercise", "points", "max_points", "status"]
_FIRST_UID = 61000  # run as root, kernel k runs as user id _FIRST_UID + k


@dataclass
class Row:
    student: str
    notebook: str
    exercise: str
    points: float | str
    max_points: float
    status: str
    title: str = ""
    message: str = ""


def _fmt(x) -> str:
    return "" if x == "" else (str(int(x)) if float(x).is_integer() else f"{x:g}")


# --------------------------------------------------------------------------- one run
def _run_job(job: dict) -> list[dict]:
    """In a worker process: run one assembled notebook; returns its cell results as dicts."""
    from helpers.grading.runner import run_notebook

    work = Path(job["work"])
    nb = nbformat.reads(job["notebook"], as_version=4)
    (work / f"{job['name']}.ipynb").write_text(job["notebook"], encoding="utf-8")
    if job["uid"] >= 0:
        os.chown(work / f"{job['name']}.ipynb", job["uid"], job["uid"])
    t = time.perf_counter()
    results = run_notebook(nb, work, Path(job["specs"]), timeout=job["timeout"], memory=job["memory"],
                           uid=job["uid"], env={"CNN_COURSE_HIDDEN_SEED": str(job["seed"])})
    seconds = time.perf_counter() - t
    return [{**asdict(r), "seconds": seconds} for r in results]


def _score(exs: list[Exercise], results: list[dict], missing: list[str], student_nb, student: str,
           notebook: str) -> list[Row]:
    """Turn a run's cell results into one row per exercise."""
    rows = []
    setup_broken = next((r for r in results if r["role"] in ("setup", "prefix") and r["status"] != "ok"), None)
    by_gid: dict[str, list[dict]] = {}
    for r in results:
        by_gid.setdefault(r["grade_id"], []).append(r)
    for ex in exs:
        max_points = ex.points
        if ex.kind == "manual":
            text = free_text(student_nb, ex.grade_id)
            status = "missing" if is_unanswered(text) else "manual"
            rows.append(Row(student, notebook, ex.grade_id, "", max_points, status, ex.title,
                            "no answer" if status == "missing" else "read by your instructor"))
            continue
        answers = [r for gid in ex.answers for r in by_gid.get(gid, []) if r["role"] in ("answer", "extra")]
        check = next((r for r in by_gid.get(ex.grade_id, []) if r["role"] == "check"), None)
        broken = next((r for r in answers if r["status"] != "ok"), None)
        if any(gid in missing for gid in ex.answers):
            status, message = "missing", "the answer cell is missing from your notebook"
        elif setup_broken is not None:
            status, message = "error", "the set-up cell did not run (the grader's problem: tell your instructor)"
        elif check is None:
            status, message = "error", "the check did not run"
        elif check["status"] == "timeout" or (broken and broken["status"] == "timeout"):
            status, message = "timeout", "a cell ran past the time limit (an endless loop, or far too slow)"
        elif check["status"] == "died" or (broken and broken["status"] == "died"):
            status, message = "error", "the kernel stopped (os._exit, a crash, or too much memory)"
        elif check["status"] == "ok":
            status, message = "passed", check["text"].strip()
        elif check["ename"] == "ShortcutRefused":
            status, message = "shortcut", check["evalue"]
        elif check["ename"] in ("ExerciseFailed", "AssertionError"):
            status, message = "failed", check["evalue"]
        else:
            status = "error"
            cause = broken if broken and broken["status"] == "error" else check
            message = f"{cause['ename']}: {cause['evalue']}"
            if cause["ename"] == "MemoryError":
                message = "MemoryError: the answer used more memory than allowed"
        points = max_points if status == "passed" else 0
        rows.append(Row(student, notebook, ex.grade_id, points, max_points, status, ex.title, message))
    return rows


# --------------------------------------------------------------------------- the class
def _read_submission(folder: Path, name: str):
    """(notebook or None, problem): the student's copy of ``name``, anywhere in their folder."""
    found = sorted(folder.rglob(name))
    if not found:
        return None, "missing"
    try:
        nb = nbformat.reads(found[0].read_text(encoding="utf-8", errors="replace"), as_version=4)
        nbformat.validate(nb)
        return nb, ""
    except Exception as e:  # malformed JSON, not a notebook, ...
        return None, f"the file is not a valid notebook ({type(e).__name__})"


def grade(submissions: Path, out: Path, source_dir: Path = Path("notebooks"), jobs: int = 2, timeout: int = 60,
          memory: int = 4096, hidden_seed: int | None = None, whole: str = "auto", notebooks: list[str] | None = None,
          feedback: Path | None = None, free_text_file: Path | None = None, log=print) -> list[Row]:
    """Grade every student folder in ``submissions``; write the CSV, the feedback and the free text."""
    sources = sorted(p for p in source_dir.glob("*.ipynb") if "### BEGIN SOLUTION" in p.read_text(encoding="utf-8"))
    if notebooks:
        sources = [p for p in sources if p.stem in notebooks or p.name in notebooks]
    if not sources:
        raise ValueError(f"no notebook with exercises in {source_dir}")
    src = {p.name: nbformat.read(p, as_version=4) for p in sources}
    exs = {name: exercises(nb) for name, nb in src.items()}
    if hidden_seed is None:
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
        hidden_seed = int(digest[:8], 16)
    students = sorted(p for p in submissions.iterdir() if p.is_dir())
    subs = {(s.name, name): _read_submission(s, name) for s in students for name in src}  # read before any run

    root = Path(tempfile.mkdtemp(prefix="cnn-grade-"))
    os.chmod(root, 0o711)
    from helpers.grading.runner import write_kernelspec
    specs = write_kernelspec(root / "specs")
    as_root = os.getuid() == 0
    counter = [0]

    def make_job(name: str, text: str) -> dict:
        counter[0] += 1
        work = Path(tempfile.mkdtemp(dir=root))
        uid = _FIRST_UID + counter[0] if as_root else -1
        if uid >= 0:
            os.chown(work, uid, uid)
        return {"work": str(work), "notebook": text, "name": Path(name).stem, "specs": str(specs), "uid": uid,
                "timeout": timeout, "memory": memory, "seed": hidden_seed}

    ctx = multiprocessing.get_context("spawn")
    t0 = time.perf_counter()
    try:
        with cf.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx) as pool:
            # calibration: the instructor's solutions must score full marks
            modes = {}
            for name, nb in src.items():
                tried = ["section", "whole"] if whole == "auto" else [whole.replace("never", "section").replace("always", "whole")]
                for mode in tried:
                    run_nb, _ = assemble(nb, nb, whole=(mode == "whole"))
                    res = pool.submit(_run_job, make_job(name, nbformat.writes(run_nb))).result()
                    rows = _score(exs[name], res, [], nb, "(solutions)", Path(name).stem)
                    bad = [r for r in rows if r.status not in ("passed", "manual")]
                    if not bad:
                        modes[name] = mode
                        break
                    log(f"calibration: {name} ({mode}): {', '.join(f'{r.exercise} {r.status}' for r in bad)}")
                else:
                    modes[name] = tried[-1]
                    log(f"warning: the solutions of {name} do not score full marks; grading it anyway")
            log(f"calibrated {len(src)} notebook(s) in {time.perf_counter() - t0:.0f} s: "
                + ", ".join(f"{Path(n).stem} {m}" for n, m in modes.items()))

            futures, rows = {}, []
            for (student, name), (nb, problem) in subs.items():
                if nb is None:
                    status = "missing" if problem == "missing" else "error"
                    message = "no such notebook in your folder" if problem == "missing" else problem
                    rows += [Row(student, Path(name).stem, e.grade_id, "" if e.kind == "manual" else 0, e.points,
                                 status, e.title, message) for e in exs[name]]
                    continue
                run_nb, missing = assemble(src[name], nb, whole=(modes[name] == "whole"))
                futures[pool.submit(_run_job, make_job(name, nbformat.writes(run_nb)))] = (student, name, nb, missing)
            seconds: dict[str, list[float]] = {}
            for fut in cf.as_completed(futures):
                student, name, nb, missing = futures[fut]
                try:
                    res = fut.result()
                except Exception as e:  # the grader itself failed on this one
                    res = []
                    log(f"{student}/{name}: {type(e).__name__}: {e}")
                if res:
                    seconds.setdefault(name, []).append(res[0]["seconds"])
                rows += _score(exs[name], res, missing, nb, student, Path(name).stem)
            for name, secs in seconds.items():
                log(f"{Path(name).stem} ({modes[name]}): {len(secs)} run(s), {sum(secs) / len(secs):.1f} s each")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    order = {(name, e.grade_id): k for name in src for k, e in enumerate(exs[name])}
    rows.sort(key=lambda r: (r.student, r.notebook, order.get((r.notebook + ".ipynb", r.exercise), 0)))
    _write(rows, out, feedback or out.parent / "feedback", free_text_file or out.parent / "free_text.md", src, exs, subs)
    log(f"graded {len(students)} student(s) x {len(src)} notebook(s) in {time.perf_counter() - t0:.0f} s -> {out}")
    return rows


def _write(rows, out: Path, feedback: Path, free_file: Path, src, exs, subs) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r.student, r.notebook, r.exercise, _fmt(r.points), _fmt(r.max_points), r.status])
    feedback.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list[Row]] = {}
    for r in rows:
        by_student.setdefault(r.student, []).append(r)
    for student, mine in by_student.items():
        auto = [r for r in mine if r.status != "manual" and r.points != ""]
        lines = [f"# Feedback for {student}", "",
                 f"Autograded points: {_fmt(sum(float(r.points) for r in auto))} of "
                 f"{_fmt(sum(r.max_points for r in auto))} (free-text answers are marked by hand).", ""]
        notebook = None
        for r in mine:
            if r.notebook != notebook:
                notebook = r.notebook
                lines += [f"## {notebook}", ""]
            pts = "not marked yet" if r.points == "" else f"{_fmt(r.points)} / {_fmt(r.max_points)}"
            lines += [f"### {r.title or r.exercise} ({r.exercise}): {r.status}, {pts}", ""]
            if r.message:
                lines += ["```", r.message.strip(), "```", ""]
        (feedback / f"{student}.md").write_text("\n".join(lines), encoding="utf-8")
    lines = ["# Free-text answers, to mark by hand", ""]
    for name, ex_list in exs.items():
        for e in ex_list:
            if e.kind != "manual":
                continue
            lines += [f"## {Path(name).stem} / {e.grade_id} ({_fmt(e.points)} points)", "", e.question.strip(), ""]
            for (student, n), (nb, _) in sorted(subs.items()):
                if n != name:
                    continue
                text = free_text(nb, e.grade_id) if nb is not None else None
                lines += [f"### {student}", "", "(no answer)" if is_unanswered(text) else text.strip(), ""]
    free_file.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="one folder per student, with their notebooks")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the CSV to write (default grades.csv)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="kernels at a time")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60)")
    parser.add_argument("--memory", type=int, default=4096, help="memory limit per kernel in MB (default 4096)")
    parser.add_argument("--source", type=Path, default=Path("notebooks"), help="the instructor's notebooks")
    parser.add_argument("--notebooks", nargs="*", help="grade only these notebooks (stems or file names)")
    parser.add_argument("--feedback", type=Path, help="folder of feedback files (default: beside --out)")
    parser.add_argument("--free-text", type=Path, help="file of free-text answers (default: beside --out)")
    parser.add_argument("--hidden-seed", type=int, help="seed of the hidden cases (default: from the sources)")
    parser.add_argument("--whole", choices=["auto", "never", "always"], default="auto",
                        help="run every cell before the exercises: auto (when set-up + exercises fail the "
                             "solutions), never, always")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    grade(args.submissions, args.out, args.source, args.jobs, args.timeout, args.memory, args.hidden_seed,
          args.whole, args.notebooks, args.feedback, args.free_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
