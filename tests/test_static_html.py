"""The static edition (scripts/build_html.py): notebook 00 built into a temp folder, read offline.

The build runs notebook 00 (about 20 s). Where Chromium is installed (or REQUIRE_BROWSER_TEST is
set), a headless browser opens the index from disk, follows every link, and finds no console error,
no failed or outside request, no missing image, and formulas typeset by the local MathJax.
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.nbclean import CHECK_TAG

ROOT = Path(__file__).parent.parent
NB00 = ROOT / "notebooks" / "00_course_map.ipynb"

spec = importlib.util.spec_from_file_location("build_html", ROOT / "scripts" / "build_html.py")
build_html = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_html)


# Every kind of formula the notebooks write (fonts: double-struck, bold, calligraphic, operators,
# big delimiters), for a page of its own beside notebook 00.
FORMULAS = r"""# Formulas

$x \in \mathbb{R}^{C \times H \times W}$, $\mathbf{w}^\top \mathbf{x}$, $\mathcal{L}(\theta)$,
$\lVert a - b\rVert$, $\lfloor n / s \rfloor$, $\lceil n / s \rceil$, $\operatorname{mean}_{jk}\, \sigma_{jk}$,
$\tanh$, $\hat\mu \leftarrow (1 - m)\,\hat\mu$, $\tfrac{1}{2}$, $\int \phi$, $a \odot b$, $\pm\infty$.

$$y = \gamma\,\frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} + \beta, \qquad
\sigma = \Big(\sum_{pq} w_{pq}\, v^2\Big)^{1/2}, \qquad \frac{\partial \mathcal{L}}{\partial x} \approx \text{slope}.$$
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    build_html.build([NB00], out, timeout=300, log=lambda *a: None)
    formulas = new_notebook(cells=[new_markdown_cell(FORMULAS)])
    (out / "formulas.html").write_text(build_html.export(formulas, ["formulas"], 0, build_html.MATHJAX_URL),
                                       encoding="utf-8")
    return out


def test_index_links_every_built_notebook_in_order(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"#]+)">', index)
    assert links == ["00_course_map.html"]
    assert "术语表" in index and "<table class=\"glossary\">" in index
    stems = [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    order = [n for _, numbers in build_html.PARTS for n in numbers]
    assert order == sorted(order) and {s[:2] for s in stems} <= set(order), "every notebook has a place in the index"


def test_page_is_self_contained(site):
    page = (site / "00_course_map.html").read_text(encoding="utf-8")
    # nothing is fetched from the network: no script, stylesheet or image from http(s)
    assert not re.findall(r'<(?:script|img|link)[^>]+(?:src|href)="https?://', page)
    assert "require.js" not in page and "widget-state+json" not in page and "embed-amd" not in page
    assert 'href="index.html"' in page


def test_mathjax_is_copied_once_and_every_page_points_at_it(site):
    # jupyter-server-mathjax is in the test extra: the build must find it, not fall back to LaTeX source
    mathjax = site / "_static" / "mathjax"
    assert (mathjax / "MathJax.js").is_file() and (mathjax / "jax" / "output" / "HTML-CSS").is_dir()
    assert not (mathjax / "jax" / "output" / "SVG").exists() and not (mathjax / "extensions" / "a11y").exists()
    assert [p.name for p in site.rglob("MathJax.js")] == ["MathJax.js"], "one copy for the whole site"
    page = (site / "00_course_map.html").read_text(encoding="utf-8")
    assert f'<script src="{build_html.MATHJAX_URL}"></script>' in page
    assert "LaTeX source" not in (site / "index.html").read_text(encoding="utf-8")


def test_widgets_become_snapshots_and_checks_fold(site):
    page = (site / "00_course_map.html").read_text(encoding="utf-8")
    nb = nbformat.read(NB00, as_version=4)
    n_checks = sum(1 for c in nb.cells if c.cell_type == "code" and CHECK_TAG in c.metadata.get("tags", []))
    assert page.count('<details class="check-cell">') == n_checks > 0
    widget = page.split('class="static-widget"', 1)[1]  # (nbconvert re-serialises: attributes sorted)
    figure = re.search(r'<img alt="figure" src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}" width="(\d+)"', widget)
    assert figure and int(figure.group(1)) > 300, "the explorer's figure, as a PNG snapshot"
    assert "<select disabled" in widget and '<input disabled="" type="number"' in widget  # its controls


def test_widget_html_on_a_synthetic_state():
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_d", "IPY_MODEL_c",
                                                                  "IPY_MODEL_gone"]}},
        "s": {"model_name": "IntSliderModel", "state": {"description": "stride", "value": 2, "min": 1, "max": 4}},
        "d": {"model_name": "DropdownModel", "state": {"_options_labels": ["zeros", "reflect"], "index": 1}},
        "c": {"model_name": "MPLCanvasModel", "state": {}},
    }
    out = build_html.widget_html("box", state, {"c": {"png": "AAAA", "width": 640.0}})
    assert out.startswith('<div class="sw-vbox">')
    assert '<label>stride</label><input type="range" disabled min="1" max="4" step="1" value="2"><span>2</span>' in out
    assert "<option>zeros</option><option selected>reflect</option>" in out
    assert '<img alt="figure" width="640" src="data:image/png;base64,AAAA">' in out
    assert "closed before the end" in out  # the missing child


