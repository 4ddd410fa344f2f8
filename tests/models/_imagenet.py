"""Shared by the ImageNet model tests: parameters and multiply-adds of a constructor, on the meta device.

The oracles are torchvision's published numbers (its model docs and each weight's ``num_params`` and
``_ops`` metadata): torchvision itself cannot be imported beside this CPU build of torch.
"""

import torch
from torch.utils.flop_counter import FlopCounterMode


def count_and_gmacs(constructor, size=224, **kwargs):
    """(parameters, GMACs at size x size, output shape) of ``constructor(**kwargs)`` built on meta."""
    with torch.device("meta"):
        model = constructor(**kwargs)
    model.eval()
    x = torch.zeros(1, 3, size, size, device="meta")
    with FlopCounterMode(display=False) as counter:
        y = model(x)
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() / 2e9, tuple(y.shape)
