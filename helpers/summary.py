"""A per-layer table of any torch module: output shape, parameters, FLOPs and receptive field.

One forward pass of a blank input gives everything:

* the **output shape** of each listed module (a forward hook);
* its **parameters** (:func:`helpers.counting.count_parameters`);
* its **FLOPs**, counted by ``torch.utils.flop_counter.FlopCounterMode`` (a multiply-add is 2 FLOPs;
  torchvision's "GFLOPS" column counts multiply-adds, so it is half of ours);
* the **receptive field** (size, jump, start) of its output, by walking the convolution and pooling
  layers in the order the forward pass calls them. Each tensor carries the list of layers
  (:class:`helpers.receptive.ConvSpec`) on its way from the input; a convolution or pooling appends
  itself; an operation with several inputs (a residual addition, a concatenation) keeps the input
  with the largest field, as Araujo et al. (Distill 2019) do for networks with branches. A mean or
  maximum over the whole map (global pooling, SE's squeeze) makes the field global. The field of
  each list is :func:`helpers.receptive.field_stats`. (Mixing of positions by matrix products, as in
  self-attention, is not seen by this walk.)

Built on the ``meta`` device, a 224x224 ImageNet network costs no memory and no arithmetic: only
the shapes are computed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from collections.abc import Callable

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.flop_counter import FlopCounterMode

from helpers.args import as_int, not_allowed
from helpers.counting import count_parameters
from helpers.receptive import ConvSpec, FieldStats, field_stats

__all__ = [
    "LayerRow",
    "Architecture",
    "ARCHITECTURES",
    "build",
    "summary",
    "format_summary",
    "field_path",
    "receptive_field",
    "stage_fields",
    "last_map",
    "published_line",
]

_aten = torch.ops.aten
_CONV = {_aten.convolution.default}
_MAX_POOL = {_aten.max_pool2d_with_indices.default, _aten.max_pool2d.default}
_AVG_POOL = {_aten.avg_pool2d.default}
_ADAPTIVE = {_aten._adaptive_avg_pool2d.default, _aten.adaptive_max_pool2d.default}
_REDUCE = {_aten.mean.dim, _aten.amax.default, _aten.sum.dim_IntList, _aten.max.dim}


@functools.lru_cache(maxsize=4096)
def _stats(path: tuple[ConvSpec, ...]) -> FieldStats:
    return field_stats(list(path))[-1]


def _first(v):
    return v[0] if isinstance(v, (list, tuple)) else v


def _spec(func, args, x) -> tuple[ConvSpec | None, bool]:
    """What one aten call on a tracked 4-D tensor ``x`` adds: (a ConvSpec or None, whether it pools globally)."""
    if func in _CONV:
        weight, stride, padding, dilation = args[1], args[3], args[4], args[5]
        return ConvSpec(max(weight.shape[-2:]), _first(stride), _first(padding), _first(dilation)), False
    if func in _MAX_POOL or func in _AVG_POOL:
        k = _first(args[1])
        stride = _first(args[2]) if len(args) > 2 and args[2] else k
        padding = _first(args[3]) if len(args) > 3 else 0
        dilation = _first(args[4]) if func in _MAX_POOL and len(args) > 4 else 1
        return ConvSpec(k, stride, padding, dilation), False
    if func in _ADAPTIVE:
        n_in, n_out = x.shape[-1], _first(args[1])
        if n_out == n_in:
            return None, False
        if n_out == 1:
            return None, True
        stride = n_in // n_out
        return ConvSpec(n_in - (n_out - 1) * stride, stride), False
    if func in _REDUCE and x.dim() == 4:
        dims = args[1] if len(args) > 1 else None
        dims = [dims] if isinstance(dims, int) else (dims or [])
        if {d % 4 for d in dims} >= {2, 3}:
            return None, True
    return None, False


@dataclass(frozen=True)
class _Trace:
    """What a tensor depends on: the conv/pool layers of its largest local path, and whether it also
    depends on a global pooling (directly, ``pooled``, or through a gate such as SE's, ``sees_all``)."""

    path: tuple[ConvSpec, ...] = ()
    sees_all: bool = False
    pooled: bool = False


class _FieldTracker(TorchDispatchMode):
    """Follows every tensor from the input: the conv/pool layers on the path with the largest field."""

    def __init__(self):
        super().__init__()
        self.traces: dict[int, tuple[torch.Tensor, _Trace]] = {}   # id -> (tensor kept alive, trace)

    def track(self, t: torch.Tensor, trace: _Trace = _Trace()) -> None:
        self.traces[id(t)] = (t, trace)

    def trace_of(self, t) -> _Trace | None:
        entry = self.traces.get(id(t)) if isinstance(t, torch.Tensor) else None
        return None if entry is None or entry[0] is not t else entry[1]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        flat_in, _ = tree_flatten((args, kwargs or {}))
        inputs = [(t, tr) for t in flat_in if (tr := self.trace_of(t)) is not None]
        if not inputs:
            return out
        x, trace = max(inputs, key=lambda item: _stats(item[1].path).size)
        sees_all = any(tr.sees_all for _, tr in inputs)
        spec, pools = _spec(func, args, x)
        path = trace.path + (spec,) if spec is not None else trace.path
        new = _Trace(path, sees_all or pools, pools or (trace.pooled and len(inputs) == 1))
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor):
                self.track(t, new)
        return out


