"""Shared test set-up: matplotlib's Agg backend, deterministic hypothesis, torch on one CPU thread.

Agg is chosen here, once, before any test module imports pyplot: no test needs a display, and the
widget classes work with any canvas. Test modules do not call ``matplotlib.use`` themselves.
"""

import os

import matplotlib

matplotlib.use("Agg")

import torch  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

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
pytest_plugins = ["tests.lenet_fixtures"]  # lenet_nets, lenet_digits

torch.set_num_threads(1)  # stable timings beside notebook kernels; tests use tiny shapes
