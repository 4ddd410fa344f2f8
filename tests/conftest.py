"""Shared test set-up: matplotlib's Agg backend, deterministic hypothesis, torch on one CPU thread,
and the browser tests' JupyterLab and Chromium.

Agg is chosen here (``pytest_configure``), once, before any test module imports pyplot: no test needs
a display, and the widget classes work with any canvas. Test modules do not call ``matplotlib.use``
themselves.
"""

import os

import pytest

pytest_plugins = ["tests.lenet_fixtures"]  # lenet_nets, lenet_digits


def pytest_configure(config):
    """Agg, the hypothesis profile and one torch thread, in each process that runs tests.

    pytest-xdist's controller runs none, so it skips the imports (torch alone takes 1-2 s there,
    before any worker starts).
    """
    if config.getoption("dist", "no") != "no" and not hasattr(config, "workerinput"):
        return
    import matplotlib

    matplotlib.use("Agg")
    import torch
    from hypothesis import HealthCheck, settings

    # Deterministic and reproducible: the same examples on every run, no timing flakiness.
    settings.register_profile(
        "course",
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
    torch.set_num_threads(1)  # stable timings beside notebook kernels; tests use tiny shapes


# ------------------------------------------------------------------ the browser tests' server and browser
# One JupyterLab (on a temporary copy of notebooks/) per pytest worker, for every browser test module
# that runs there (conftest.py says which modules share a worker), and one headless Chromium per module.
@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on a copy of notebooks/; yields ``(url, token, root)``; tests may add notebooks to root/notebooks."""
    import shutil

    from browser_support import NOTEBOOKS, kernel_env, lab_server

    _need_chromium()
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    with lab_server(root, env=kernel_env()) as (url, token):
        yield url, token, root


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium, driven by Playwright; one per test module.

    Not one per session: while Playwright's sync API is started, its event loop counts as running
    in this thread, so a later test on the same worker could not call ``asyncio.run`` and widgets
    would schedule their drawing-ahead on that loop. Starting Chromium costs about a second.
    """
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM, CHROMIUM_ARGS

    _need_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _need_chromium():
    from browser_support import MISSING, REQUIRED

    if MISSING:
        if REQUIRED:
            pytest.fail(f"REQUIRE_BROWSER_TEST is set but {MISSING}")
        pytest.skip(MISSING)
