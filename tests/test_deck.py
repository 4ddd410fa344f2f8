"""The notebooks as a RISE slideshow (jupyterlab-rise), in a real JupyterLab and headless Chromium.

A presenter opens a notebook in JupyterLab, runs all cells, and starts the slideshow with RISE's
command ``RISE:slideshow``, which saves the notebook and opens ``/rise/<notebook>`` in a new tab.
This test does the same with a small deck built from 03_stride_padding: its title, its set-up cell,
the convolution-explorer slide and the check cell after it. On the explorer's slide it checks that
the set-up and check cells are not shown, that the explorer is a live widget (not its text form),
and that typing a new stride into the slider's readout repaints the figure (new canvas pixels)
and reaches the kernel. With ``DECK_SCREENSHOT`` set, a screenshot of that slide goes there.

The deck ends with one tall slide (60 numbered lines, taller than the screen). 03's metadata asks
RISE to scroll such a slide (``metadata.rise.scroll``, set by scripts/slides_metadata.py). The last
test moves the deck there with the keyboard and checks that the slide fits the window and scrolls.

Widgets need the course's small extension ``cnn-course-rise-widgets`` (helpers/labextensions/): without
it, jupyterlab-rise 0.43 cannot load the ipywidgets 8 manager and shows every widget as text.
One notebook page plus the deck's tab, in the browser tests' shared JupyterLab and Chromium
(tests/conftest.py). Skipped where Chromium is absent (see test_browser.py).
"""

import json
import os
import time
from pathlib import Path

import pytest
from jupyter_core.paths import jupyter_path

from browser_support import CANVAS_JS, error_outputs, open_and_run_all, run_in_kernel, shut_down_kernel, slider_to


REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "notebooks" / "03_stride_padding.ipynb"
SHIM = REPO / "helpers" / "labextensions" / "rise-widgets"
SHIM_NAME = "cnn-course-rise-widgets"
SLIDE = ".reveal section.present"  # reveal.js marks the slide on screen (and its parent stack) "present"
TALL_LINES = 60
TALL_SLIDE = "## A tall slide\n\n" + "\n".join(f"{i}. Line {i} of the tall slide." for i in range(1, TALL_LINES + 1))
# the slide on screen: the innermost "present" section (RISE puts each slide in a stack of its own)
ON_SCREEN_JS = "[...document.querySelectorAll('.reveal .slides section.present')].pop()"
PRESENT_JS = f"""() => {{ const s = {ON_SCREEN_JS}; const last = s && [...s.querySelectorAll('li')].pop();
    return s && {{id: s.id, text: s.innerText, explorer: !!s.querySelector('.conv-explorer'),
                  inline: s.style.overflowY, overflow: getComputedStyle(s).overflowY,
                  height: s.getBoundingClientRect().height, window: window.innerHeight,
                  scrollHeight: s.scrollHeight, clientHeight: s.clientHeight,
                  lastBottom: last ? last.getBoundingClientRect().bottom : null}}; }}"""


def test_the_rise_widgets_extension_ships_and_is_installed():
    meta = json.loads((SHIM / "package.json").read_text(encoding="utf-8"))
    assert meta["name"] == SHIM_NAME and (SHIM / meta["jupyterlab"]["_build"]["load"]).is_file()
    installed = [Path(d) / SHIM_NAME / "package.json" for d in jupyter_path("labextensions")]
    assert any(p.is_file() for p in installed), (
        f"{SHIM_NAME} is not in any share/jupyter/labextensions folder: copy {SHIM.relative_to(REPO)} to "
        f"<sys.prefix>/share/jupyter/labextensions/{SHIM_NAME} (scripts/setup.sh and postBuild do)")


def deck_cells(nb):
    """The deck's cells from 03: the title slide (title, set-up, imports), the explorer's slide and its check,
    then one tall slide of our own."""
    import nbformat

    cells = nb.cells
    second = next(i for i, c in enumerate(cells) if c.source.startswith("## "))
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## 2. The convolution explorer"))
    stop = next(i for i in range(start + 1, len(cells)) if "check" in cells[i].metadata.get("tags", []))
    tall = nbformat.v4.new_markdown_cell(TALL_SLIDE, metadata={"slideshow": {"slide_type": "slide"}})
    return [*cells[:second], *cells[start:stop + 1], tall]


@pytest.fixture(scope="module")
def deck(lab, chromium):
    """(lab page, deck page, the set-up cell's source, the check cell's source): the deck on the explorer's slide."""
    import nbformat

    url, token, root = lab
    source = nbformat.read(SOURCE, as_version=4)
    assert source.metadata.get("rise", {}).get("scroll") is True, "run scripts/slides_metadata.py on 03"
    cells = deck_cells(source)
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=source.metadata), root / "notebooks" / "deck.ipynb")
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})  # a projector's full HD
    slides = None
    try:
        open_and_run_all(page, url, token, "deck.ipynb")
        assert error_outputs(page) == []
        # start on the explorer's slide, as RISE does from the selected cell
        first = next(i for i, c in enumerate(cells) if c.source.startswith("## 2. The convolution explorer"))
        page.evaluate(f"() => {{ window.jupyterapp.shell.currentWidget.content.activeCellIndex = {first}; }}")
        with page.context.expect_page() as opened:
            page.evaluate("() => window.jupyterapp.commands.execute('RISE:slideshow')")
        slides = opened.value
        assert "/rise/deck.ipynb" in slides.url
        # the explorer's output: the live widget, or its text form where the widget manager did not load
        shown = slides.wait_for_selector(
            f"{SLIDE} .conv-explorer, {SLIDE} .jp-OutputArea-output[data-mime-type='text/plain']", timeout=60_000)
        assert slides.locator(f"{SLIDE} .conv-explorer").count() == 1, (
            f"the deck shows the widget as text ({shown.inner_text()[:60]!r}): is {SHIM_NAME} installed?")
        slides.locator(f"{SLIDE} .conv-explorer .jupyter-matplotlib-figure").first.wait_for(timeout=30_000)
        setup = next(c.source for c in cells if "setup_notebook(" in c.source)
        check = next(c.source for c in cells if "check" in c.metadata.get("tags", []))
        yield page, slides, setup, check
    finally:
        if slides is not None:
            slides.close()
        shut_down_kernel(page)
        page.close()


