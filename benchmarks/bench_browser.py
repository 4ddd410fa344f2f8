"""Benchmark: how fast the widgets answer in a real JupyterLab, in headless Chromium, as a student feels it.

    python benchmarks/bench_browser.py                     # notebooks 00-08, 5 steps per control
    python benchmarks/bench_browser.py --notebooks 03 04 --repeats 8 --json out.json

For every slider and dropdown of each notebook (after Run All): the time from a key press on the
control (ArrowRight or ArrowLeft on the focused slider handle; choosing an option in a dropdown) to
the figure's next paint. A paint is the page's first ``drawImage`` / ``putImageData`` on a canvas in
the control's output, a new ``<img>`` there, or a new picture loaded in an ``<img>`` there, after the
press; all are recorded with
``performance.now()`` by a script that runs before the page's own. Then "drag settle" for each
slider: 8 presses 40 ms apart, the time from the last press that moved it to the last paint (and, as "drag
total", from the first press: the presses alone take 280 ms of it).

``--probe`` measures, instead of the course, figures that do almost nothing in the kernel: the floor
that ipympl's round trip and frame transfer set; the same picture sent as a PNG to ipywidgets' own
``Image`` widget (no ipympl); and, where anywidget is installed, the same frame put on a canvas by a
small widget (raw pixels, or a PNG that the browser decodes) and the same picture drawn by the
browser, through the kernel and linked in the page (see ``PROBE``).

JupyterLab and Chromium start as in the browser tests (``tests/browser_support.py``: same flags, a
token, a temporary copy of ``notebooks/``). Not a test: it prints a table and asserts nothing. The machine is shared: the load
average is printed with the table, and a busy machine shows in the numbers.
"""


import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

#: The floors of issue 9, in ms.
FLOORS = {"median": 50, "worst step": 100, "drag settle": 150, "dropdown": 100}

DRAG_STEPS, DRAG_GAP_MS = 8, 40
PAINT_TIMEOUT_MS = 5000  # a press that paints nothing within this counts as "no paint"
QUIET_MS = 500  # after a measurement: no paint for this long (and the kernel idle) before the next one

# Runs before the page's scripts: time-stamps every canvas paint, every new <img>, every key press and change.
INIT_SCRIPT = r"""
(() => {
  const paints = window.__paints = [];
  const inputs = window.__inputs = [];
  for (const name of ['drawImage', 'putImageData']) {
    const original = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) {
      paints.push({t: performance.now(), el: this.canvas});
      return original.apply(this, args);
    };
  }
  new MutationObserver(records => {
    const t = performance.now();
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType !== 1) continue;
      if (n.tagName === 'IMG') paints.push({t, el: n});
      else for (const img of n.querySelectorAll('img')) paints.push({t, el: img});
    }
  }).observe(document, {childList: true, subtree: true});
  // an <img> whose picture changes in place (ipywidgets' Image widget sets a new src): its load event
  document.addEventListener('load', e => {
    if (e.target && e.target.tagName === 'IMG') paints.push({t: performance.now(), el: e.target});
  }, true);
  // where the time goes: the first message to the kernel, the image's arrival (ipympl makes a blob URL of it)
  const marks = window.__marks = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (...args) { marks.push({t: performance.now(), kind: 'send'}); return send.apply(this, args); };
  const blob = URL.createObjectURL;
  URL.createObjectURL = function (...args) { marks.push({t: performance.now(), kind: 'image'}); return blob.apply(this, args); };
  for (const type of ['keydown', 'change']) {
    document.addEventListener(type, () => inputs.push({t: performance.now(), type}), true);
  }
})();
"""

# (root, mark) -> [ms from the input number `mark` to the first paint inside root after it, to the first
# websocket send after it, to the last image arrival before that paint], or null.
FIRST_PAINT = """([root, mark]) => {
  const i = window.__inputs[mark];
  if (!i) return null;
  const p = window.__paints.find(p => p.t >= i.t && root.contains(p.el));
  if (!p) return null;
  const send = window.__marks.find(m => m.kind === 'send' && m.t >= i.t);
  const images = window.__marks.filter(m => m.kind === 'image' && m.t >= i.t && m.t <= p.t);
  return [p.t - i.t, send ? send.t - i.t : null, images.length ? images[images.length - 1].t - i.t : null];
}"""

