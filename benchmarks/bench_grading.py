"""Benchmark: how long the class grader (``python -m helpers.grade``) takes for a whole class.

    python benchmarks/bench_grading.py                    # 30 students x every notebook, 2 kernels at a time
    python benchmarks/bench_grading.py --students 4 --jobs 2 --notebooks 02 06

Each simulated student hands in every notebook with the instructor's solutions in the answer
cells (a class where everyone is right, so every check does its full work). The grader runs each
(student, notebook) in its own sandboxed kernel: the set-up cell and the exercise section only.
Prints the wall time, the time per notebook run, and how many rows did not pass (0 expected).
Not a test: it asserts nothing. The load average is printed with the result.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.grade import grade  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30, help="simulated students (default 30)")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="kernels at a time (default 2)")
    parser.add_argument("--notebooks", nargs="*", help="notebook numbers or stems (default: every one with exercises)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60)")
    args = parser.parse_args(argv)

    sources = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if "### BEGIN SOLUTION" in p.read_text("utf-8"))
    if args.notebooks:
        sources = [p for p in sources if any(p.stem.startswith(n) for n in args.notebooks)]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "submissions"
        for k in range(args.students):
            folder = subs / f"student{k:02d}"
            folder.mkdir(parents=True)
            for p in sources:
                shutil.copy(p, folder / p.name)
        t = time.perf_counter()
        rows = grade(subs, Path(tmp) / "grades.csv", source_dir=ROOT / "notebooks", jobs=args.jobs,
                     timeout=args.timeout, notebooks=[p.stem for p in sources], log=print)
        wall = time.perf_counter() - t
    statuses = collections.Counter(r.status for r in rows)
    runs = args.students * len(sources)
    print(f"\n{args.students} students x {len(sources)} notebooks = {runs} runs, {args.jobs} kernels at a time: "
          f"{wall:.0f} s ({wall / 60:.1f} min), {wall / runs:.2f} s per run")
    print(f"statuses: {dict(statuses)} (every autograded row should pass; free text is 'manual')")
    print(f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
