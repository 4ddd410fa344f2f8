"""Fixtures shared by the LeNet tests (a pytest plugin, loaded by tests/conftest.py).

``lenet_nets``: an untrained LeNet-5 and modern LeNet, seeded; ``lenet_digits``: 200 offline test digits.
"""

import pytest
import torch

from helpers.data import load_digits
from helpers.models.lenet import LeNet5, ModernLeNet


@pytest.fixture(scope="module")
def lenet_nets():
    torch.manual_seed(0)
    return {"LeNet-5": LeNet5().eval(), "modern": ModernLeNet().eval()}


@pytest.fixture(scope="module")
def lenet_digits():
    d = load_digits(source="offline", test_size=200, pad=2, seed=0)
    return d.x_test, d.y_test