def test_set_up_and_check_cells_are_not_shown(deck):
    lab, slides, setup, check = deck
    shown = slides.evaluate("""() => [...document.querySelectorAll('.reveal .jp-Cell')]
        .map(c => [c.textContent.replace(/\\s+/g, ''), c.checkVisibility()])""")
    def visible(src):
        key = "".join(src.split("\n", 1)[0].split())  # the cell's first line, without spaces
        found = [v for text, v in shown if key in text]
        assert found, f"cell not in the deck: {src[:60]!r}"
        return any(found)
    assert not visible(setup) and not visible(check)
    assert visible("explorer = ConvExplorer(")  # the widget's cell is on screen


def test_widget_in_the_deck_repaints_and_reaches_the_kernel(deck):
    lab, slides, _, _ = deck
    size = slides.locator(f"{SLIDE} .conv-explorer-size").first
    assert size.inner_text().rstrip().endswith("= 28"), size.inner_text()  # 28x28 digit, stride 1, padding 1
    slides.wait_for_timeout(1000)  # let the first draw land
    before = slides.evaluate(CANVAS_JS, "conv-explorer")

    # the keyboard, as a presenter does it: type the new stride into the slider's readout (the deck
    # shows one explorer, so the first one is on this slide)
    slider_to(slides, "conv-explorer-stride", 2)
    slides.wait_for_function(  # floor((28 + 2 - 2 - 1) / 2) + 1 = 14, computed in the kernel
        "() => document.querySelector('.reveal section.present .conv-explorer-size').innerText.trim().endsWith('= 14')",
        timeout=20_000)
    deadline, after = time.monotonic() + 20, before
    while after == before and time.monotonic() < deadline:
        slides.wait_for_timeout(250)
        after = slides.evaluate(CANVAS_JS, "conv-explorer")
    assert after != before, "the figure on the slide did not repaint when the stride changed"
    assert run_in_kernel(lab, "print(explorer.stride.value, explorer.padding.value)").split() == ["2", "1"]  # same kernel
    assert slides.locator(f"{SLIDE} [data-mime-type='application/vnd.jupyter.error']").count() == 0
    if os.environ.get("DECK_SCREENSHOT"):
        slides.screenshot(path=os.environ["DECK_SCREENSHOT"])


def press_until(slides, key, wanted, presses=20):
    """Press ``key`` in the deck until ``wanted(slide)`` holds for the slide on screen (PRESENT_JS); return it."""
    slides.evaluate("() => document.activeElement && document.activeElement.blur()")  # not in a widget's readout
    shown = slides.evaluate(PRESENT_JS)
    for _ in range(presses):
        if wanted(shown):
            return shown
        slides.keyboard.press(key)
        slides.wait_for_timeout(300)
        shown = slides.evaluate(PRESENT_JS)
    raise AssertionError(f"{presses} x {key} did not reach the slide; on screen: {shown['id']} {shown['text'][:60]!r}")


def test_a_tall_slide_scrolls_and_fits_the_window(deck):
    _, slides, _, _ = deck
    last = f"Line {TALL_LINES} of the tall slide."
    try:
        tall = press_until(slides, "ArrowRight", lambda s: last in s["text"])  # the keyboard, as a presenter does
        slides.wait_for_timeout(500)  # RISE styles the slide on reveal's "slidechanged"
        tall = slides.evaluate(PRESENT_JS)
        sizes = {k: v for k, v in tall.items() if k != "text"}
        assert tall["scrollHeight"] > tall["window"], f"the tall slide is not taller than the window: {sizes}"
        assert tall["inline"] == tall["overflow"] == "scroll", f"the tall slide does not scroll: {sizes}"
        assert tall["height"] <= tall["window"], f"the tall slide is cut off at the window's bottom: {sizes}"
        assert tall["scrollHeight"] > tall["clientHeight"], sizes  # there is something to scroll to
        # scrolled to its end, the last line is on screen
        slides.evaluate(f"() => {{ const s = {ON_SCREEN_JS}; s.scrollTop = s.scrollHeight; }}")
        bottom = slides.evaluate(PRESENT_JS)["lastBottom"]
        assert bottom <= tall["window"], f"line {TALL_LINES} stays below the window (bottom {bottom} px)"
    finally:  # back to the explorer's slide, where the other tests expect the deck
        press_until(slides, "ArrowLeft", lambda s: s["explorer"])
