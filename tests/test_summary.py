"""helpers.summary against independent oracles: the Distill table of receptive fields, a real forward
pass, helpers.counting's formulas, and the autograd field of a real network with positive weights."""

import numpy as np
import pytest
import torch
from torch import nn

from helpers.counting import conv_flops
from helpers.models.attention import PatchEmbedding
from helpers.models.resnet import BasicBlock
from helpers.models.senet import SqueezeExcitation
from helpers.receptive import ConvSpec, FieldStats
from helpers.summary import ARCHITECTURES, build, field_path, format_summary, receptive_field, stage_fields, summary


def test_vgg16_field_matches_distill():
    # Araujo, Norris & Sim, Distill 2019, Table 1: VGG-16 r = 212, effective stride 32, effective padding 90
    assert receptive_field("vgg16") == FieldStats(212, 32, -90)


def test_alexnet_v2_conv5_field_matches_distill():
    # the TF-slim alexnet_v2 layout of the Distill table: conv1 11x11/4 without padding ('VALID'); 163, 16, 64
    v2 = nn.Sequential(nn.Conv2d(3, 64, 11, 4), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(64, 192, 5, padding=2),
                       nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(192, 384, 3, padding=1),
                       nn.Conv2d(384, 384, 3, padding=1), nn.Conv2d(384, 256, 3, padding=1)).to("meta")
    assert receptive_field(v2) == FieldStats(163, 16, -64)
    assert receptive_field("alexnet") == FieldStats(195, 32, -66)   # torchvision's layout pads conv1 by 2; pool5


def _autograd_field(model, n):
    """Extent of d out[centre] / d input along one row, for a 1-channel model with positive weights."""
    x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = model(x)
    c = y.shape[-1] // 2
    (g,) = torch.autograd.grad(y[0, :, c, c].sum(), x)
    cols = np.nonzero(g[0, 0].abs().sum(0).numpy())[0]
    return cols.max() - cols.min() + 1


def _positive(model):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand_like(p) + 0.1)
    return model.double().eval()


@pytest.mark.parametrize("make", [
    lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.AvgPool2d(2), nn.Conv2d(2, 2, 5, dilation=2), nn.AvgPool2d(3, 2)),
    lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), BasicBlock(4, 4), BasicBlock(4, 8, stride=2)),
    lambda: nn.Sequential(nn.Conv2d(1, 4, 7, stride=2, padding=3), nn.AvgPool2d(3, 2, padding=1), BasicBlock(4, 4)),
])
def test_field_equals_the_autograd_field(make):
    # average pooling: max pooling's gradient reaches only the maximum, not the whole window
    torch.manual_seed(0)
    model = _positive(make())
    r = receptive_field(model, (1, 96, 96))
    assert _autograd_field(model, 96) == r.size


def test_summary_rows_against_a_forward_pass_and_formulas():
    model = nn.Sequential(nn.Conv2d(3, 8, 5, stride=2, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, groups=2), nn.Flatten(), nn.Linear(16 * 6 * 6, 10))
    rows = summary(model, (3, 32, 32))
    x, shapes = torch.zeros(1, 3, 32, 32), []
    for layer in model:
        x = layer(x)
        shapes.append(tuple(x.shape[1:]))
    assert [r.shape for r in rows] == shapes
    assert [r.parameters for r in rows] == [sum(p.numel() for p in m.parameters()) for m in model]
    assert rows[0].flops == conv_flops(3, 8, 5, 32, stride=2, padding=2)
    assert rows[3].flops == conv_flops(8, 16, 3, 8, groups=2)
    assert rows[5].flops == 2 * 16 * 6 * 6 * 10
    assert [r.field_text() for r in rows[:4]] == ["5 / 2 / -2", "5 / 2 / -2", "7 / 4 / -2", "15 / 4 / -2"]  # r + (k - 1) j
    assert rows[4].field is None and "total" in format_summary(rows)


def test_imagenet_summaries_match_the_published_numbers():
    for name, a in ARCHITECTURES.items():
        rows = summary(name, depth=a.stage_depth)
        params = sum(r.parameters for r in rows)
        assert params == sum(p.numel() for p in build(name).parameters())
        if name != "se_resnet50":
            assert params == a.params
        if a.gflops is not None:
            assert sum(r.flops for r in rows) / 2e9 == pytest.approx(a.gflops, rel=0.01), name


def test_global_pooling_and_se_gates_are_marked():
    se = summary(nn.Sequential(nn.Conv2d(1, 16, 3), SqueezeExcitation(16, 4), nn.AdaptiveAvgPool2d(1)), (1, 9, 9))
    assert [r.field_text() for r in se] == ["3 / 1 / 0", "3 / 1 / 0 + global", "global"]
    assert [name for name, _ in stage_fields(se)] == ["0", "1"]


def test_resnet_field_follows_the_largest_path():
    # stem 7x7/2 (7), max pool 3x3/2 (11), then per stage two 3x3 per basic block
    path = field_path("resnet18")
    assert path[:2] == [ConvSpec(7, 2, 3), ConvSpec(3, 2, 1)] and len(path) == 2 + 16
    assert receptive_field("resnet18") == FieldStats(435, 32, -217)


def test_a_single_layer_is_its_own_row():
    (row,) = summary(nn.Conv2d(3, 4, 3, padding=1), (3, 8, 8))
    assert row.flops == conv_flops(3, 4, 3, 8, padding=1) and row.shape == (4, 8, 8) and row.parameters == 112


def test_patch_embedding_field_is_one_patch():
    assert receptive_field(PatchEmbedding(3, 8, 16).proj, (3, 64, 64)) == FieldStats(16, 16, 0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(model="resnet1000"), "name='resnet1000' is not allowed"),
    (dict(model=42), "model=42 is not allowed"),
    (dict(model="alexnet", input_size=(3, 224)), "input_size=.* is not allowed"),
    (dict(model="alexnet", input_size=(3, 32, 32)), "input_size=.* cannot run"),
    (dict(model="alexnet", depth=0), "depth=0 is not allowed"),
])
def test_bad_input_is_a_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        summary(**kwargs)
