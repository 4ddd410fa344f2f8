"""The static edition: every notebook executed and saved as HTML that reads offline, without a kernel.

``make html`` runs this script. It writes ``build/html/``:

* ``index.html``: the notebooks in the slides' order, each with its title, and the glossary (术语表);
* one ``NN_name.html`` per notebook: executed with nbclient, figures embedded as PNG, check cells
  folded (a ``<details>`` element whose summary is the check's one output line);
* ``_static/mathjax/``: MathJax 2, copied once for all pages from the ``jupyter-server-mathjax`` package
  (the ``instructor`` and ``test`` extras), so that formulas render offline. Without the package,
  formulas stay as LaTeX source. (nbconvert ships no MathJax: its ``mathjax_url`` points at a CDN.)

Widgets. nbconvert draws saved widget state with ``@jupyter-widgets/html-manager`` and require.js,
which it loads from a CDN, and no installed Python package ships them. This script draws a snapshot
instead: the notebook runs with ``store_widget_state=True``; at the end, one more cell (removed
afterwards) saves every ipympl figure as a PNG; then each widget output becomes plain HTML built
from the saved state: boxes as flex rows and columns, controls as disabled inputs that show their
values, figures as their PNGs, Output widgets as their outputs. Nothing loads from the network.

Usage (from the repository root)::

    python scripts/build_html.py                          # every notebook -> build/html
    python scripts/build_html.py notebooks/00_course_map.ipynb --out /tmp/html
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout: find the helpers package beside it
    sys.path.insert(0, str(ROOT))

from helpers.glossary import glossary_html  # noqa: E402
from helpers.nbclean import CHECK_TAG  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SNAPSHOT_MIME = "application/x-cnn-course-snapshots+json"
#: The slides' four parts and the notebooks in each (by number).
PARTS = (
    ("课程地图 Course map", ("00",)),
    ("历史和动机 History and motivation", ("01",)),
    ("基本操作 Basic operations", ("02", "03", "04", "05", "06")),
    ("新进展 Recent advances", ("07",)),
    ("典型网络架构 Typical architectures", ("08",)),
)

# The extra cell run at the end of each notebook: a PNG of every ipympl figure, by widget id.
# Blitting widgets mark their changing artists "animated", which a plain savefig leaves out,
# so they are drawn for the snapshot.
SNAPSHOT_CODE = f"""
def _cnn_course_snapshots():
    import base64, io
    from IPython.display import display
    from ipywidgets.widgets.widget import _instances
    shots = {{}}
    for model_id, w in list(_instances.items()):
        fig = getattr(w, "figure", None)
        if fig is None or not hasattr(fig, "savefig"):
            continue
        animated = fig.findobj(lambda a: a.get_animated())
        for a in animated:
            a.set_animated(False)
        try:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=fig.dpi)
        finally:
            for a in animated:
                a.set_animated(True)
        width = fig.get_figwidth() * fig.dpi
        shots[model_id] = {{"png": base64.b64encode(buf.getvalue()).decode("ascii"), "width": width}}
    display({{"{SNAPSHOT_MIME}": shots}}, raw=True)
