"""AlexNet (Krizhevsky, Sutskever & Hinton 2012), the single-tower layout torchvision uses."""

from __future__ import annotations

from torch import nn

from helpers.args import as_int

__all__ = [
    "alexnet",
    "digit_alexnet",
]


def alexnet(num_classes: int = 1000) -> nn.Sequential:
    """AlexNet's layout (Krizhevsky, Sutskever & Hinton, NIPS 2012) as torchvision builds it, untrained.

    Five convolutions and three fully connected layers on a ``3 x 224 x 224``
    image (the one-GPU variant, without local response normalization).
    61,100,840 parameters for 1000 classes, as torchvision documents ("61.1M").
    """
    as_int("num_classes", num_classes, 1)
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),    # 64@55x55 -> 64@27x27
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),            # 192@27x27 -> 192@13x13
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),                               # 384@13x13
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),                               # 256@13x13
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),           # 256@13x13 -> 256@6x6
        nn.AdaptiveAvgPool2d(6), nn.Flatten(),                                      # 9216
        nn.Dropout(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
        nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, num_classes),
    )


def digit_alexnet(activation: str = "relu", width: int = 16, num_classes: int = 10) -> nn.Sequential:
    """AlexNet's ideas at digit size: ReLU (or tanh), overlapping 3x3/2 max pooling, dropout before the FC layers.

    ``1@32x32 -> w@32x32 -> w@15x15 -> 2w@15x15 -> 2w@7x7 -> 2w@7x7 -> 64 -> num_classes``.
    """
    acts = {"relu": nn.ReLU, "tanh": nn.Tanh}
    if activation not in acts:
        raise ValueError(f"activation={activation!r} is not allowed: expected 'relu' or 'tanh'")
    w = as_int("width", width, 1)
    act = acts[activation]
    return nn.Sequential(
        nn.Conv2d(1, w, 5, padding=2), act(), nn.MaxPool2d(3, 2),            # w@32x32 -> w@15x15
        nn.Conv2d(w, 2 * w, 5, padding=2), act(), nn.MaxPool2d(3, 2),        # 2w@15x15 -> 2w@7x7
        nn.Conv2d(2 * w, 2 * w, 3, padding=1), act(), nn.Flatten(),          # 2w@7x7
        nn.Dropout(0.5), nn.Linear(2 * w * 7 * 7, 64), act(),
        nn.Dropout(0.5), nn.Linear(64, as_int("num_classes", num_classes, 1)),
    )
