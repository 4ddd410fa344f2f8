"""torch as the independent oracle of the tests: every torch reference computation lives here.

Everything runs in float64 and returns numpy arrays (or float64 tensors, for the helpers that make them).
"""

import numpy as np
import torch
import torch.nn.functional as F


def tensor(a) -> torch.Tensor:
    """``a`` as a float64 tensor."""
    return torch.tensor(np.asarray(a, dtype=np.float64))


def nchw_tensor(a) -> torch.Tensor:
    """A float64 tensor; a 2-D (H, W) image gets (N, C) = (1, 1) in front (torch's pooling needs 3 or 4 axes)."""
    a = np.asarray(a, dtype=np.float64)
    return torch.tensor(a[None, None] if a.ndim == 2 else a)


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


def torch_pad(image, padding: int, mode: str) -> np.ndarray:
    """One (H, W) image padded by ``padding`` on every side, as torch.nn.Conv2d's ``padding_mode`` pads it."""
    torch_mode = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}[mode]
    return F.pad(tensor(image)[None, None], (padding,) * 4, mode=torch_mode)[0, 0].numpy()


def torch_conv_same(x, k, stride=1, mode="zeros"):
    """One (H, W) image filtered by an odd (k, k) kernel, padded by k // 2 (torch.nn.Conv2d)."""
    k = np.asarray(k, dtype=np.float64)
    return torch_conv2d(np.asarray(x)[None, None], k[None, None], stride=stride, padding=k.shape[0] // 2,
                        padding_mode=mode)[0, 0]


def torch_shift(a, dy, dx):
    """Zero-filled shift of an (H, W) array, written independently of helpers.deform."""
    t = torch.tensor(a)
    H, W = t.shape
    out = torch.zeros_like(t)
    out[max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = t[max(-dy, 0):H - max(dy, 0), max(-dx, 0):W - max(dx, 0)]
    return out.numpy()


def torch_partial_conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """Liu et al. (2018), as in NVIDIA's PartialConv2d (no holes, single-channel mask), in torch."""
    x, w = torch.tensor(x), torch.tensor(w)
    kh, kw = w.shape[-2:]
    mask = torch.ones(1, 1, *x.shape[-2:], dtype=torch.float64)
    with torch.no_grad():
        update = F.conv2d(mask, torch.ones(1, 1, kh, kw, dtype=torch.float64), stride=stride, padding=padding,
                          dilation=dilation)
        ratio = kh * kw / (update + 1e-8)
        update = torch.clamp(update, 0, 1)
        ratio = ratio * update
        raw = F.conv2d(x, w, None if b is None else torch.tensor(b), stride=stride, padding=padding,
                       dilation=dilation)
        if b is None:
            return (raw * ratio).numpy()
        bias = torch.tensor(b).view(1, -1, 1, 1)
        return (((raw - bias) * ratio + bias) * update).numpy()


def torch_pool_input_grad(x, dout, kind, kw):
    """``dL/dx`` of torch's max / avg / sum pooling by autograd, for upstream gradient ``dout``, shaped like x."""
    xt = nchw_tensor(x).requires_grad_(True)
    if kind == "max":
        out = F.max_pool2d(xt, **kw)
    elif kind == "avg":
        out = F.avg_pool2d(xt, **kw)
    else:
        out = F.avg_pool2d(xt, **kw, divisor_override=1)
    out.backward(nchw_tensor(dout))
    g = xt.grad.numpy()
    return g[0, 0] if np.ndim(x) == 2 else g
