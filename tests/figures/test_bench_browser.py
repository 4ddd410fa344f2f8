"""benchmarks/bench_browser.py imports, and its per-notebook summary computes what its table says."""

import importlib.util
import math
from pathlib import Path

PATH = Path(__file__).parent.parent.parent / "benchmarks" / "bench_browser.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_browser", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # imports only: main() starts JupyterLab and Chromium
    return module


def test_summary_per_notebook():
    b = _bench()
    controls = [
        b.Control("03", "stride", "slider", [30.0, 50.0, None], drags=[120.0]),
        b.Control("03", "input", "dropdown", [90.0, 70.0]),
        b.Control("04", "kernel", "slider", [10.0]),
    ]
    first, second = b.summarize(controls)
    assert first["notebook"] == "03" and first["median"] == 60.0  # of 30, 50, 70, 90
    assert (first["worst step"], first["dropdown"], first["drag settle"], first["no paint"]) == (50.0, 90.0, 120.0, 1)
    assert second["median"] == 10.0 and math.isnan(second["dropdown"])
