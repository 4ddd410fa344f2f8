"""AlexNet (Krizhevsky, Sutskever & Hinton 2012), the single-tower layout torchvision uses."""

from __future__ import annotations

from torch import nn

from helpers.args import as_int

__all__ = [
    "alexnet",
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
