"""The shipped weights: they give the recorded accuracy, and scripts/train_weights.py reproduces them.

Reproduction is checked on the first epoch (a few seconds): the script trains one epoch and must
give the recorded first-epoch test accuracy exactly and the recorded parameters (their sum and norm
to 1e-6; their exact bits when the torch build is the recording one). ``fit`` restarts its generators
from the seed, so epoch 1 of the shipped 10-epoch run is this same run. The full 10 epochs
(about 2 minutes) run when RETRAIN_WEIGHTS=1: ``python scripts/train_weights.py --check``.
"""

import importlib.util
import os
import tomllib
from pathlib import Path

import pytest
import torch

from helpers.data import load_digits
from helpers.models.lenet import LeNet5, ModernLeNet
from helpers.models.pretrained import PRETRAINED, load_pretrained, pretrained_record
from helpers.train import evaluate

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(PRETRAINED)


def script():
    spec = importlib.util.spec_from_file_location("train_weights", ROOT / "scripts" / "train_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data():
    return load_digits(source="offline", test_size=1000, pad=2, seed=0)


@pytest.fixture(autouse=True)
def restore_torch_settings():
    threads, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(det)


@pytest.mark.parametrize("name", NAMES)
def test_shipped_weights_give_the_recorded_accuracy(name, data):
    record = pretrained_record(name)
    assert record["data"] == {"source": "offline", "test_size": 1000, "pad": 2, "seed": 0}
    net = load_pretrained(name)
    assert not net.training
    acc = evaluate(net, data.x_test, data.y_test)
    assert acc == record["test_acc"] == record["test_acc_per_epoch"][-1]
    assert acc > 0.95  # trained: an untrained network is near 10%
    assert evaluate(PRETRAINED[name](), data.x_test, data.y_test) < 0.3


def test_the_record_uses_notebook_06s_settings():
    for name in NAMES:
        s = pretrained_record(name)["settings"]
        assert (s["epochs"], s["lr"], s["batch_size"], s["optimizer"], s["seed"]) == (10, 3e-3, 32, "adam", 0)
    assert isinstance(load_pretrained("lenet5"), LeNet5) and isinstance(load_pretrained("modern_lenet"), ModernLeNet)


@pytest.mark.parametrize("name", NAMES)
def test_the_script_reproduces_the_first_epoch(name, data):
    train_weights = script()
    record = pretrained_record(name)
    model, history = train_weights.train(name, 1, data)
    assert history.test_acc == record["test_acc_per_epoch"][:1]
    got, want = train_weights.fingerprint(model), record["first_epoch"]
    assert got["sum"] == pytest.approx(want["sum"], rel=1e-6)
    assert got["norm"] == pytest.approx(want["norm"], rel=1e-6)
    if torch.__version__ == record["torch"]:
        assert got["sha256"] == want["sha256"]


@pytest.mark.skipif(not os.environ.get("RETRAIN_WEIGHTS"), reason="about 2 minutes: set RETRAIN_WEIGHTS=1")
def test_the_script_reproduces_the_shipped_weights():
    assert script().main(["--check"]) == 0


def test_bad_names_are_refused():
    with pytest.raises(ValueError, match="name='alexnet' is not allowed"):
        load_pretrained("alexnet")


def test_the_weights_are_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = {p.name for p in (ROOT / "helpers" / "weights").iterdir()}
    assert shipped == {"lenet5.pt", "modern_lenet.pt", "weights.json"}
    assert {"weights/*.pt", "weights/*.json"} <= set(data["helpers"])
    sizes = [(ROOT / "helpers" / "weights" / f"{n}.pt").stat().st_size for n in NAMES]
    assert max(sizes) < 300_000  # small: a state_dict of about 60,000 float32 numbers
