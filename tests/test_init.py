"""The package as a whole: every module imports, also under ``python -OO``."""

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_imports_under_OO():
    # -OO strips docstrings (__doc__ is None): a module that edits its docstrings must still import.
    names = sorted(m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers."))
    assert {"helpers.conv", "helpers.pool", "helpers.figures.base", "helpers.models.lenet"} <= set(names)
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-OO", "-c", "import helpers, helpers.figures, helpers.models\n" + code, *names],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
