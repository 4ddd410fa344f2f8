"""VGG (Simonyan & Zisserman, ICLR 2015): blocks of 3x3 convolutions, torchvision's layout."""

from __future__ import annotations

from torch import nn

from helpers.args import as_int

__all__ = [
    "VGG_CONFIGS",
    "vgg",
    "vgg11",
    "vgg16",
]

#: Table 1 of the paper: output channels of each 3x3 convolution, "M" a 2x2 max pooling.
VGG_CONFIGS = {
    "A": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),                      # vgg11
    "D": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),  # vgg16
}


def vgg(config: str, num_classes: int = 1000) -> nn.Sequential:
    """A VGG net of the paper's Table 1 (``"A"``: 11 layers, ``"D"``: 16), untrained, without batch norm.

    Every convolution is 3x3 with padding 1 (the size is kept); every "M" halves the size. On a
    ``3 x 224 x 224`` image the features end at ``512 x 7 x 7``; three fully connected layers follow.
    """
    if config not in VGG_CONFIGS:
        raise ValueError(f"config={config!r} is not allowed: expected one of {sorted(VGG_CONFIGS)}")
    as_int("num_classes", num_classes, 1)
    layers, c = [], 3
    for v in VGG_CONFIGS[config]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))                                    # HxW -> H/2 x W/2
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]     # c@HxW -> v@HxW
            c = v
    return nn.Sequential(
        nn.Sequential(*layers),                       # features: 3@224x224 -> 512@7x7
        nn.AdaptiveAvgPool2d(7), nn.Flatten(),        # 25,088
        nn.Sequential(                                # classifier
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(4096, num_classes),
        ),
    )


def vgg11(num_classes: int = 1000) -> nn.Sequential:
    """VGG-11 (configuration A): 8 convolutions + 3 fully connected; 132,863,336 parameters."""
    return vgg("A", num_classes)


def vgg16(num_classes: int = 1000) -> nn.Sequential:
    """VGG-16 (configuration D): 13 convolutions + 3 fully connected; 138,357,544 parameters."""
    return vgg("D", num_classes)