def test_check_cells_are_found_and_summarised():
    checked = new_code_cell("compare(...)", metadata={"tags": [CHECK_TAG]})
    checked.outputs = [new_output("stream", name="stdout", text="\n✓ equals torch.nn.functional.conv2d\nmore\n")]
    hidden = new_code_cell("x", metadata={"jupyter": {"source_hidden": True}})
    plain = new_code_cell("y")
    nb = new_notebook(cells=[checked, hidden, plain])
    assert build_html.fold_checks(nb) == 2
    assert checked.metadata.static_check == "Check: ✓ equals torch.nn.functional.conv2d"
    assert hidden.metadata.static_check == "Check" and "static_check" not in plain.metadata


# Resolves when MathJax has typeset the page: how many formulas it rendered (HTML-CSS output elements)
# and how many it found in the source (one math/tex script each).
TYPESET_JS = """() => new Promise((resolve, reject) => {
    if (!window.MathJax || !MathJax.Hub) { reject(new Error("MathJax did not load")); return; }
    MathJax.Hub.Queue(() => resolve({rendered: document.querySelectorAll("span.MathJax").length,
                                     source: document.querySelectorAll("script[type^='math/tex']").length}));
})"""


def test_browser_reads_it_offline(site, chromium):
    problems, outside = [], []
    page = chromium.new_page()
    try:
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        index = (site / "index.html").as_uri()
        page.goto(index)
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert links, "the index links nothing"
        seen = set()
        for link in links:
            target = link.split("#")[0]
            if target in seen:
                continue
            seen.add(target)
            page.goto(target)
            page.wait_for_load_state("load")
            typeset = page.evaluate(TYPESET_JS) if target != index else {"rendered": 0, "source": 0}
            broken = page.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                                   ".map(i => i.src.slice(0, 60))")
            assert broken == [], f"{target}: missing images {broken}"
            assert page.evaluate("document.images.length") > 0, f"{target}: no figures"
            for nav in page.eval_on_selector_all("nav a[href]", "els => els.map(e => e.href)"):
                assert Path(nav.split("#")[0].removeprefix("file://")).exists(), f"{target}: dead link {nav}"
            if target != index:  # every formula on the page typeset by MathJax's HTML-CSS output
                assert typeset["rendered"] > 0 and typeset["rendered"] == typeset["source"], f"{target}: {typeset}"
        page.goto((site / "formulas.html").as_uri())  # and every kind of formula, with the fonts it needs
        page.wait_for_load_state("load")
        assert page.evaluate(TYPESET_JS) == {"rendered": 14, "source": 14}
        assert page.evaluate("document.querySelectorAll('.MathJax_Error, merror').length") == 0
    finally:
        page.close()
    assert problems == [] and outside == [], problems + outside
