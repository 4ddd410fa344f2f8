"""Partial-convolution-based padding against a torch implementation of the paper's layer; padding comparisons."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from helpers.checks import rel_error
from helpers.conv import conv2d
from helpers.data import photograph
from helpers.padding import (
    PADDING_SCHEMES,
    compare_padding,
    partial_conv2d,
    partial_ratio,
)
from tests.torch_oracle import torch_partial_conv2d


@given(
    n=st.integers(1, 2), c_in=st.integers(1, 3), c_out=st.integers(1, 3), h=st.integers(3, 9),
    w=st.integers(3, 9), k=st.sampled_from([1, 2, 3, 5]), stride=st.integers(1, 3), padding=st.integers(0, 4),
    dilation=st.integers(1, 2), bias=st.booleans(), seed=st.integers(0, 2**16),
)
def test_partial_conv2d_matches_torch(n, c_in, c_out, h, w, k, stride, padding, dilation, bias, seed):
    span = dilation * (k - 1) + 1
    assume(span <= min(h, w) + 2 * padding)  # the kernel fits
    rng = np.random.default_rng(seed)
    x, wt = rng.standard_normal((n, c_in, h, w)), rng.standard_normal((c_out, c_in, k, k))
    b = rng.standard_normal(c_out) if bias else None
    ours = partial_conv2d(x, wt, b, stride, padding, dilation)
    assert rel_error(ours, torch_partial_conv2d(x, wt, b, stride, padding, dilation)) < 1e-7


def test_constant_image_stays_constant_at_the_border_and_zero_padding_does_not():
    image = np.full((12, 10), 0.7)
    for k in (3, 5, 7):
        blur = np.full((k, k), 1 / k**2)
        p = k // 2
        partial = partial_conv2d(image, blur, padding=p)
        zeros = conv2d(image, blur, padding=p)
        assert np.allclose(partial, 0.7, atol=1e-12)
        assert zeros[0, 0] < 0.7 - 0.1 and np.allclose(zeros[p:-p, p:-p], 0.7)
        # the corner of zero padding sees (p+1)^2 of k^2 pixels
        assert zeros[0, 0] == pytest.approx(0.7 * (p + 1) ** 2 / k**2)


def test_partial_ratio_counts_the_image_pixels():
    r = partial_ratio(4, 4, 3, padding=1)
    assert r[0, 0] == pytest.approx(9 / 4) and r[0, 1] == pytest.approx(9 / 6) and r[1, 1] == 1.0
    assert (partial_ratio(5, 5, 3, padding=0) == 1).all()
    r = partial_ratio(3, 3, 3, padding=3)  # windows entirely in the padding: no output
    assert r[0, 0] == 0.0 and r.shape == (7, 7)


def test_partial_conv2d_rejects_a_bias_of_the_wrong_shape():
    with pytest.raises(ValueError, match="bias"):
        partial_conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 1, 3, 3)), bias=np.ones(3), padding=1)


@pytest.fixture(scope="module")
def photo():
    return photograph(factor=2)


def test_compare_padding_measures_only_the_border(photo):
    k = np.full((7, 7), 1 / 49)
    results = compare_padding(photo, k, 100, 80, 48)
    assert list(results) == list(PADDING_SCHEMES)
    full = conv2d(photo, k)  # valid on the whole photo: the truth, independently indexed
    truth = full[100 - 3: 100 - 3 + 48, 80 - 3: 80 - 3 + 48]
    x = torch.tensor(photo[100:148, 80:128])[None, None]
    for name, r in results.items():
        if name == "partial":
            expected = torch_partial_conv2d(x.numpy(), k[None, None], padding=3)[0, 0]
        else:
            xp = F.pad(x, (3,) * 4, mode={"zeros": "constant"}.get(name, name))
            expected = F.conv2d(xp, torch.tensor(k)[None, None])[0, 0].numpy()
        assert rel_error(r.output, expected) < 1e-6
        assert r.interior_error < 1e-12
        assert r.border_error == pytest.approx(np.abs(expected - truth)[np.pad(np.zeros((42, 42), bool), 3,
                                                                               constant_values=True)].mean())
    # zero padding darkens a blurred border far more than copying image pixels does
    assert results["zeros"].border_error > 2 * max(results[m].border_error for m in ("reflect", "replicate", "partial"))


@pytest.mark.parametrize("kw, match", [({"top": 1}, "crop"), ({"size": 600}, "crop")])
def test_compare_padding_rejects_a_crop_that_does_not_fit(photo, kw, match):
    args = {"top": 100, "left": 80, "size": 48, **kw}
    with pytest.raises(ValueError, match=match):
        compare_padding(photo, np.ones((7, 7)), **args)
    with pytest.raises(ValueError, match="odd square"):
        compare_padding(photo, np.ones((4, 4)), 100, 80, 48)
