"""torch as the independent oracle for helpers.conv."""

import numpy as np
import torch


def torch_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """What torch.nn.Conv2d computes, in float64, as a numpy array."""
    C_out, C_in_g, kH, kW = w.shape
    conv = torch.nn.Conv2d(
        C_in_g * groups, C_out, (kH, kW), stride=stride, padding=padding, dilation=dilation,
        groups=groups, bias=b is not None, padding_mode=padding_mode, dtype=torch.float64,
    )
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(np.asarray(w, dtype=np.float64)))
        if b is not None:
            conv.bias.copy_(torch.from_numpy(np.asarray(b, dtype=np.float64)))
        return conv(torch.from_numpy(np.asarray(x, dtype=np.float64))).numpy()
