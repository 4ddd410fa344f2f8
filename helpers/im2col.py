"""Convolution as matrix products: the two column layouts behind :func:`helpers.conv.conv2d`.

*im2col* ("image to columns") copies every receptive field of the input into one column of a
matrix; then one matrix product with the flattened kernels does all the multiply-adds. The copy
is the price: numpy copies long contiguous runs fast and short rows slowly, and a product is
fastest on a few hundred columns. Both functions compute the numbers of
``torch.nn.functional.conv2d(x, weight, stride=..., dilation=..., groups=...)``:

``by_columns``  one matrix per image and group: row ``(c, u, v)``, column ``(i, j)``. With stride 1
                each row of it is ONE run of the flattened image (``j`` goes over the whole input
                row; the extra ``W_in - W_out`` columns are computed and cut off afterwards).
``by_rows``     each input row is copied once per horizontal tap ``v``, in the order ``(h, c, v)``.
                The ``kH`` input rows that output row ``i`` needs are then neighbours, so the columns
                of output row ``i`` of several images are one ``(K, n * W_out)`` matrix, with no copy.
                It copies ``kW`` times the input instead of ``kH * kW`` times, computes no extra
                columns and writes zero padding while it copies; it needs vertical dilation 1.

:func:`helpers.conv.conv2d` checks the arguments and uses ``by_rows`` whenever the vertical dilation
is 1, ``by_columns`` otherwise (through ``rows_product`` and ``columns_product``, the same without the
checks). In a depthwise convolution each product has only ``kH * kW`` terms, so the copies dominate:
torch's direct kernel stays nearly twice as fast there.
"""

from __future__ import annotations

import numpy as np

from helpers.args import as_int, as_ints, as_pair, not_allowed

__all__ = ["by_columns", "by_rows", "columns_product", "rows_product"]

#: Bytes of columns (:func:`by_columns`) or copied rows (:func:`by_rows`) built at a time: about a core's L2 cache.
CHUNK_BYTES = 1 << 20
#: Columns per matrix product in :func:`by_rows`: output rows of a few images at a time.
PRODUCT_COLUMNS = 256


def _view(a: np.ndarray, shape, strides, offset: int = 0) -> np.ndarray:
    """A read-only strided view of the contiguous array ``a`` (``as_strided`` without its overhead)."""
    v = np.ndarray(shape, a.dtype, a, offset, strides)
    v.flags.writeable = False
    return v


def _checked(x, weight, stride, dilation, groups, padded_hw=None):
    """Arrays, pairs and the output size for the ``*_product`` functions (conv2d's checks are fuller)."""
    x, weight = np.ascontiguousarray(x), np.asarray(weight)
    if x.ndim != 4 or weight.ndim != 4 or x.dtype != weight.dtype:
        raise not_allowed("x", f"<array of shape {x.shape}, {x.dtype}>",
                          f"(N, C_in, H, W) with weight (C_out, C_in/groups, kH, kW) of the same dtype, "
                          f"got weight of shape {weight.shape}, {weight.dtype}")
    groups = as_int("groups", groups, 1)
    stride, dilation = as_pair("stride", stride, minimum=1), as_pair("dilation", dilation, minimum=1)
    C_out, C_g, kH, kW = weight.shape
    if x.shape[1] != C_g * groups or C_out % groups:
        raise not_allowed("groups", groups, f"a divisor of C_out={C_out} with C_in={x.shape[1]} = C_g * groups")
    sizes = x.shape[2:] if padded_hw is None else padded_hw
    out_hw = tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(sizes, (kH, kW), stride, dilation))
    if min(out_hw) < 1:
        raise not_allowed("weight", f"<array of shape {weight.shape}>", f"a kernel that fits the input {sizes}")
    return x, weight, stride, dilation, groups, out_hw


