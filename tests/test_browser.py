"""A real-browser smoke test: JupyterLab + headless Chromium, as a student would use it.

It starts JupyterLab on 127.0.0.1 with a token, opens 00_course_map in Debian's
Chromium (driven by Playwright; nothing downloads a browser), runs all cells,
moves the kernel widget, and asserts that the figure changed and that no error
or stderr output appeared. Skipped, with the reason, where Chromium is absent;
.ci/run installs it and sets REQUIRE_BROWSER_TEST=1 so that CI cannot skip it.
"""

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

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOTEBOOKS = Path(__file__).parent.parent / "notebooks"

if not CHROMIUM and not os.environ.get("REQUIRE_BROWSER_TEST"):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it",
                allow_module_level=True)

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

    Shared with ``benchmarks/bench_browser.py`` and ``test_browser_fidelity.py``. The config, runtime and
    workspace folders live under ``root``; ``env`` adds variables to the server's (and kernels') environment.
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


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on a copy of notebooks/ (running cells must not touch the repo)."""
    assert CHROMIUM, "REQUIRE_BROWSER_TEST is set but chromium is not installed"
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    with lab_server(root) as (url, token):
        yield url, token, root


def _open_and_run_all(page, url, token, notebook):
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


@contextlib.contextmanager
def _notebook_page(jupyterlab, notebook: str):
    """A Chromium page with ``notebook`` open in JupyterLab, every cell run, no error shown; then closed."""
    from playwright.sync_api import sync_playwright

    url, token, root = jupyterlab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            _open_and_run_all(page, url, token, notebook)
            assert _error_outputs(page) == []
            yield page, root
            assert _error_outputs(page) == []
        finally:
            browser.close()


def _wait_for_change(locator, old: bytes, path: Path, timeout: float = 20.0) -> bytes:
    """Screenshots of ``locator`` until it differs from ``old`` (or the time is up); the last one."""
    deadline = time.monotonic() + timeout
    shot = old
    while shot == old and time.monotonic() < deadline:
        locator.page.wait_for_timeout(250)
        shot = locator.screenshot(path=str(path))
    return shot


def _error_outputs(page) -> list[str]:
    return page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
    ).all_inner_texts()


def test_course_map_runs_and_its_widget_updates_the_figure(jupyterlab):
    with _notebook_page(jupyterlab, "00_course_map.ipynb") as (page, root):
        text = page.locator(".jp-NotebookPanel").inner_text()
        assert "✓ output_size" in text and "✓ vertical_edge_kernel" in text

        figure = page.locator(".jupyter-matplotlib-figure").first
        figure.scroll_into_view_if_needed()
        dropdown = page.locator(".widget-dropdown select").first
        page.wait_for_timeout(1000)  # let the first draw land
        before = figure.screenshot(path=str(root / "figure_before.png"))

        dropdown.select_option("laplacian")
        after = _wait_for_change(figure, before, root / "figure_after.png")
        assert after != before, "the figure did not change when the kernel preset changed"
        assert "laplacian" in page.locator(".widget-html").first.inner_text()

        # a custom entry: the dropdown follows, and so does the figure
        box = page.locator(".widget-text input").first
        box.fill("2")
        box.press("Enter")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.widget-dropdown select')].some(s => s.value === 'custom')",
            timeout=20_000,
        )
        custom = _wait_for_change(figure, after, root / "figure_custom.png")
        assert custom != after, "the figure did not change when a kernel entry was edited"
        page.screenshot(path=str(root / "page.png"), full_page=False)


def _slider_to(page, css_class: str, value: int) -> None:
    """Set an ipywidgets IntSlider found by its CSS class, as a student would: type into its readout."""
    readout = page.locator(f".{css_class} .widget-readout").first
    readout.scroll_into_view_if_needed()
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")


def test_stride_padding_explorer_follows_stride_and_padding(jupyterlab):
    with _notebook_page(jupyterlab, "03_stride_padding.ipynb") as (page, root):
        text = page.locator(".jp-NotebookPanel").inner_text()
        assert "✓ mirror_pad" in text and "✓ output_size" in text and "✓ partial_ratio" in text

        explorer = page.locator(".conv-explorer").first
        figure = explorer.locator(".jupyter-matplotlib-figure").first
        size = explorer.locator(".conv-explorer-size").first
        figure.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)  # let the first draw land
        # the notebook builds it on the 28x28 digit, stride 1, padding 1: output 28
        assert size.inner_text().rstrip().endswith("= 28"), size.inner_text()
        before = figure.screenshot(path=str(root / "explorer_before.png"))

        _slider_to(page, "conv-explorer-stride", 2)
        page.wait_for_function(
            "() => document.querySelector('.conv-explorer-size').innerText.trim().endsWith('= 14')",
            timeout=20_000)
        strided = _wait_for_change(figure, before, root / "explorer_stride.png")
        assert strided != before, "the figure did not change when the stride changed"

        _slider_to(page, "conv-explorer-padding", 3)
        page.wait_for_function(  # floor((28 + 6 - 2 - 1) / 2) + 1 = 16
            "() => document.querySelector('.conv-explorer-size').innerText.trim().endsWith('= 16')",
            timeout=20_000)
        padded = _wait_for_change(figure, strided, root / "explorer_padding.png")
        assert padded != strided, "the figure did not change when the padding changed"
        assert "2·3" in size.inner_text()  # the formula shows the current numbers
        page.screenshot(path=str(root / "page_03.png"), full_page=False)


def test_architecture_browser_follows_the_picked_network(jupyterlab):
    with _notebook_page(jupyterlab, "08_architectures.ipynb") as (page, root):
        # (cells far from the view are not rendered as text, so the ✓ lines are checked by nbval instead)
        browser = page.locator(".arch-browser").first
        browser.scroll_into_view_if_needed()
        figure = browser.locator(".jupyter-matplotlib-figure").first
        about = browser.locator(".arch-browser-about").first
        figure.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)  # let the first draw land
        assert "resnet18" in about.inner_text() and "11,689,512" in about.inner_text()
        before = figure.screenshot(path=str(root / "arch_before.png"))

        browser.locator(".arch-browser-network select").first.select_option("densenet121")
        page.wait_for_function(
            "() => document.querySelector('.arch-browser-about').innerText.includes('7,978,856')", timeout=30_000)
        after = _wait_for_change(figure, before, root / "arch_after.png")
        assert after != before, "the figure did not change when another network was picked"
        page.screenshot(path=str(root / "page_08.png"), full_page=False)
