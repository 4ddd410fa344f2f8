"""Train the weights that ship with the course: LeNet-5 and the modern LeNet on the offline digits.

Notebook 06 loads them with ``helpers.models.pretrained.load_pretrained`` so that the demos start at
once in class; its training cells stay one cell away. The settings are notebook 06's: Adam,
lr 3e-3, minibatches of 32, seed 0, 10 epochs on the offline digits (4,000 to train, 1,000 to test,
padded to 32x32). Training runs on the CPU with one thread and deterministic algorithms, so that
the same torch build gives the same weights on every run.

Commands (from the repository root)::

    python scripts/train_weights.py             # train both, write helpers/weights/
    python scripts/train_weights.py --check     # retrain, compare with the shipped files, write nothing
    python scripts/train_weights.py --epochs 1 --out /tmp/w   # a short run elsewhere

The record ``helpers/weights/weights.json`` holds, per network: the settings, the test accuracy after
every epoch, the final test accuracy, and a fingerprint of the parameters after the first epoch
(``tests/models/test_pretrained.py`` retrains one epoch and compares with it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout: find the helpers package beside it
    sys.path.insert(0, str(ROOT))

from helpers.data import load_digits  # noqa: E402
from helpers.models.lenet import LeNet5, ModernLeNet  # noqa: E402
from helpers.train import evaluate, fit  # noqa: E402

NETWORKS = {"lenet5": LeNet5, "modern_lenet": ModernLeNet}
#: Notebook 06's training settings (its time budget is left out: it makes the epoch count depend on the machine).
SETTINGS = {"epochs": 10, "lr": 3e-3, "batch_size": 32, "optimizer": "adam", "seed": 0}
#: The data: helpers.data.load_digits(**DATA).
DATA = {"source": "offline", "test_size": 1000, "pad": 2, "seed": 0}
WEIGHTS_DIR = ROOT / "helpers" / "weights"
RECORD = "weights.json"


def deterministic() -> None:
    """One CPU thread, deterministic kernels: the same run gives the same bits."""
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def fingerprint(model: torch.nn.Module) -> dict:
    """A short record of the parameters: their sum, their L2 norm, and a hash of their exact bits."""
    state = model.state_dict()
    flat = torch.cat([t.detach().double().flatten() for t in state.values()])
    digest = hashlib.sha256()
    for name, t in state.items():
        digest.update(name.encode())
        digest.update(t.detach().cpu().contiguous().numpy().tobytes())
    return {"sum": float(flat.sum()), "norm": float(flat.norm()), "sha256": digest.hexdigest()}


def train(name: str, epochs: int, data=None):
    """Train network ``name`` as notebook 06 does, for ``epochs`` epochs; return (model, history).

    ``fit`` seeds its minibatch order from the seed, so the first epoch of a long run is the same
    as a run of one epoch: that is what the first-epoch fingerprint of the record relies on.
    """
    deterministic()
    data = data if data is not None else load_digits(**DATA)
    torch.manual_seed(SETTINGS["seed"])  # notebook 06: torch.manual_seed(0); net = LeNet5()
    model = NETWORKS[name]()
    history = fit(model, data, epochs=epochs, **_fit_args())
    model.eval()
    return model, history


def _fit_args() -> dict:
    return {"lr": SETTINGS["lr"], "batch_size": SETTINGS["batch_size"], "optimizer": SETTINGS["optimizer"],
            "seed": SETTINGS["seed"], "device": "cpu", "plot": False, "progress": False}


def record_for(name: str, model, history, first, seconds: float, data) -> dict:
    return {
        "class": f"helpers.models.lenet.{NETWORKS[name].__name__}",
        "file": f"{name}.pt",
        "data": DATA,
        "settings": {**SETTINGS, "epochs": len(history.epoch)},
        "test_acc_per_epoch": history.test_acc,
        "test_acc": evaluate(model, data.x_test, data.y_test),
        "first_epoch": first,
        "final": fingerprint(model),
        "train_seconds": round(seconds, 1),
        "torch": torch.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"], help="epochs (default: notebook 06's 10)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="folder to write (default: helpers/weights)")
    parser.add_argument("--check", action="store_true",
                        help="retrain and compare with the record in --out; write nothing")
    parser.add_argument("--only", choices=sorted(NETWORKS), help="train one network only")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs={args.epochs} is not allowed: expected an int >= 1")

    data = load_digits(**DATA)
    names = [args.only] if args.only else list(NETWORKS)
    records = {}
    for name in names:
        start = time.perf_counter()
        model, history = train(name, args.epochs, data)
        first = fingerprint(train(name, 1, data)[0]) if args.epochs > 1 else fingerprint(model)
        records[name] = record_for(name, model, history, first, time.perf_counter() - start, data)
        r = records[name]
        print(f"{name}: {len(history.epoch)} epochs in {r['train_seconds']} s, test accuracy {r['test_acc']:.2%}")
        if not args.check:
            args.out.mkdir(parents=True, exist_ok=True)
            torch.save(model.state_dict(), args.out / f"{name}.pt")

    if args.check:
        shipped = json.loads((args.out / RECORD).read_text())
        bad = []
        for name, r in records.items():
            want = shipped[name]
            if r["settings"]["epochs"] != want["settings"]["epochs"]:
                bad.append(f"{name}: trained {r['settings']['epochs']} epochs, the record has "
                           f"{want['settings']['epochs']} (use --epochs {want['settings']['epochs']})")
                continue
            for key in ("test_acc", "test_acc_per_epoch"):
                if r[key] != want[key]:
                    bad.append(f"{name}: {key} {r[key]} != recorded {want[key]}")
            if r["final"]["sha256"] != want["final"]["sha256"]:
                bad.append(f"{name}: the weights differ from the shipped ones (sha256)")
        print("\n".join(bad) if bad else "check: the script reproduces the shipped weights exactly")
        return 1 if bad else 0

    path = args.out / RECORD
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**old, **records}, indent=1) + "\n")
    print(f"wrote {', '.join(f'{n}.pt' for n in names)} and {RECORD} in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
