"""VGG against torchvision's published numbers and the paper's Table 1."""

import pytest
import torch
from torch import nn

from helpers.models.vgg import vgg, vgg11, vgg16
from tests.models._imagenet import count_and_gmacs


@pytest.mark.parametrize("constructor, params, gmacs, convs", [
    (vgg11, 132_863_336, 7.61, 8), (vgg16, 138_357_544, 15.47, 13)])
def test_vgg_matches_torchvision(constructor, params, gmacs, convs):
    n, g, shape = count_and_gmacs(constructor)
    assert n == params and shape == (1, 1000)
    assert g == pytest.approx(gmacs, rel=0.01)
    model = constructor()
    conv_layers = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(conv_layers) == convs and all(m.kernel_size == (3, 3) and m.padding == (1, 1) for m in conv_layers)


def test_vgg16_fc_layers_by_hand():
    fc = (512 * 7 * 7 + 1) * 4096 + (4096 + 1) * 4096 + (4096 + 1) * 1000
    model = vgg16()
    assert sum(p.numel() for p in model[3].parameters()) == fc == 123_642_856


def test_vgg_features_end_at_512x7x7():
    with torch.device("meta"):
        features = vgg11(num_classes=10)[0]
    assert tuple(features(torch.zeros(1, 3, 224, 224, device="meta")).shape) == (1, 512, 7, 7)


def test_unknown_config_is_a_value_error():
    with pytest.raises(ValueError, match="config='E' is not allowed"):
        vgg("E")
