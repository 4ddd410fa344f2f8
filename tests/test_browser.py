"""A real-browser smoke test: JupyterLab + headless Chromium, as a student would use it.

It opens 00_course_map in JupyterLab in Debian's Chromium (driven by Playwright; nothing downloads
a browser), runs all cells, moves the kernel widget, and asserts that the figure changed and that
no error or stderr output appeared. Two more tests move 03's convolution explorer and 08's
architecture browser: one page runs the set-up cell and these widgets' real cells from both notebooks.
Skipped, with the reason, where Chromium is absent; .ci/run installs it and sets
REQUIRE_BROWSER_TEST=1 so that CI cannot skip it. The server and the browser are the session
fixtures ``lab`` and ``chromium`` (tests/conftest.py), shared with the other browser tests.
"""

import contextlib
import time
from pathlib import Path

import nbformat
import pytest

from browser_support import NOTEBOOKS, error_outputs, excerpt, open_and_run_all, shut_down_kernel, slider_to



@contextlib.contextmanager
def _notebook_page(lab, chromium, notebook: str, pieces: dict[Path, list[str]] | None = None):
    """A page with ``notebook`` open in JupyterLab, every cell run, no error shown; then closed.

    With ``pieces``, ``notebook`` is a new notebook of their set-up cell and the cells holding the needles.
    """
    url, token, root = lab
    if pieces:
        nbformat.write(excerpt(pieces), root / "notebooks" / notebook)
    page = chromium.new_page(viewport={"width": 1500, "height": 1100})
    try:
        open_and_run_all(page, url, token, notebook)
        assert error_outputs(page) == []
        yield page, root
        assert error_outputs(page) == []
    finally:
        shut_down_kernel(page)
        page.close()


# 03's convolution explorer and 08's architecture browser: their notebooks' real cells, on one page
WIDGETS = {
    NOTEBOOKS / "03_stride_padding.ipynb": ["explorer = ConvExplorer("],
    NOTEBOOKS / "08_architectures.ipynb": ["from helpers.figures.architectures import",
                                            'browser = ArchitectureBrowser("resnet18")'],
}


@pytest.fixture(scope="module")
def widgets(lab, chromium):
    with _notebook_page(lab, chromium, "widgets_excerpt.ipynb", WIDGETS) as (page, root):
        yield page, root


def _wait_for_change(locator, old: bytes, path: Path, timeout: float = 20.0) -> bytes:
    """Screenshots of ``locator`` until it differs from ``old`` (or the time is up); the last one."""
    deadline = time.monotonic() + timeout
    shot = old
    while shot == old and time.monotonic() < deadline:
        locator.page.wait_for_timeout(250)
        shot = locator.screenshot(path=str(path))
    return shot


def test_course_map_runs_and_its_widget_updates_the_figure(lab, chromium):
    with _notebook_page(lab, chromium, "00_course_map.ipynb") as (page, root):
        text = page.locator(".jp-NotebookPanel").inner_text()
        assert "✓ input_sizes" in text and "✓ vertical_edge_kernel" in text

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


def test_stride_padding_explorer_follows_stride_and_padding(widgets):
    page, root = widgets
    explorer = page.locator(".conv-explorer").first
    figure = explorer.locator(".jupyter-matplotlib-figure").first
    size = explorer.locator(".conv-explorer-size").first
    figure.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # let the first draw land
    # the notebook builds it on the 28x28 digit, stride 1, padding 1: output 28
    assert size.inner_text().rstrip().endswith("= 28"), size.inner_text()
    before = figure.screenshot(path=str(root / "explorer_before.png"))

    slider_to(page, "conv-explorer-stride", 2)
    page.wait_for_function(
        "() => document.querySelector('.conv-explorer-size').innerText.trim().endsWith('= 14')",
        timeout=20_000)
    strided = _wait_for_change(figure, before, root / "explorer_stride.png")
    assert strided != before, "the figure did not change when the stride changed"

    slider_to(page, "conv-explorer-padding", 3)
    page.wait_for_function(  # floor((28 + 6 - 2 - 1) / 2) + 1 = 16
        "() => document.querySelector('.conv-explorer-size').innerText.trim().endsWith('= 16')",
        timeout=20_000)
    padded = _wait_for_change(figure, strided, root / "explorer_padding.png")
    assert padded != strided, "the figure did not change when the padding changed"
    assert "2·3" in size.inner_text()  # the formula shows the current numbers
    page.screenshot(path=str(root / "page_03.png"), full_page=False)


def test_architecture_browser_follows_the_picked_network(widgets):
    page, root = widgets
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
