"""Trained weights that ship with the course: LeNet-5 and the modern LeNet, ready at once.

``scripts/train_weights.py`` trains them on the offline digits with notebook 06's settings and
writes ``helpers/weights/``: one small ``state_dict`` file per network and ``weights.json``, the
record of the settings and of the test accuracy. Nothing is downloaded.

>>> net = load_pretrained("lenet5")
>>> type(net).__name__, net.training
('LeNet5', False)
>>> 0.9 < pretrained_record("lenet5")["test_acc"] <= 1.0
True
"""

from __future__ import annotations

import json
from importlib import resources

import torch

from helpers.args import one_of
from helpers.models.lenet import LeNet5, ModernLeNet

__all__ = ["PRETRAINED", "load_pretrained", "pretrained_record"]

#: The networks with shipped weights, by name.
PRETRAINED = {"lenet5": LeNet5, "modern_lenet": ModernLeNet}


def _weights():
    return resources.files("helpers") / "weights"


def pretrained_record(name: str) -> dict:
    """What ``scripts/train_weights.py`` recorded for ``name``: settings, data, test accuracy."""
    one_of("name", name, tuple(PRETRAINED))
    return json.loads((_weights() / "weights.json").read_text(encoding="utf-8"))[name]


def load_pretrained(name: str, device=None) -> torch.nn.Module:
    """Network ``name`` (``"lenet5"`` or ``"modern_lenet"``) with its shipped weights, in eval mode.

    Args:
        name: which network.
        device: where to put it (default: the CPU).

    Returns:
        The model; train it further with ``helpers.train.fit`` if you like (fit switches it back
        to training mode).
    """
    one_of("name", name, tuple(PRETRAINED))
    model = PRETRAINED[name]()
    with resources.as_file(_weights() / f"{name}.pt") as path:
        state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    if device is not None:
        model.to(device)
    return model.eval()
