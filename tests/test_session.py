"""helpers.setup_notebook: seeds, style, device; and the docstring examples of the helpers."""

import random

import matplotlib
import numpy as np
import pytest
import torch

import helpers
from helpers import session


def test_setup_notebook_seeds_everything_and_reports(capsys):
    device = helpers.setup_notebook(seed=3)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    helpers.setup_notebook(seed=3)
    again = (random.random(), np.random.rand(), torch.rand(1).item())
    assert first == again
    out = capsys.readouterr().out
    assert "seed=3" in out and f"device={device}" in out
    assert device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert matplotlib.rcParams["image.interpolation"] == "nearest"
    assert matplotlib.get_backend().lower() != "widget"  # outside a kernel nothing is switched


def test_setup_notebook_rejects_bad_arguments():
    with pytest.raises(ValueError, match="seed=-1"):
        helpers.setup_notebook(seed=-1, verbose=False)
    with pytest.raises(ValueError, match="prefer='tpu'"):
        session.pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="prefer='cuda'"):
            session.pick_device("cuda")


def test_torch_threads_as_a_decorator_restores_the_count_after_each_call():
    before = torch.get_num_threads()

    @session.torch_threads(1)
    def threads():
        return torch.get_num_threads()

    assert threads() == 1 and threads() == 1
    assert torch.get_num_threads() == before