# (root, mark) -> [ms from input `mark` to the last paint inside root, number of such paints, ms since it,
#                  ms from the last input to that paint].
LAST_PAINT = """([root, mark]) => {
  const i = window.__inputs[mark], last_input = window.__inputs[window.__inputs.length - 1];
  const ps = window.__paints.filter(p => i && p.t >= i.t && root.contains(p.el));
  if (!ps.length) return [null, 0, performance.now() - (i ? i.t : 0), null];
  const last = ps[ps.length - 1].t;
  return [last - i.t, ps.length, performance.now() - last, last - last_input.t];
}"""

KERNEL_IDLE = """() => { const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""


@dataclass
class Control:
    """One measured control: its notebook, a readable name, and what was measured (ms)."""

    notebook: str
    name: str
    kind: str  # "slider" or "dropdown"
    steps: list = field(default_factory=list)  # single steps; None = no paint within the timeout
    sent: list = field(default_factory=list)  # press -> first message to the kernel
    arrived: list = field(default_factory=list)  # press -> the image of the paint arrives in the page
    drags: list = field(default_factory=list)  # drag settle: from the last press to the last paint
    drag_totals: list = field(default_factory=list)  # from the first press to the last paint

    def painted(self) -> list[float]:
        return [s for s in self.steps if s is not None]


def _median(xs):
    return statistics.median(xs) if xs else float("nan")


def summarize(controls: list[Control]) -> list[dict]:
    """Per notebook: median over all its single steps, worst slider step, worst dropdown step, worst drag.

    >>> c = [Control("03", "stride", "slider", [30.0, 50.0], [120.0]), Control("03", "input", "dropdown", [90.0])]
    >>> summarize(c)[0]["median"], summarize(c)[0]["worst step"], summarize(c)[0]["dropdown"]
    (50.0, 50.0, 90.0)
    """
    rows = []
    for nb in dict.fromkeys(c.notebook for c in controls):
        mine = [c for c in controls if c.notebook == nb]
        steps = [s for c in mine for s in c.painted()]
        sliders = [s for c in mine if c.kind == "slider" for s in c.painted()]
        drops = [s for c in mine if c.kind == "dropdown" for s in c.painted()]
        drags = [d for c in mine for d in c.drags if d is not None]
        rows.append({"notebook": nb, "median": _median(steps), "worst step": max(sliders, default=float("nan")),
                     "dropdown": max(drops, default=float("nan")), "drag settle": max(drags, default=float("nan")),
                     "no paint": sum(s is None for c in mine for s in c.steps)})
    return rows


def print_table(controls: list[Control]) -> None:
    print("ms from the press; 'sent': to the first message to the kernel, 'image': to the image's arrival")
    print("'drag': from the last of 8 presses (40 ms apart) to the last paint; 'total': from the first press")
    print(f"{'notebook':20} {'control':36} {'kind':8} {'median':>7} {'worst':>7} {'drag':>7} {'total':>6} {'sent':>5} {'image':>6}")
    for c in controls:
        p = c.painted()
        miss = len(c.steps) - len(p)
        drag = f"{max(c.drags):7.0f}" if c.drags and None not in c.drags else f"{'—':>7}"
        total = f"{max(c.drag_totals):6.0f}" if c.drag_totals and None not in c.drag_totals else f"{'—':>6}"
        sent = _median([x for x in c.sent if x is not None])
        arrived = _median([x for x in c.arrived if x is not None])
        print(f"{c.notebook:20} {c.name[:36]:36} {c.kind:8} {_median(p):7.0f} {max(p, default=float('nan')):7.0f} "
              f"{drag} {total} {sent:5.0f} {arrived:6.0f}" + (f"  ({miss} without a paint)" if miss else ""))
    print()
    print(f"{'per notebook (ms)':20} {'median':>7} {'worst step':>11} {'dropdown':>9} {'drag settle':>12}")
    for r in summarize(controls):
        print(f"{r['notebook']:20} {r['median']:7.0f} {r['worst step']:11.0f} {r['dropdown']:9.0f} "
              f"{r['drag settle']:12.0f}" + (f"  ({r['no paint']} presses without a paint)" if r["no paint"] else ""))
    print(f"{'floors':20} {FLOORS['median']:7} {FLOORS['worst step']:11} {FLOORS['dropdown']:9} "
          f"{FLOORS['drag settle']:12}")


# ---- the transport probe (--probe)

#: A notebook of figures whose slider changes only a title, each update a blit and a whole frame, as the
#: course's widgets send (helpers.figures.base): a tiny figure (the round trip alone) and one of
#: notebook 05's size, 960 x 370 pixels of photo-like content (the round trip and a big frame).
PROBE = [
    "import helpers\nhelpers.setup_notebook()",
    """\