@dataclass(frozen=True)
class LayerRow:
    """One row of :func:`summary`.

    ``field`` is the receptive field (size, jump, start) of the output's largest local path, None
    when the output is not a feature map ``(C, H, W)``; ``sees_all`` is True when each output unit
    also depends on the whole input (global pooling, or a gate computed from it, as in SE).
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    parameters: int
    flops: int
    field: FieldStats | None
    sees_all: bool = False

    def field_text(self) -> str:
        if self.field is None:
            return "-"
        if self.sees_all and math.prod(self.shape[1:]) == 1:
            return "global"
        text = f"{self.field.size} / {self.field.jump} / {self.field.start}"
        return text + " + global" if self.sees_all else text


def _rows_of(model: nn.Module, depth: int) -> dict[str, nn.Module]:
    """Modules whose name has ``depth`` parts, and leaves above that depth (in definition order)."""
    chosen = {}
    for name, m in model.named_modules():
        if not name:
            continue
        parts = name.count(".") + 1
        if parts == depth or (parts < depth and not any(True for _ in m.children())):
            chosen[name] = m
    return chosen or {type(model).__name__: model}


def _as_model(model) -> nn.Module:
    if isinstance(model, str):
        return build(model)
    if isinstance(model, nn.Module):
        return model
    raise not_allowed("model", model, "a torch.nn.Module or a name in helpers.summary.ARCHITECTURES")


def _like_model(model: nn.Module) -> dict:
    """Device and floating dtype of the model's parameters (CPU, float32 when it has none)."""
    p = next((p for p in model.parameters() if p.is_floating_point()), None)
    return dict(device=p.device, dtype=p.dtype) if p is not None else dict(device="cpu", dtype=torch.float32)


def _forward(model: nn.Module, input_size, hooks_on: dict[str, nn.Module]):
    """Run once; return (tracker, {name: output tensor}, flop counts per module, final output)."""
    input_size = tuple(as_int("input_size", v, 1) for v in input_size)
    if len(input_size) != 3:
        raise not_allowed("input_size", input_size, "(channels, height, width)")
    x = torch.zeros(1, *input_size, **_like_model(model))
    outputs, handles = {}, []
    for name, m in hooks_on.items():
        handles.append(m.register_forward_hook(lambda mod, inp, out, name=name: outputs.setdefault(name, out)))
    tracker = _FieldTracker()
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False, depth=None) as flops, tracker:
            tracker.track(x)
            y = model(x)
    except RuntimeError as e:
        raise ValueError(f"input_size={input_size!r} is not allowed: the network cannot run on it ({e})".split("\n")[0]) \
            from None
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return tracker, outputs, flops.get_flop_counts(), y


