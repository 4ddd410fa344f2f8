"""Attention modules against explicit computations: CBAM, the non-local block, ViT's patch embedding."""

import pytest
import torch

from helpers.models.attention import CBAM, DigitAttentionNet, NonLocalBlock, PatchEmbedding


def test_patch_embedding_is_a_linear_map_per_patch():
    torch.manual_seed(0)
    embed = PatchEmbedding(3, 20, patch_size=16).double()
    x = torch.randn(2, 3, 64, 48, dtype=torch.float64)
    tokens = embed(x)
    assert tuple(tokens.shape) == (2, 4 * 3, 20)
    matrix = embed.proj.weight.reshape(20, -1)       # (dim, 3 * 16 * 16)
    for n in range(2):
        for i in range(4):
            for j in range(3):
                patch = x[n, :, 16 * i:16 * i + 16, 16 * j:16 * j + 16].reshape(-1)
                assert torch.allclose(tokens[n, 3 * i + j], matrix @ patch + embed.proj.bias)


def test_cbam_by_hand():
    torch.manual_seed(0)
    cbam = CBAM(8, reduction=4).double()
    ca, sa = cbam[0], cbam[1]
    x = torch.randn(2, 8, 6, 5, dtype=torch.float64)

    def mlp(v):
        return torch.relu(v @ ca.mlp[0].weight.T + ca.mlp[0].bias) @ ca.mlp[2].weight.T + ca.mlp[2].bias

    avg = x.mean(dim=(2, 3))
    mx = x.reshape(2, 8, -1).max(dim=2).values
    y = x * torch.sigmoid(mlp(avg) + mlp(mx))[:, :, None, None]
    maps = torch.stack([y.mean(1), y.max(1).values], dim=1)
    s = torch.sigmoid(torch.nn.functional.conv2d(maps, sa.conv.weight, padding=3))
    assert torch.allclose(cbam(x), y * s)
    assert tuple(sa.weights.shape) == (2, 6, 5)


def test_non_local_block_by_hand():
    torch.manual_seed(0)
    block = NonLocalBlock(6).double()
    x = torch.randn(2, 6, 4, 5, dtype=torch.float64)
    flat = x.reshape(2, 6, 20)                                      # positions as columns

    def conv1x1(conv, v):
        return conv.weight[:, :, 0, 0] @ v + conv.bias[:, None]

    theta, phi, g = conv1x1(block.theta, flat), conv1x1(block.phi, flat), conv1x1(block.g, flat)
    out = torch.empty(2, 6, 20, dtype=torch.float64)
    for n in range(2):
        scores = theta[n].T @ phi[n]                                 # (20, 20): position i against j
        a = torch.exp(scores - scores.max(1, keepdim=True).values)
        a = a / a.sum(1, keepdim=True)
        out[n] = flat[n] + conv1x1(block.out, g[n] @ a.T)
    assert torch.allclose(block(x), out.reshape(2, 6, 4, 5))
    assert torch.allclose(block.attention.sum(-1), torch.ones(2, 20, dtype=torch.float64))


@pytest.mark.parametrize("kind", DigitAttentionNet.KINDS)
def test_digit_attention_net_shapes(kind):
    net = DigitAttentionNet(kind)
    assert tuple(net(torch.zeros(3, 1, 32, 32)).shape) == (3, 10)


def test_unknown_attention_is_a_value_error():
    with pytest.raises(ValueError, match="attention='transformer' is not allowed"):
        DigitAttentionNet("transformer")
