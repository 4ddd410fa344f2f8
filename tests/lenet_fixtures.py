"""Fixtures shared by the LeNet tests (a pytest plugin, loaded by tests/conftest.py).

``lenet_nets``: an untrained LeNet-5 and modern LeNet, seeded; ``lenet_digits``: 200 offline test digits.
The imports are inside the fixtures: pytest-xdist's controller loads this module but runs no test.
"""

import pytest


@pytest.fixture(scope="module")
def lenet_nets():
    import torch

    from helpers.models.lenet import LeNet5, ModernLeNet

    torch.manual_seed(0)
    return {"LeNet-5": LeNet5().eval(), "modern": ModernLeNet().eval()}


@pytest.fixture(scope="module")
def lenet_digits():
    from helpers.data import load_digits

    d = load_digits(source="offline", test_size=200, pad=2, seed=0)
    return d.x_test, d.y_test