_cnn_course_snapshots()
"""

TEMPLATE = r"""
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}{{ resources.static_mathjax }}{%- endblock html_head_js_mathjax -%}
{%- block extra_css -%}<style type="text/css">{{ resources.static_css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.static_nav }}{%- endblock body_header -%}
{%- block body_footer -%}{{ resources.static_nav }}{{ super() }}{%- endblock body_footer -%}
{%- block any_cell -%}
{%- if cell.metadata.get("static_check") -%}
<details class="check-cell"><summary>{{ cell.metadata.static_check | e }}</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock any_cell -%}
"""

CSS = """
nav.static-nav { font-family: var(--jp-ui-font-family, sans-serif); margin: 8px 0 16px; padding: 6px 10px;
  background: #f3f6fa; border-radius: 4px; }
nav.static-nav a { margin-right: 16px; }
details.check-cell { margin: 4px 0 4px 64px; border-left: 3px solid #9bc59d; padding-left: 8px; }
details.check-cell > summary { cursor: pointer; color: #2e6b30; font-family: var(--jp-code-font-family, monospace);
  font-size: 0.9em; }
.static-widget { border: 1px dashed #b8c4d0; padding: 6px; border-radius: 4px; display: inline-block; max-width: 100%; }
.static-widget .sw-note { font-size: 0.8em; color: #667; margin-bottom: 4px; }
.static-widget .sw-vbox { display: flex; flex-direction: column; gap: 4px; }
.static-widget .sw-hbox { display: flex; flex-direction: row; flex-wrap: wrap; gap: 8px; align-items: flex-start; }
.static-widget .sw-control { font-size: 0.9em; display: flex; gap: 6px; align-items: center; }
.static-widget .sw-control label { min-width: 6em; color: #333; }
.static-widget img { max-width: 100%; height: auto; }
.static-widget .sw-missing { color: #888; font-style: italic; }
/* MathJax's hidden MathML copy of each formula (for screen readers) names TeX fonts that
   jupyter-server-mathjax does not ship (a failed request for double-struck letters such as ℝ); the
   visible formula uses STIX-Web. */
.MJX_Assistive_MathML [mathvariant] { font-family: serif !important; }
"""

MATHJAX_CONFIG = """<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
            processEscapes: true, processEnvironments: true},
  // jupyter-server-mathjax ships the STIX-Web fonts only, without calligraphic letters:
  // \\mathcal{L} is drawn as an italic L
  TeX: {Macros: {mathcal: ["{\\\\mathit{#1}}", 1]}},
  displayAlign: "center", messageStyle: "none", showMathMenu: false,
  menuSettings: {zoom: "None"},
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
               // MathJax's test font points at about:blank, which a file:// page may not load
               styles: {"@font-face": {"font-family": "MathJax_Blank", src: "local('MathJax_Blank')"}}}
});
</script>
<script src="{url}"></script>"""

# What of jupyter-server-mathjax's MathJax 2 the pages load: the TeX input, the HTML-CSS output and its
# STIX-Web fonts (Chromium loads them from file:// pages). Left out: the SVG output (2.9 MB), the
# screen-reader maps (extensions/a11y, 3.7 MB) and the translations (2.1 MB), which no page asks for.
#: Where the pages load MathJax from (relative to build/html), with the configuration nbconvert uses.
MATHJAX_URL = "_static/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
MATHJAX_PARTS = ("MathJax.js", "LICENSE", "config/TeX-AMS-MML_HTMLorMML-full.js", "extensions", "jax/input",
                 "jax/element", "jax/output/HTML-CSS", "fonts/HTML-CSS")


# --------------------------------------------------------------------------- execution
def execute(nb, timeout: int = 900):
    """Run ``nb`` in a fresh kernel in notebooks/; return (the executed notebook, figure snapshots)."""
    from nbclient import NotebookClient

    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a copy
    nb.cells.append(nbformat.v4.new_code_cell(SNAPSHOT_CODE))
    os.environ.setdefault("CNN_COURSE_OFFLINE", "1")  # the kernel inherits it: no downloads
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    last = nb.cells.pop()
    shots = {}
    for out in last.get("outputs", []):
        shots.update(out.get("data", {}).get(SNAPSHOT_MIME, {}))
    return nb, shots


# --------------------------------------------------------------------------- widgets as static HTML
def _ref(value):
    return value[len("IPY_MODEL_"):] if isinstance(value, str) and value.startswith("IPY_MODEL_") else None


def _control(desc: str, inner: str) -> str:
    label = f"<label>{html.escape(desc)}</label>" if desc else ""
    return f'<div class="sw-control">{label}{inner}</div>'


def _output_html(outputs, state, shots, depth) -> str:
    """Outputs saved inside an Output widget, as HTML (widgets, text, HTML, PNG)."""
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(f"<pre>{html.escape(''.join(out.get('text', '')))}</pre>")
            continue
        data = out.get("data", {})
        view = data.get(WIDGET_VIEW, {}).get("model_id")
        if view in state:  # a widget (a figure) shown inside the Output widget: its final state
            parts.append(widget_html(view, state, shots, depth + 1))
        elif "image/png" in data:
            parts.append(f'<img alt="figure" src="data:image/png;base64,{"".join(data["image/png"]).strip()}">')
        elif "text/html" in data:
            parts.append("".join(data["text/html"]))
        elif "text/plain" in data:
            parts.append(f"<pre>{html.escape(''.join(data['text/plain']))}</pre>")
    return "".join(parts)


def widget_html(model_id: str, state: dict, shots: dict, depth: int = 0) -> str:
    """A static picture of widget ``model_id`` from the saved widget ``state``."""
    model = state.get(model_id)
    if model is None or depth > 30:
        return '<div class="sw-missing">(this widget was closed before the end of the notebook)</div>'
    name, s = model.get("model_name", ""), model.get("state", {})
    desc = s.get("description", "") or ""
    if name == "MPLCanvasModel":
        shot = shots.get(model_id)
        if not shot:
            return '<div class="sw-missing">(figure not available)</div>'
        return f'<img alt="figure" width="{int(shot["width"])}" src="data:image/png;base64,{shot["png"]}">'
    if name in ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel", "StackModel"):
        kind = "sw-hbox" if name == "HBoxModel" else "sw-vbox"
        style = ""
        if name == "GridBoxModel":  # a grid: its columns are in its layout model
            layout = state.get(_ref(s.get("layout")) or "", {}).get("state", {})
            columns = layout.get("grid_template_columns") or "repeat(3, auto)"
            style = f' style="display: grid; grid-template-columns: {html.escape(columns)}; gap: 4px;"'
        if name == "StackModel" and s.get("selected_index") is not None:
            children = [s["children"][s["selected_index"]]]
        else:
            children = s.get("children", [])
        inner = "".join(widget_html(_ref(c), state, shots, depth + 1) for c in children if _ref(c))
        return f'<div class="{kind}"{style}>{inner}</div>'
    if name in ("HTMLModel", "HTMLMathModel"):
        return f"<div>{s.get('value', '')}</div>"
    if name == "LabelModel":
        return f"<div>{html.escape(str(s.get('value', '')))}</div>"
    if name == "OutputModel":
        return f"<div>{_output_html(s.get('outputs', []), state, shots, depth)}</div>"
    if name in ("IntSliderModel", "FloatSliderModel", "FloatLogSliderModel"):
        value = s.get("value", 0)
        shown = 10 ** value if name == "FloatLogSliderModel" else value
        rng = (f'<input type="range" disabled min="{s.get("min", 0)}" max="{s.get("max", 100)}" '
               f'step="{s.get("step", 1)}" value="{value}">')
        return _control(desc, f"{rng}<span>{shown:g}</span>")
    if name in ("IntRangeSliderModel", "FloatRangeSliderModel"):
        lo, hi = s.get("value", [0, 0])
        return _control(desc, f"<span>{lo:g} – {hi:g}</span>")
    if name in ("SelectionSliderModel", "SelectionRangeSliderModel", "DropdownModel", "SelectModel",
                "RadioButtonsModel", "ToggleButtonsModel"):
        labels, index = s.get("_options_labels", []), s.get("index")
        chosen = index if isinstance(index, list) else [index]
        opts = "".join(f'<option{" selected" if i in chosen else ""}>{html.escape(str(lab))}</option>'
                       for i, lab in enumerate(labels))
        return _control(desc, f"<select disabled>{opts}</select>")
    if name in ("IntTextModel", "FloatTextModel", "BoundedIntTextModel", "BoundedFloatTextModel"):
        return _control(desc, f'<input type="number" disabled value="{s.get("value", "")}">')
    if name in ("TextModel", "TextareaModel"):
        return _control(desc, f'<input type="text" disabled value="{html.escape(str(s.get("value", "")))}">')
    if name in ("CheckboxModel", "ToggleButtonModel"):
        checked = " checked" if s.get("value") else ""
        return _control(desc, f'<input type="checkbox" disabled{checked}>')
    if name == "ButtonModel":
        return f"<button disabled>{html.escape(desc)}</button>"
    if name in ("FloatProgressModel", "IntProgressModel"):
        return _control(desc, f'<progress max="{s.get("max", 100)}" value="{s.get("value", 0)}"></progress>')
    return f'<div class="sw-missing">({html.escape(name or "widget")})</div>'


def snapshot_widgets(nb, shots: dict) -> int:
    """Replace every widget output of ``nb`` by a static snapshot; drop the saved state. Returns the count."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            model_id = data[WIDGET_VIEW]["model_id"]
            picture = widget_html(model_id, state, shots)
            if model_id not in state and "image/png" in data:  # a closed figure keeps its first picture
                picture = f'<img alt="figure" src="data:image/png;base64,{data["image/png"]}">'
            note = ('<div class="sw-note">Snapshot of an interactive widget: run the notebook in '
                    'JupyterLab to use it.</div>')
            out["data"] = {"text/html": f'<div class="static-widget">{note}{picture}</div>'}
            count += 1
    nb.metadata.pop("widgets", None)
    return count


# --------------------------------------------------------------------------- pages
def is_check_cell(cell) -> bool:
    """A check cell: tagged as checked by nbval (or "check"), or with its source hidden."""
    tags = cell.metadata.get("tags", [])
    hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
    return cell.cell_type == "code" and (CHECK_TAG in tags or "check" in tags or bool(hidden))


def check_summary(cell) -> str:
    """The first line a check cell printed, or "Check"."""
    for out in cell.get("outputs", []):
        text = "".join(out.get("text", "")) if out.get("output_type") == "stream" else \
            "".join(out.get("data", {}).get("text/plain", ""))
        for line in text.splitlines():
            if line.strip():
                line = line.strip()
                return "Check: " + (line if len(line) <= 100 else line[:99] + "…")
    return "Check"


def fold_checks(nb) -> int:
    n = 0
    for cell in nb.cells:
        if is_check_cell(cell):
            cell.metadata["static_check"] = check_summary(cell)
            n += 1
    return n


def title_of(nb, stem: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return stem


def nav(stems: list[str], i: int | None) -> str:
    links = ['<a href="index.html">Index 目录</a>']
    if i is not None and i > 0:
        links.append(f'<a href="{stems[i - 1]}.html">← {stems[i - 1]}</a>')
    if i is not None and i + 1 < len(stems):
        links.append(f'<a href="{stems[i + 1]}.html">{stems[i + 1]} →</a>')
    return f'<nav class="static-nav">{"".join(links)}</nav>'


def copy_mathjax(out: Path) -> str | None:
    """Copy MathJax from jupyter-server-mathjax into ``out/_static/mathjax``; return its relative URL."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        return None
    src = Path(jupyter_server_mathjax.__file__).parent / "static"
    dst = out / "_static" / "mathjax"
    if dst.exists():
        shutil.rmtree(dst)
    for part in MATHJAX_PARTS:
        s = src / part
        if s.is_dir():
            shutil.copytree(s, dst / part, ignore=shutil.ignore_patterns("a11y"))  # screen-reader maps: 3.7 MB
        elif s.exists():
            (dst / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, dst / part)
    return MATHJAX_URL


def export(nb, stems, i, mathjax_url) -> str:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"static.html.j2": TEMPLATE})],
                            template_file="static.html.j2", embed_images=True)
    resources = {
        "static_nav": nav(stems, i),
        "static_css": CSS,
        "static_mathjax": MATHJAX_CONFIG.replace("{url}", mathjax_url) if mathjax_url else "",
        "metadata": {"name": title_of(nb, stems[i])},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def index_page(entries: list[tuple[str, str]], mathjax: bool) -> str:
    by_number = {stem[:2]: (stem, title) for stem, title in entries}
    sections = []
    for part, numbers in PARTS:
        items = [f'<li><a href="{by_number[n][0]}.html">{html.escape(by_number[n][1])}</a></li>'
                 for n in numbers if n in by_number]
        if items:
            sections.append(f"<h2>{html.escape(part)}</h2>\n<ul>{''.join(items)}</ul>")
    extra = [f'<li><a href="{stem}.html">{html.escape(title)}</a></li>' for stem, title in entries
             if not any(stem[:2] in numbers for _, numbers in PARTS)]
    if extra:
        sections.append(f"<h2>More</h2>\n<ul>{''.join(extra)}</ul>")
    note = "" if mathjax else "<p><em>Formulas are shown as LaTeX source (MathJax was not installed).</em></p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>卷积神经网络 Convolutional Neural Networks — static edition</title>
<style>body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.5; padding: 0 1em; }}
table.glossary {{ border-collapse: collapse; font-size: 0.9em; }}
table.glossary td, table.glossary th {{ border: 1px solid #ccd; padding: 3px 6px; text-align: left; }}</style>
</head><body>
<h1>卷积神经网络 Convolutional Neural Networks</h1>
<p>The notebooks of the lecture, run once and saved. Figures and widgets are pictures here:
open the notebooks in JupyterLab to move the sliders.</p>
{note}
{chr(10).join(sections)}
<h2 id="glossary">术语表 Glossary</h2>
{glossary_html()}
</body></html>
"""


def build(paths: list[Path], out: Path, timeout: int = 900, log=print) -> dict:
    """Execute and export ``paths`` into ``out``; return {stem: (seconds, bytes)}."""
    out.mkdir(parents=True, exist_ok=True)
    mathjax_url = copy_mathjax(out)
    stems = [p.stem for p in paths]
    entries, report = [], {}
    for i, path in enumerate(paths):
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        executed, shots = execute(nb, timeout)
        n_widgets = snapshot_widgets(executed, shots)
        n_checks = fold_checks(executed)
        page = export(executed, stems, i, mathjax_url)
        (out / f"{path.stem}.html").write_text(page, encoding="utf-8")
        entries.append((path.stem, title_of(executed, path.stem)))
        seconds = time.perf_counter() - start
        report[path.stem] = (seconds, len(page.encode()))
        log(f"{path.name}: {seconds:.0f} s, {len(page.encode()) / 1e6:.1f} MB, "
            f"{n_widgets} widget snapshot(s), {n_checks} check cell(s) folded")
    (out / "index.html").write_text(index_page(entries, mathjax_url is not None), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "html", help="output folder")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    build(paths, args.out, args.timeout)
    total = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"wrote {args.out} ({total / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