def summary(model, input_size=(3, 224, 224), depth: int = 1) -> list[LayerRow]:
    """One row per module at ``depth`` (1: the model's children; 2: their children...), in call order.

    Args:
        model: a module, or a name of :data:`ARCHITECTURES` (then built on the meta device).
        input_size: ``(C, H, W)`` of one image (a batch of one runs).

    Example:
        >>> rows = summary(nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2)), (1, 8, 8))
        >>> [(r.kind, r.shape, r.parameters, r.field_text()) for r in rows]
        [('Conv2d', (4, 6, 6), 40, '3 / 1 / 0'), ('MaxPool2d', (4, 3, 3), 0, '4 / 2 / 0')]
    """
    if isinstance(model, str):
        return list(_named_summary(model, tuple(input_size), depth))
    model = _as_model(model)
    as_int("depth", depth, 1)
    chosen = _rows_of(model, depth)
    tracker, outputs, counts, _ = _forward(model, input_size, chosen)
    prefix = type(model).__name__
    rows = []
    for name, out in outputs.items():   # call order
        m = chosen[name]
        t = out if isinstance(out, torch.Tensor) else next((o for o in tree_flatten(out)[0]
                                                            if isinstance(o, torch.Tensor)), None)
        trace = tracker.trace_of(t)
        is_map = t is not None and t.dim() == 4 and trace is not None
        rows.append(LayerRow(name, type(m).__name__, tuple(t.shape[1:]) if t is not None else (),
                             count_parameters(m), int(sum(counts.get(prefix if m is model else f"{prefix}.{name}",
                                                                     {}).values())),
                             _stats(trace.path) if is_map else None, bool(is_map and trace.sees_all)))
    return rows


@functools.lru_cache(maxsize=64)
def _named_summary(name: str, input_size: tuple, depth: int) -> tuple[LayerRow, ...]:
    return tuple(summary(build(name), input_size, depth))


def field_path(model, input_size=(3, 224, 224)) -> list[ConvSpec]:
    """The convolution and pooling layers, in order, on the path that sets the last feature map's field.

    The last feature map is the last 4-D tensor of the forward pass that is not a global pooling's
    output. A gate computed from the whole input (SE) does not count as a path: see ``sees_all``.
    """
    model = _as_model(model)
    tracker, _, _, _ = _forward(model, input_size, {})
    maps = [tr.path for t, tr in tracker.traces.values() if t.dim() == 4 and not tr.pooled]
    if not maps:
        raise ValueError("the network has no feature map (no 4-D tensor on its way from the input)")
    return list(maps[-1])


def receptive_field(model, input_size=(3, 224, 224)) -> FieldStats:
    """Size, jump and start of the last feature map's receptive field (:func:`field_path` + ``field_stats``).

    Example (two 3x3 convolutions and a 2x2 pooling):
        >>> receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3), nn.MaxPool2d(2)), (1, 16, 16))
        FieldStats(size=6, jump=2, start=0)
    """
    return _stats(tuple(field_path(model, input_size)))


def stage_fields(rows: list[LayerRow]) -> list[tuple[str, FieldStats]]:
    """The rows that are feature maps larger than 1x1, as ``(name, FieldStats)``: how the field grows."""
    return [(r.name, r.field) for r in rows if r.field is not None and math.prod(r.shape[1:]) > 1]


def format_summary(rows: list[LayerRow], gflops: bool = False) -> str:
    """The table as text: name, type, output shape, parameters, FLOPs, field size / jump / start; totals."""
    head = ["layer", "type", "output", "parameters", "GFLOPs" if gflops else "FLOPs", "field r / j / start"]

    def flops(v):
        return f"{v / 1e9:.3f}" if gflops else f"{v:,}"

    body = [[r.name, r.kind, "x".join(map(str, r.shape)), f"{r.parameters:,}", flops(r.flops), r.field_text()]
            for r in rows]
    total = ["total", "", "", f"{sum(r.parameters for r in rows):,}", flops(sum(r.flops for r in rows)), ""]
    widths = [max(len(line[k]) for line in [head, *body, total]) for k in range(len(head))]

    def fmt(line):
        return "  ".join(c.rjust(w) if k in (3, 4) else c.ljust(w) for k, (c, w) in enumerate(zip(line, widths))).rstrip()

    rule = "-" * len(fmt(head))
    return "\n".join([fmt(head), rule, *map(fmt, body), rule, fmt(total)])


# ---- the networks of notebook 08, with the published numbers set beside ours

