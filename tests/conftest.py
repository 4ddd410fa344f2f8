"""Shared test set-up: deterministic hypothesis, torch in float64 on the CPU."""

import os

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