def _inside(shift: int, step: int, size: int, count: int) -> tuple[int, int]:
    """The range ``[j0, j1)`` of ``j`` in ``[0, count)`` with ``0 <= j * step + shift < size``."""
    j0 = min(count, max(0, -(shift // step)))
    j1 = max(j0, min(count, (size - 1 - shift) // step + 1))
    return j0, j1


def by_columns(xp, weight, stride=1, dilation=1, groups=1) -> np.ndarray:
    """Valid cross-correlation (no padding): one im2col matrix per image and group.

    Args:
        xp: the input ``(N, C_in, H, W)``, padded already if padding is wanted.
        weight: ``(C_out, C_in / groups, kH, kW)``, of ``xp``'s dtype.
        stride, dilation: int or pair; groups: as in ``torch.nn.Conv2d``.

    Returns:
        ``(N, C_out, H_out, W_out)``.

    Example:
        >>> by_columns(np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 2, 2)), stride=2)[0, 0]
        array([[10., 18.],
               [42., 50.]])
    """
    xp, w, stride, dilation, groups, _ = _checked(xp, weight, stride, dilation, groups)
    return columns_product(xp, w, stride, dilation, groups)


def by_rows(x, weight, stride=1, dilation=1, groups=1, padding=0) -> np.ndarray:
    """Cross-correlation with zero padding: the columns of one output row, for several images, are one matrix.

    Same arguments and result as :func:`by_columns`, plus ``padding``: zeros added on each side,
    an int or ``(left, right, top, bottom)``; they are written while the rows are copied, so ``x``
    is not padded first. The vertical dilation must be 1.

    Example:
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> np.array_equal(by_rows(x, np.ones((1, 1, 2, 3))), by_columns(x, np.ones((1, 1, 2, 3))))
        True
        >>> by_rows(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), padding=1)[0, 0]
        array([[4., 4.],
               [4., 4.]])
    """
    pads = as_ints("padding", padding, 4, minimum=0, entries="(left, right, top, bottom)")
    H, W = np.shape(x)[-2:]
    x, w, stride, dilation, groups, _ = _checked(x, weight, stride, dilation, groups,
                                                 (pads[2] + H + pads[3], pads[0] + W + pads[1]))
    if dilation[0] != 1:
        raise not_allowed("dilation", dilation, "a vertical dilation of 1 (use by_columns)")
    return rows_product(x, w, stride, dilation[1], groups, pads)


def columns_product(xp: np.ndarray, w: np.ndarray, stride: tuple[int, int], dilation: tuple[int, int],
                    groups: int) -> np.ndarray:
    """:func:`by_columns` without the argument checks: C-contiguous arrays of one dtype, pairs of ints."""
    N, C_in, H, W = xp.shape
    C_out, C_g, kH, kW = w.shape
    (sH, sW), (dH, dW), G = stride, dilation, groups
    Ho, Wo = (H - dH * (kH - 1) - 1) // sH + 1, (W - dW * (kW - 1) - 1) // sW + 1
    sN, sC, sY, sX = xp.strides
    if (sH, sW) == (1, 1):
        # windows[n, g, c, u, v, q] = the flattened image n, channel g*C_g + c, from (u*dH, v*dW) on;
        # q = i*W + j runs over whole rows. The last row stops at j = W_out - 1: no run leaves its channel.
        width, L = W, (Ho - 1) * W + Wo
        windows = _view(xp, (N, G, C_g, kH, kW, L), (sN, C_g * sC, sC, dH * sY, dW * sX, sX))
    else:
        # windows[n, g, c, u, v, i, j] = xp[n, g*C_g + c, i*sH + u*dH, j*sW + v*dW]
        width, L = Wo, Ho * Wo
        windows = _view(xp, (N, G, C_g, kH, kW, Ho, Wo), (sN, C_g * sC, sC, dH * sY, dW * sX, sH * sY, sW * sX))
    K = C_g * kH * kW
    kernels = w.reshape(G, C_out // G, K)  # one flattened kernel per row
    # A few images at a time: their columns are copied into one small buffer, still in the cache for the
    # product, which comes out as (n, C_out, ...) (no transpose); the buffers are reused, not allocated again.
    chunk = max(1, min(N, CHUNK_BYTES // (G * K * L * w.itemsize)))
    cols = np.empty((chunk,) + windows.shape[1:], dtype=w.dtype)
    products = np.empty((chunk, G, C_out // G, Ho * width), dtype=w.dtype) if width != Wo else None
    out = np.empty((N, C_out, Ho, Wo), dtype=w.dtype)
    for n0 in range(0, N, chunk):
        n = min(chunk, N - n0)
        np.copyto(cols[:n], windows[n0: n0 + n])
        if products is None:
            np.matmul(kernels, cols[:n].reshape(n, G, K, L), out=out[n0: n0 + n].reshape(n, G, C_out // G, L))
        else:  # the extra columns of each row are cut off
            np.matmul(kernels, cols[:n].reshape(n, G, K, L), out=products[:n, ..., :L])
            np.copyto(out[n0: n0 + n], products[:n].reshape(n, C_out, Ho, width)[..., :Wo])
    return out


def rows_product(x: np.ndarray, w: np.ndarray, stride: tuple[int, int], dilation_w: int, groups: int,
                 pads: tuple[int, int, int, int]) -> np.ndarray:
    """:func:`by_rows` without the argument checks: C-contiguous arrays of one dtype, ints, a 4-tuple of pads."""
    N, C_in, H, W = x.shape
    C_out, C_g, kH, kW = w.shape
    (sH, sW), dW, G, (left, right, top, bottom) = stride, dilation_w, groups, pads
    Hp = top + H + bottom
    Ho, Wo = (Hp - kH) // sH + 1, (left + W + right - dW * (kW - 1) - 1) // sW + 1
    K, e = kH * C_g * kW, w.itemsize
    kernels = w.reshape(G, C_out // G, C_g, kH, kW).transpose(0, 1, 3, 2, 4).reshape(G, 1, C_out // G, K)
    # A few images at a time: a few hundred columns per product, small buffers that are reused
    chunk = max(1, min(N, PRODUCT_COLUMNS // Wo, CHUNK_BYTES // (G * Hp * C_g * kW * Wo * e)))
    rows_buffer = np.empty(G * Hp * C_g * kW * chunk * Wo, dtype=w.dtype)
    products_buffer = np.empty(Ho * C_out * chunk * Wo, dtype=w.dtype)
    out = np.empty((N, C_out, Ho, Wo), dtype=w.dtype)
    # same width (stride 1): the chunk's rows are staged once, one run per (g, h, c); each tap then copies
    # them as one shifted run (the values that wrap round into the next row lie in the padding: zeroed)
    same_width = Wo == W and sW == 1 and left + right > 0
    staged = np.empty(G * H * C_g * chunk * W + left + right, dtype=w.dtype) if same_width else None
    for n0 in range(0, N, chunk):
        n = min(chunk, N - n0)
        rows = rows_buffer[: G * Hp * C_g * kW * n * Wo].reshape(G, Hp, C_g, kW, n, Wo)
        _copy_rows(rows, x[n0: n0 + n], top, left, dW, sW, staged)
        # cols[g, i, (u, c, v), (n, j)] = rows[g, i*sH + u, c, v, n, j]: for each (g, i) a (K, n*W_out) matrix, no copy
        cols = _view(rows, (G, Ho, K, n * Wo), (rows.strides[0], sH * rows.strides[1], n * Wo * e, e))
        products = products_buffer[: Ho * C_out * n * Wo].reshape(G, Ho, C_out // G, n * Wo)
        np.matmul(kernels, cols, out=products)
        np.copyto(out[n0: n0 + n].reshape(n, G, C_out // G, Ho, Wo),
                  products.reshape(G, Ho, C_out // G, n, Wo).transpose(3, 0, 2, 1, 4))
    return out


def _copy_rows(rows, x, top: int, left: int, dW: int, sW: int, staged) -> None:
    """Fill ``rows[g, h, c, v, n, j]`` with padded row ``h`` of ``x[n]``, channel ``g*C_g + c``, column
    ``j*sW + v*dW`` (0 in the zero padding): what tap ``v`` of output column ``j`` meets in that row."""
    G, Hp, C_g, kW, n, Wo = rows.shape
    H, W = x.shape[2:]
    sN, sC, sY, sX = x.strides
    e = x.itemsize
    if top:
        rows[:, :top] = 0
    if Hp > top + H:
        rows[:, top + H:] = 0
    inner = rows[:, top: top + H]
    spans = [_inside(v * dW - left, sW, W, Wo) for v in range(kW)]  # the output columns whose tap v meets x
    if staged is not None:  # staged[left + ((g, h, c), n, w)] = x[n, g*C_g + c, h, w]
        np.copyto(staged[left: left + G * H * C_g * n * W].reshape(G, H, C_g, n, W),
                  _view(x, (G, H, C_g, n, W), (C_g * sC, sY, sC, sN, sX)))
        runs = rows.reshape(G, Hp, C_g, kW, n * Wo)[:, top: top + H]  # per (g, h, c, v): the n rows side by side
        run_strides = (H * C_g * n * W * e, C_g * n * W * e, n * W * e, e)
    elif all(span == (0, Wo) for span in spans):  # no tap meets the padding: one copy
        np.copyto(inner, _view(x, inner.shape, (C_g * sC, sY, sC, dW * sX, sN, sW * sX)))
        return
    for v, (j0, j1) in enumerate(spans):
        shift = v * dW - left  # tap v of output column j meets x's column j*sW + shift
        if staged is not None:  # one shifted run per (g, h, c)
            np.copyto(runs[:, :, :, v], _view(staged, (G, H, C_g, n * Wo), run_strides, (left + shift) * e))
        elif j1 > j0:
            np.copyto(inner[:, :, :, v, :, j0:j1], _view(x, (G, H, C_g, n, j1 - j0),
                                                         (C_g * sC, sY, sC, sN, sW * sX), (j0 * sW + shift) * sX))
        if j0:
            inner[:, :, :, v, :, :j0] = 0
        if j1 < Wo:
            inner[:, :, :, v, :, j1:] = 0
