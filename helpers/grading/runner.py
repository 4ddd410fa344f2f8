"""Run one assembled notebook in a sandboxed kernel, cell by cell, with a time limit per cell.

A cell that runs past its limit, or a kernel that dies (``os._exit``, a crash), does not end
the run: the cell is marked, a fresh kernel starts, the set-up cells run again, and the run goes
on with the next cell. Every exercise is meant to depend only on the set-up.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from helpers.grading.layout import ROLE

__all__ = ["CellResult", "run_notebook", "write_kernelspec"]

KERNEL_NAME = "cnn-grade"


@dataclass
class CellResult:
    role: str
    grade_id: str
    status: str  # "ok", "error", "timeout" or "died"
    ename: str = ""
    evalue: str = ""
    text: str = ""  # what the cell printed or returned


def write_kernelspec(folder: Path) -> Path:
    """A kernel spec whose kernel starts inside :mod:`helpers.grading.sandbox`."""
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "helpers.grading.sandbox", "--",
            sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "graded", "language": "python"}))
    return folder / "kernels"


def _text(outputs) -> str:
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def _error(outputs):
    for out in outputs:
        if out.get("output_type") == "error":
            return out.get("ename", ""), out.get("evalue", "")
    return None


class _Session:
    """One kernel: started in the sandbox, talked to over Unix sockets."""

    def __init__(self, nb, work: Path, specs: Path, env: dict, timeout: int, uid: int, n: int):
        ipc = work / f".kernel{n}"
        self.km = AsyncKernelManager(kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)]),
                                kernel_name=KERNEL_NAME, transport="ipc", ip=str(ipc),
                                connection_file=str(work / f".kernel{n}.json"))
        self.km.write_connection_file()
        if uid >= 0 and os.getuid() == 0:
            os.chown(self.km.connection_file, uid, uid)
        self.timeout = timeout
        self.client = NotebookClient(nb, km=self.km, timeout=timeout, allow_errors=True, startup_timeout=120,
                                     record_timing=False, kernel_name=KERNEL_NAME)
        self._ctx = self.client.setup_kernel(env=env, cwd=str(work))
        self._ctx.__enter__()

    def run(self, cell, index: int, timeout: int | None = None) -> tuple[str, str, str]:
        self.client.timeout = timeout or self.timeout
        try:
            self.client.execute_cell(cell, index)
        except CellTimeoutError:
            return "timeout", "", ""
        except DeadKernelError:
            return "died", "", ""
        err = _error(cell.outputs)
        return ("error", *err) if err else ("ok", "", "")

    def close(self) -> None:
        try:
            self._ctx.__exit__(None, None, None)
        except Exception:
            pass
        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass


def run_notebook(nb, work: Path, specs: Path, *, timeout: int = 60, memory: int = 0, uid: int = -1,
                 env: dict | None = None, setup_timeout: int = 300) -> list[CellResult]:
    """Run the cells of ``nb`` (an assembled notebook) in ``work``; one :class:`CellResult` per cell.

    ``timeout`` limits each cell (seconds); the set-up cells get ``setup_timeout`` (imports take time).
    """
    env = {**os.environ, **(env or {}), "CNN_GRADE_WORK": str(work), "CNN_GRADE_UID": str(uid),
           "CNN_GRADE_MEMORY": str(memory)}
    setup = [k for k, c in enumerate(nb.cells) if c.metadata.get(ROLE, {}).get("role") in ("setup", "prefix")]
    results: list[CellResult] = []
    session, n = None, 0
    try:
        for k, cell in enumerate(nb.cells):
            meta = cell.metadata.get(ROLE, {})
            if session is None:
                n += 1
                session = _Session(nb, work, specs, env, timeout, uid, n)
                if k > 0:  # a fresh kernel after a timeout or a death: the set-up again
                    for s in setup:
                        if s < k:
                            session.run(nbformat_copy(nb.cells[s]), s, setup_timeout)
            status, ename, evalue = session.run(cell, k, setup_timeout if k in setup else timeout)
            if status in ("timeout", "died"):
                session.close()
                session = None
            results.append(CellResult(meta.get("role", ""), meta.get("grade_id", ""), status, ename, evalue,
                                      _text(cell.get("outputs", []))))
    finally:
        if session is not None:
            session.close()
    return results


def nbformat_copy(cell):
    import copy
    return copy.deepcopy(cell)
