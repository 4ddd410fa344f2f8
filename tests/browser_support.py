"""What the browser tests share: Debian's Chromium, a JupyterLab server, opening and running a notebook.

Used by ``test_browser.py``, ``test_browser_fidelity.py``, ``test_deck.py`` (through the fixtures
``lab`` and ``chromium`` of ``tests/conftest.py``: one server per worker, one browser per module)
and by ``benchmarks/bench_browser.py``. Nothing here downloads a browser: Playwright drives
the Chromium that ``apt-get install chromium`` put on PATH.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"

#: Why a browser test skips (or, with REQUIRE_BROWSER_TEST set, fails): None when it can run.
MISSING = None if CHROMIUM else "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
REQUIRED = bool(os.environ.get("REQUIRE_BROWSER_TEST"))

CHROMIUM_ARGS = [
    "--no-sandbox",  # running as root
    "--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-quic",
    # keep Chromium off the network: this machine has none beyond localhost
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-domain-reliability", "--no-pings",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab_server(root: Path, env: dict | None = None):
    """A JupyterLab server whose root is ``root / "notebooks"``; yields ``(url, token)``, stops it at the end.

    The config, runtime and workspace folders live under ``root``; ``env`` adds variables to the
    server's (and its kernels') environment.
    """
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--expose-app-in-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root / 'notebooks'}",
        f"--LabApp.workspaces_dir={root / 'workspaces'}", "--LabApp.news_url=",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / "config"), JUPYTER_RUNTIME_DIR=str(root / "runtime"),
               **(env or {}))
    log = open(root / "server.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (root / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def kernel_env() -> dict:
    """The kernels import ``helpers`` from this checkout, wherever their notebook lies."""
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}


def excerpt(pieces: dict[Path, list[str]]) -> nbformat.NotebookNode:
    """One notebook: the set-up cell, then for each notebook of ``pieces`` its first code cell holding each needle.

    A browser test that is about one widget runs these real cells, not the whole notebook
    (nbval runs every cell of every notebook already). Widgets of several notebooks can share one
    page (one kernel) when the notebooks' set-up cells are the same.
    """
    setup, cells, metadata = None, [], None
    for notebook, needles in pieces.items():
        nb = nbformat.read(notebook, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if setup is None:
            setup, metadata = code[0].source, nb.metadata
        elif code[0].source != setup:
            raise ValueError(f"pieces={list(pieces)!r} is not allowed: {notebook.name}'s set-up cell differs from the first's")
        for needle in needles:
            found = next((c for c in code if needle in c.source), None)
            if found is None:
                raise ValueError(f"needles={needles!r} is not allowed: {needle!r} is in no code cell of {notebook.name}")
            cells.append(found.source)
    out = nbformat.v4.new_notebook(metadata=metadata)
    out.cells = [nbformat.v4.new_code_cell(source) for source in (setup, *cells)]
    return out


def open_and_run_all(page, url: str, token: str, notebook: str) -> None:
    """Open ``notebook`` (a path under the server's root) in a fresh workspace, Run All, wait until it is done."""
    # a fresh workspace per notebook: otherwise JupyterLab restores the tabs an earlier test opened
    page.goto(f"{url}/lab/workspaces/{Path(notebook).stem}/tree/{notebook}?reset&token={token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=120_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    # wait until the kernel is connected and idle, then Run All and wait for it to finish
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                   return k && k.status === 'idle'; }""",
        timeout=120_000,
    )
    assert page.locator(".jp-Dialog").count() == 0, "JupyterLab asked a question (kernel selection?)"
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   const cells = w.content.widgets.filter(c => c.model.type === 'code');
                   const k = w.sessionContext.session.kernel;
                   return k.status === 'idle' && cells.every(c => c.model.executionCount !== null); }""",
        timeout=300_000,
    )


def shut_down_kernel(page) -> None:
    """Stop the kernel of the page's notebook: the next test gets the machine to itself."""
    from playwright.sync_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")


def error_outputs(page) -> list[str]:
    """The text of every error or stderr output on the page (JupyterLab's red boxes)."""
    return page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
    ).all_inner_texts()


# null while the canvas is missing or has no pixels (ipympl resizes it in steps): not yet a picture.
CANVAS_JS = """(css) => { const c = document.querySelector(`.${css} .jupyter-matplotlib-canvas-div canvas`);
                         return (c && c.width > 0 && c.height > 0) ? c.toDataURL('image/png') : null; }"""

EXECUTE_JS = """async (code) => {
    const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const f = k.requestExecute({code, store_history: false, silent: false});
    const out = [];
    f.onIOPub = m => { const t = m.header.msg_type;
        if (t === 'stream') out.push(m.content.text);
        if (t === 'error') out.push('ERROR ' + m.content.ename + ': ' + m.content.evalue); };
    await f.done; return out.join(''); }"""


def run_in_kernel(page, code: str) -> str:
    """Run ``code`` in the kernel of the page's notebook (not in a cell); what it printed."""
    out = page.evaluate(EXECUTE_JS, code)
    assert "ERROR" not in out, out
    return out


def slider_to(page, css_class: str, value: int) -> None:
    """Set an ipywidgets IntSlider found by its CSS class, as a student would: type into its readout."""
    readout = page.locator(f".{css_class} .widget-readout").first
    readout.scroll_into_view_if_needed()
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