@dataclass(frozen=True)
class Architecture:
    """A network of notebook 08 and what its paper and torchvision publish about it.

    ``params`` is torchvision's published count (the SE-ResNet-50 paper's rounded 28.1 M for
    ``se_resnet50``); ``gflops`` torchvision's published multiply-adds at 224x224 (None where it
    publishes none); ``top1`` the ImageNet top-1 accuracy (%) of the reference weights, single
    224x224 crop, as published (cited, not run); ``depth`` the layer count in the network's name;
    ``stage_depth`` the module depth whose rows are the network's stages, ``layer_depth`` the one
    whose rows are its layers or blocks.
    """

    constructor: Callable[..., nn.Module]
    year: int
    idea: str
    depth: int
    params: int
    gflops: float | None
    top1: float
    stage_depth: int
    layer_depth: int


def _architectures() -> dict[str, Architecture]:
    from helpers import models as M

    return {
        "alexnet": Architecture(M.alexnet, 2012, "ReLU, dropout, GPUs", 8, 61_100_840, 0.71, 56.52, 1, 1),
        "vgg11": Architecture(M.vgg11, 2015, "stacks of 3x3 convolutions", 11, 132_863_336, 7.61, 69.02, 2, 2),
        "vgg16": Architecture(M.vgg16, 2015, "stacks of 3x3 convolutions", 16, 138_357_544, 15.47, 71.59, 2, 2),
        "googlenet": Architecture(M.googlenet, 2015, "Inception: parallel branches, 1x1 reductions", 22,
                                  6_624_904, 1.50, 69.78, 2, 2),
        "resnet18": Architecture(M.resnet18, 2016, "residual (identity) shortcuts", 18, 11_689_512, 1.81, 69.76, 1, 2),
        "resnet50": Architecture(M.resnet50, 2016, "bottleneck residual blocks", 50, 25_557_032, 4.09, 76.13, 1, 2),
        "se_resnet50": Architecture(M.se_resnet50, 2018, "squeeze-and-excitation (channel attention)", 50,
                                    28_100_000, None, 76.71, 1, 2),
        "densenet121": Architecture(M.densenet121, 2017, "concatenate every earlier map", 121, 7_978_856, 2.83,
                                    74.43, 2, 4),
        "convnext_tiny": Architecture(M.convnext_tiny, 2022, "a ResNet modernised like a Transformer", 18 * 3 + 5,
                                      28_589_128, 4.46, 82.52, 2, 3),
    }


ARCHITECTURES: dict[str, Architecture] = _architectures()


def build(name: str, num_classes: int = 1000, device="meta") -> nn.Module:
    """The network ``name`` of :data:`ARCHITECTURES`, built on ``device`` (meta: shapes only, no memory)."""
    if name not in ARCHITECTURES:
        raise not_allowed("name", name, "one of " + ", ".join(map(repr, ARCHITECTURES)))
    with torch.device(device):
        return ARCHITECTURES[name].constructor(num_classes=num_classes)


def last_map(rows: list[LayerRow]) -> LayerRow:
    """The last row whose output is a feature map larger than 1x1 (the last stage)."""
    maps = [r for r in rows if r.field is not None and math.prod(r.shape[1:]) > 1]
    if not maps:
        raise ValueError("no row is a feature map larger than 1x1")
    return maps[-1]


def published_line(name: str) -> str:
    """One line: our parameters and multiply-adds at 224x224 beside the published ones, and the last field.

    It starts with ✓ when the parameters equal torchvision's exactly (within 0.5% of a paper's rounded
    figure) and the multiply-adds are within 2% of torchvision's GFLOPS; with ✗ otherwise.
    """
    a = ARCHITECTURES.get(name) if isinstance(name, str) else None
    if a is None:
        raise not_allowed("name", name, "one of " + ", ".join(map(repr, ARCHITECTURES)))
    rows = summary(name, depth=a.stage_depth)
    params, gmacs = sum(r.parameters for r in rows), sum(r.flops for r in rows) / 2e9
    exact = a.params % 100_000 != 0
    ok = params == a.params if exact else abs(params / a.params - 1) < 0.005
    published = f"{a.params:,}" if exact else f"{a.params / 1e6:.1f} M"
    text = f"{name}: {params:,} parameters (published {published}), {gmacs:.2f} G multiply-adds"
    if a.gflops is not None:
        ok = ok and abs(gmacs / a.gflops - 1) < 0.02
        text += f" (torchvision {a.gflops})"
    last = last_map(rows)
    text += f", last stage {'x'.join(map(str, last.shape))} with field {last.field.size}"
    return ("✓ " if ok else "✗ ") + text
