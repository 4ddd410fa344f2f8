"""Repository-wide pytest hooks (they apply to tests/ and to the notebooks under nbval).

No downloads: see CNN_COURSE_OFFLINE below.

A student's path is clean: a notebook cell that writes to stderr shows a red
box in JupyterLab, so under nbval such a cell fails, even in lax mode.
"""

import os

import pytest

# Tests never touch the outside network: helpers.data.load_digits(source="auto") then uses the
# offline digits (or full MNIST only if it is already cached). Notebook kernels, the student-edition
# run and the browser test's JupyterLab inherit this from the environment.
os.environ["CNN_COURSE_OFFLINE"] = "1"

# `make test` runs two pytest-xdist workers on this two-core machine. Each notebook kernel they start
# gets one thread for torch and BLAS, so the two workers do not fight over the cores: on a busy
# two-core machine, two threads made one epoch of LeNet-5 take 50 s instead of 1.5 s. The notebooks
# compute the same numbers either way (the training cells use one thread anyway).
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_name, "1")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    outputs = getattr(item, "test_outputs", None)  # set by nbval's notebook-cell items
    if call.when != "call" or not report.passed or not outputs:
        return
    stderr = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr")
    if stderr:
        report.outcome = "failed"
        report.longrepr = f"the cell wrote to stderr, which JupyterLab shows as a red box:\n{stderr}"


# ------------------------------------------------------------------ how `make test` shares the work
# `make test` runs two pytest-xdist workers with --dist loadscope: each scope runs on one worker, in
# order. A scope is a test module (or class) or a notebook (its cells share a kernel). Two browser test
# modules form one scope, "browser", so that one JupyterLab and one Chromium serve them (tests/conftest.py);
# the longest, the drawing-fidelity test, is a scope of its own, so the two can run side by side. The
# longest scopes go first, so that neither worker is left alone with a long one at the end.
SHARED_SCOPES = {"tests/test_browser.py": "browser", "tests/test_deck.py": "browser"}
LONGEST_FIRST = ("browser", "tests/test_browser_fidelity.py", "tests/test_grade.py", "tests/test_student_edition.py",
                 "notebooks/06_lenet5.ipynb", "notebooks/08_architectures.ipynb", "tests/test_static_html.py",
                 "notebooks/05_normalization.ipynb", "tests/figures/test_motivation.py", "tests/figures/test_frames.py",
                 "tests/figures/test_conv_explorer.py", "notebooks/07_modern_convolutions.ipynb", "tests/test_init.py",
                 "notebooks/02_convolution.ipynb", "notebooks/04_pooling.ipynb", "notebooks/03_stride_padding.ipynb",
                 "notebooks/01_motivation.ipynb")


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(optionalhook=True)  # a run without xdist (-p no:xdist) does not know this hook
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's loadscope, with the browser modules in one scope, in the order of the collection."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    # By default loadscope hands out the scopes with the most tests first, which puts a module of 300
    # tiny parametrized tests before the browser tests: keep the order pytest_collection_modifyitems made.
    config.option.loadscopereorder = False

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return SHARED_SCOPES.get(_module(nodeid)) or super()._split_scope(nodeid)

    return CourseScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}

    def key(item):
        module = _module(item.nodeid)
        return rank.get(SHARED_SCOPES.get(module, module), len(rank))

    items.sort(key=key)  # stable: a scope keeps its order