import ipywidgets as W
import numpy as np
from helpers.figures.base import FigureWidget


class Probe(FigureWidget):
    def __init__(self, label, width, height):
        self.slider = W.IntSlider(value=10, min=0, max=20, description=label, style={"description_width": "initial"})
        fig, ax = self.subplots(figsize=(width / 100, height / 100), dpi=100)
        ax.imshow(np.random.default_rng(0).random((height // 4, width // 4)), cmap="gray", interpolation="nearest")
        ax.set_axis_off()
        self.title = fig.suptitle(" ")
        self._finish(fig, [self.title], self.slider)
        self._watch(self.slider)
        self.update()

    def update(self):
        self.title.set_text(f"value {self.slider.value}")
        self.redraw()""",
    "Probe('tiny figure, 200x80', 200, 80)",
    "Probe('notebook 05 size, 960x370', 960, 370)",
    # The same picture drawn by the browser (anywidget, when installed; not a dependency of the course):
    # through the kernel (the slider's change goes there and comes back as the widget's value), and
    # linked in the page (jslink: no kernel at all).
    """\
try:
    import anywidget
    import traitlets
except ImportError:
    anywidget = None
    print("anywidget is not installed: no anywidget probes (frames on a canvas, browser-drawn)")
else:
    class BrowserDrawn(anywidget.AnyWidget):
        _esm = '''
        export default { render({ model, el }) {
          const [w, h] = [960, 370], canvas = document.createElement("canvas");
          canvas.width = w; canvas.height = h; el.appendChild(canvas);
          const ctx = canvas.getContext("2d"), bg = ctx.createImageData(w, h);
          let seed = 1;  // photo-like grey blocks of 4x4 pixels, as in the figure probes
          for (let y = 0; y < h; y += 4) for (let x = 0; x < w; x += 4) {
            seed = (seed * 16807) % 2147483647; const v = seed % 256;
            for (let dy = 0; dy < 4 && y + dy < h; dy++) for (let dx = 0; dx < 4 && x + dx < w; dx++) {
              const i = 4 * ((y + dy) * w + x + dx); bg.data[i] = bg.data[i + 1] = bg.data[i + 2] = v; bg.data[i + 3] = 255; } }
          const draw = () => { ctx.putImageData(bg, 0, 0); ctx.fillStyle = "white"; ctx.fillRect(0, 0, w, 30);
                               ctx.fillStyle = "black"; ctx.font = "16px sans-serif";
                               ctx.fillText("value " + model.get("value"), w / 2 - 30, 20); };
          draw(); model.on("change:value", draw);
        } };'''
        value = traitlets.Int(10).tag(sync=True)

    def browser_drawn(label, linked):
        slider = W.IntSlider(value=10, min=0, max=20, description=label, style={"description_width": "initial"})
        picture = BrowserDrawn()
        if linked:
            W.jslink((slider, "value"), (picture, "value"))
        else:
            slider.observe(lambda change: setattr(picture, "value", change["new"]), names="value")
        return W.VBox([slider, picture])""",
    # The same picture as a PNG in ipywidgets' own Image widget (no ipympl): the kernel blits the title
    # on an Agg canvas, encodes the whole frame as the course's widgets do (encode_png) and sets the
    # widget's value.
    """\
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers.figures.pixels import encode_png

def agg_probe(label, width, height, view, send):
    '''A slider above view; each change blits the title on a plain Agg canvas and calls send(pixels).'''
    slider = W.IntSlider(value=10, min=0, max=20, description=label, style={"description_width": "initial"})
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.imshow(np.random.default_rng(0).random((height // 4, width // 4)), cmap="gray", interpolation="nearest")
    ax.set_axis_off()
    title = fig.suptitle(" ", animated=True)
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)

    def update(change=None):
        canvas.restore_region(background)
        title.set_text(f"value {slider.value}")
        fig.draw_artist(title)
        send(np.asarray(canvas.buffer_rgba()))

    update()
    slider.observe(update, names="value")
    return W.VBox([slider, view])


def png_view(label, width, height):
    image = W.Image(format="png", layout=W.Layout(width=f"{width}px", height=f"{height}px"))
    return agg_probe(label, width, height, image, lambda pixels: setattr(image, "value", encode_png(pixels)))

png_view('PNG in an Image widget, 960x370', 960, 370)""",
    # matplotlib's own pixels, drawn on a canvas by a widget of a few lines of JavaScript: the frame
    # as raw RGBA bytes (putImageData, no decoding) or as a PNG decoded by createImageBitmap.
    """\
if anywidget is not None:
    class FrameView(anywidget.AnyWidget):
        _esm = '''
        export default { render({ model, el }) {
          const canvas = document.createElement("canvas"), ctx = canvas.getContext("2d");
          el.appendChild(canvas);
          const draw = async () => {
            const [w, h] = model.get("size"), data = model.get("frame");
            if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
            if (model.get("raw")) {
              const px = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
              ctx.putImageData(new ImageData(px, w, h), 0, 0);
            } else {
              ctx.drawImage(await createImageBitmap(new Blob([data], {type: "image/png"})), 0, 0);
            }
          };
          draw(); model.on("change:frame", draw);
        } };'''
        frame = traitlets.Bytes(b"").tag(sync=True)
        size = traitlets.List([1, 1]).tag(sync=True)
        raw = traitlets.Bool(True).tag(sync=True)

    def frame_view(label, width, height, raw):
        view = FrameView(size=[width, height], raw=raw)
        return agg_probe(label, width, height, view,
                         lambda pixels: setattr(view, "frame", pixels.tobytes() if raw else encode_png(pixels)))""",
    "anywidget and frame_view('raw pixels on a canvas, 960x370', 960, 370, raw=True)",
    "anywidget and frame_view('PNG by createImageBitmap, 960x370', 960, 370, raw=False)",
    "anywidget and browser_drawn('browser-drawn 960x370, via the kernel', linked=False)",
    "anywidget and browser_drawn('browser-drawn 960x370, linked in the page', linked=True)",
]


def write_probe(folder: Path) -> str:
    """The probe notebook in ``folder``; returns its file name."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in PROBE])
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, folder / "probe.ipynb")
    return "probe.ipynb"


# ---- the browser side


def _wait_quiet(page, root, mark: int) -> None:
    """Until the kernel is idle and nothing inside root has painted for QUIET_MS."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, _, since, _ = page.evaluate(LAST_PAINT, [root, mark])
        if since >= QUIET_MS and page.evaluate(KERNEL_IDLE):
            return
        page.wait_for_timeout(100)


def _first_paint(page, control: Control, root, mark: int) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        handle = page.wait_for_function(FIRST_PAINT, arg=[root, mark], timeout=PAINT_TIMEOUT_MS, polling=10)
        paint, sent, arrived = handle.json_value()
    except PlaywrightTimeout:  # no paint
        paint = sent = arrived = None
    control.steps.append(paint)
    control.sent.append(sent)
    control.arrived.append(arrived)


def _handle_state(handle) -> tuple[float, float, float]:
    return handle.evaluate("h => [h.getAttribute('aria-valuenow'), h.getAttribute('aria-valuemin'),"
                           " h.getAttribute('aria-valuemax')].map(Number)")


def _measure_slider(page, control: Control, widget, root, repeats: int, drags: int) -> None:
    handle = widget.query_selector(".noUi-handle")
    direction = "ArrowRight"
    for _ in range(repeats):
        now, lo, hi = _handle_state(handle)
        if now >= hi:
            direction = "ArrowLeft"
        elif now <= lo:
            direction = "ArrowRight"
        handle.focus()
        mark = page.evaluate("() => window.__inputs.length")
        page.keyboard.press(direction)
        _first_paint(page, control, root, mark)
        _wait_quiet(page, root, mark)
    for _ in range(drags):  # toward the side with more room, as far as 8 steps go
        now, lo, hi = _handle_state(handle)
        key = "ArrowRight" if hi - now >= now - lo else "ArrowLeft"
        handle.focus()
        mark = page.evaluate("() => window.__inputs.length")
        start, effective = time.perf_counter(), 0
        for i in range(DRAG_STEPS):
            time.sleep(max(0.0, start + i * DRAG_GAP_MS / 1e3 - time.perf_counter()))
            page.keyboard.press(key)
            value = _handle_state(handle)[0]
            if value != now:  # this press moved the slider (at the end of its range, presses do nothing)
                effective, now = i, value
        _wait_quiet(page, root, mark)
        total, _, _, _ = page.evaluate(LAST_PAINT, [root, mark])
        last_press = page.evaluate("i => window.__inputs[i].t", mark + effective)
        first_press = page.evaluate("i => window.__inputs[i].t", mark)
        control.drags.append(None if total is None else total - (last_press - first_press))
        control.drag_totals.append(total)


def _measure_dropdown(page, control: Control, select, root, repeats: int) -> None:
    options = select.evaluate("s => [...s.options].map(o => o.value)")
    start = options.index(select.evaluate("s => s.value"))
    # "custom" (the kernel explorer) only names an edited kernel: choosing it changes nothing by design
    options = [o for o in options if o != "custom"] or options
    for r in range(repeats):
        value = options[(start + 1 + r) % len(options)]
        mark = page.evaluate("() => window.__inputs.length")
        select.select_option(value)
        _first_paint(page, control, root, mark)
        _wait_quiet(page, root, mark)
    select.select_option(options[start])  # back where it was
    page.wait_for_timeout(QUIET_MS)


def _label(widget, index: int) -> str:
    text = widget.evaluate("w => (w.querySelector('.widget-label') || {}).textContent || ''").strip()
    return f"#{index} {text or '(no label)'}"


def _shown(page, widget) -> bool:
    """Scroll the control's cell into view (JupyterLab renders only the cells near the view); is it visible?"""
    from playwright.sync_api import Error as PlaywrightError

    try:
        if not widget.evaluate("w => { if (!w.isConnected) return false;"
                               " (w.closest('.jp-Cell') || w).scrollIntoView({block: 'center'}); return true; }"):
            return False
        page.wait_for_timeout(300)  # the cell's content is laid out
        if not widget.is_visible():
            return False
        widget.scroll_into_view_if_needed(timeout=5000)
    except PlaywrightError:  # "element is not visible": hidden (display: none, a collapsed output)
        return False
    return True


def measure_notebook(browser, url: str, token: str, notebook: str, repeats: int, drags: int,
                     skipped: list | None = None) -> list[Control]:
    """Every visible slider and dropdown of ``notebook``; the hidden ones go to ``skipped`` (as kind "hidden")."""
    import browser_support  # tests/browser_support.py: how the browser tests open and run a notebook

    skipped = [] if skipped is None else skipped

    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.add_init_script(INIT_SCRIPT)
    try:
        browser_support.open_and_run_all(page, url, token, notebook)
        errors = browser_support.error_outputs(page)
        if errors:
            raise RuntimeError(f"{notebook} shows errors after Run All: {errors[:3]}")
        page.wait_for_timeout(1500)  # let the first draws land
        stem = Path(notebook).stem
        controls = []
        widgets = page.query_selector_all(".jp-OutputArea-output .widget-slider, .jp-OutputArea-output .widget-dropdown")
        for index, widget in enumerate(widgets):
            root = widget.evaluate_handle("w => w.closest('.jp-OutputArea-output')")
            if not _shown(page, widget):
                # hidden (a collapsed output, a widget with display: none): a student cannot press it either
                skipped.append(Control(stem, _label(widget, index), "hidden"))
                print(f"  {stem}: {skipped[-1].name} skipped: not visible", flush=True)
                continue
            if widget.query_selector(".noUi-handle"):
                _, lo, hi = _handle_state(widget.query_selector(".noUi-handle"))
                if widget.evaluate("w => !!w.querySelector('[disabled]')") or lo == hi:
                    continue  # nothing to move
                control = Control(stem, _label(widget, index), "slider")
                _measure_slider(page, control, widget, root, repeats, drags)
            else:
                select = widget.query_selector("select")
                if select is None or select.is_disabled():
                    continue
                control = Control(stem, _label(widget, index), "dropdown")
                _measure_dropdown(page, control, select, root, repeats)
            controls.append(control)
            print(f"  {stem}: {control.name} ({control.kind}) steps {[None if s is None else round(s) for s in control.steps]}"
                  f" drags {[None if d is None else round(d) for d in control.drags]}", flush=True)
        return controls
    finally:
        from playwright.sync_api import Error as PlaywrightError

        try:  # stop this notebook's kernel: the next notebook gets the machine to itself
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        except PlaywrightError as err:
            print(f"  (could not stop the kernel: {err})")
        page.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", nargs="*", default=["00", "01", "02", "03", "04", "05", "06", "07", "08"],
                        help="notebook numbers or stems (default: 00-08)")
    parser.add_argument("--repeats", type=int, default=5, help="single steps per control (default 5)")
    parser.add_argument("--drags", type=int, default=1, help="drags per slider (default 1)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--probe", action="store_true",
                        help="measure figures that do almost nothing in the kernel (ipympl's, a PNG in an Image "
                             "widget, and anywidget ones where it is installed) instead of the course")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "tests"))
    os.environ.setdefault("PYTHONPATH", str(ROOT))  # the kernels import this checkout's helpers
    import browser_support
    from playwright.sync_api import sync_playwright

    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    chosen = [n for n in names if any(n.startswith(a) or n == a for a in args.notebooks)]
    load_before = os.getloadavg()
    controls: list[Control] = []
    skipped: list[Control] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(NOTEBOOKS, root / "notebooks")
        if args.probe:
            chosen = [write_probe(root / "notebooks")]
        with browser_support.lab_server(root, env=browser_support.kernel_env()) as (url, token), \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_support.CHROMIUM, args=browser_support.CHROMIUM_ARGS)
            try:
                for nb in chosen:
                    print(f"{nb} ...", flush=True)
                    controls += measure_notebook(browser, url, token, nb, args.repeats, args.drags, skipped)
            finally:
                browser.close()
    load_after = os.getloadavg()
    print()
    print_table(controls)
    if skipped:
        print(f"not measured (not visible on the page): {', '.join(f'{c.notebook} {c.name}' for c in skipped)}")
    print(f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps({"load_before": load_before, "load_after": load_after,
                                         "controls": [c.__dict__ for c in controls],
                                         "skipped": [c.__dict__ for c in skipped],
                                         "summary": summarize(controls)}, indent=1))


if __name__ == "__main__":
    main()
