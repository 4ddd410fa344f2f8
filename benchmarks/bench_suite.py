"""Benchmark: where the test suite's time goes, in CPU seconds per kind of process.

    python benchmarks/bench_suite.py                    # the README's test command: pytest -n 2 --dist loadscope
    python benchmarks/bench_suite.py -- tests/test_grade.py -q   # any pytest arguments after --

It runs pytest and, every half second, reads the CPU time of each process of its tree from /proc
(Linux only), then prints the wall time, the CPU seconds of the whole tree and their split by kind:
the pytest workers themselves, notebook kernels (nbval, the student-edition and grading runs),
the browser tests' Chromium, JupyterLab server and kernels, nbgrader. On a two-core machine the
suite cannot finish in less wall time than half its CPU seconds; this table says which part to
shrink. A process that lives less than half a second may be missed. Not a test: it asserts nothing.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def processes() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, CPU seconds so far, command line) for every process we may read."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) "
        found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, cmd)
    return found


def kind(cmd: str, parent_cmd: str) -> str:
    """A short name for what a process is, from its command line and its parent's."""
    if "chrom" in cmd:
        return "Chromium (browser tests)"
    if "jupyterlab" in cmd:
        return "JupyterLab server (browser tests)"
    if "ipykernel" in cmd:
        if "jupyterlab" in parent_cmd:
            return "kernels of the browser tests"
        if "nbgrader" in parent_cmd:
            return "kernels of nbgrader"
        return "kernels (nbval, student edition, grader, static edition)"
    if "nbgrader" in cmd or "alembic" in cmd:
        return "nbgrader"
    if " -OO " in cmd:
        return "the -OO import test"
    if "node" in cmd.split(" ", 1)[0]:
        return "Playwright's driver (node)"
    if "pytest" in cmd:
        return "pytest controller"
    if "exec(eval(" in cmd:  # how pytest-xdist starts a worker
        return "pytest workers (unit, figure and doctest tests, collection)"
    if "multiprocessing" in cmd:
        return "grader's sandboxes"
    return cmd[:50]


def main(argv: list[str]) -> int:
    args = argv[argv.index("--") + 1:] if "--" in argv else ["-n", "2", "--dist", "loadscope", "-q"]
    start = time.monotonic()
    pytest = subprocess.Popen([sys.executable, "-m", "pytest", *args], cwd=ROOT)
    seen: dict[int, tuple[str, float]] = {}
    while pytest.poll() is None:
        table = processes()
        for pid, (ppid, cpu, cmd) in table.items():
            p, hops = pid, 0
            while p not in (pytest.pid, 0, 1) and hops < 50:
                p, hops = table.get(p, (0,))[0], hops + 1
            if p == pytest.pid:
                name = seen[pid][0] if pid in seen else kind(cmd, table.get(ppid, (0, 0, ""))[2])
                seen[pid] = (name, cpu)
        time.sleep(0.5)
    wall = time.monotonic() - start
    totals = collections.Counter()
    for name, cpu in seen.values():
        totals[name] += cpu
    cpu = sum(totals.values())
    print(f"\npytest exit status {pytest.returncode}; wall {wall:.0f} s; CPU {cpu:.0f} s "
          f"({cpu / wall:.2f} cores busy on average); load average now {os.getloadavg()[0]:.1f}")
    for name, seconds in totals.most_common():
        if seconds >= 0.5:
            print(f"{seconds:8.1f} s  {100 * seconds / cpu:4.1f}%  {name}")
    return pytest.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
