"""helpers.data: the IDX reader, the checked download path (against a server on 127.0.0.1) and the
offline digits. Nothing here reaches the outside network."""

import functools
import gzip
import hashlib
import http.server
import threading

import numpy as np
import pytest
import torch

from helpers import data
from helpers.data import (
    DownloadError,
    fetch_idx_files,
    fetch_mnist,
    load_digits,
    offline_digits,
    read_idx,
    sample_digit,
)


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file written independently of the reader: magic 0 0 0x08 ndim, big-endian sizes, bytes."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def md5(blob: bytes) -> str:
    return hashlib.md5(blob).hexdigest()


@pytest.fixture
def server(tmp_path):
    """A static HTTP server on 127.0.0.1 serving tmp_path/www; yields (base_url, folder)."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", www
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def tiny_mnist():
    rng = np.random.default_rng(0)
    x_train, y_train = rng.integers(0, 256, (6, 28, 28)), rng.integers(0, 10, 6)
    x_test, y_test = rng.integers(0, 256, (3, 28, 28)), rng.integers(0, 10, 3)
    blobs = {
        "train-images-idx3-ubyte.gz": gzip.compress(idx_bytes(x_train), mtime=0),
        "train-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(y_train), mtime=0),
        "t10k-images-idx3-ubyte.gz": gzip.compress(idx_bytes(x_test), mtime=0),
        "t10k-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(y_test), mtime=0),
    }
    return blobs, (x_train, y_train, x_test, y_test)


def test_read_idx_plain_and_gzipped(tmp_path):
    a = np.arange(2 * 3 * 4).reshape(2, 3, 4) % 256
    (tmp_path / "a.idx").write_bytes(idx_bytes(a))
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(idx_bytes(a), mtime=0))
    for name in ("a.idx", "a.idx.gz"):
        out = read_idx(tmp_path / name)
        assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
        np.testing.assert_array_equal(out, a)


@pytest.mark.parametrize("blob, message", [
    (idx_bytes(np.zeros((2, 3, 3)))[:-1], "truncated or corrupt"),
    (idx_bytes(np.zeros((2, 3, 3))) + b"x", "truncated or corrupt"),
    (b"\x00\x00\x08\x03\x00\x00", "truncated IDX header"),
    (b"PK\x03\x04 not idx", "not an IDX file"),
    (gzip.compress(idx_bytes(np.zeros((4, 4))), mtime=0)[:-6], "broken gzip stream"),
], ids=["one byte short", "one byte long", "short header", "not idx", "cut gzip"])
def test_read_idx_rejects_broken_files(tmp_path, blob, message):
    (tmp_path / "bad").write_bytes(blob)
    with pytest.raises(ValueError, match=message):
        read_idx(tmp_path / "bad")


def test_fetch_mnist_from_a_local_server(server, tiny_mnist, tmp_path):
    url, www = server
    blobs, arrays = tiny_mnist
    for name, blob in blobs.items():
        (www / name).write_bytes(blob)
    cache = tmp_path / "cache"
    got = fetch_mnist(cache, base_urls=[url], files={n: md5(b) for n, b in blobs.items()}, progress=False)
    for ours, theirs in zip(got, arrays):
        np.testing.assert_array_equal(ours, theirs)
    assert got[1].dtype == np.int64
    assert sorted(p.name for p in cache.iterdir()) == sorted(blobs)
    # a second call reads the cache: it works with the server's files gone
    for f in www.iterdir():
        f.unlink()
    again = fetch_mnist(cache, base_urls=[url], files={n: md5(b) for n, b in blobs.items()}, progress=False)
    np.testing.assert_array_equal(again[0], arrays[0])


@pytest.mark.parametrize("damage", ["corrupted", "truncated"])
def test_a_bad_download_is_rejected_and_not_cached(server, tiny_mnist, tmp_path, damage):
    url, www = server
    blobs, _ = tiny_mnist
    name = "train-images-idx3-ubyte.gz"
    good = blobs[name]
    bad = bytearray(good)
    if damage == "corrupted":
        bad[len(bad) // 2] ^= 0xFF
    else:
        bad = bad[: len(bad) // 2]
    (www / name).write_bytes(bytes(bad))
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match="(?i)hash|md5"):
        fetch_idx_files({name: md5(good)}, base_urls=[url], directory=cache)
    assert not any(cache.iterdir()), "a file that failed its checksum was left in the cache"


def test_a_mirror_that_fails_is_skipped(server, tiny_mnist, tmp_path):
    url, www = server
    blobs, arrays = tiny_mnist
    name = "t10k-labels-idx1-ubyte.gz"
    (www / name).write_bytes(blobs[name])
    dead = "http://127.0.0.1:1/"  # a closed port
    got = fetch_idx_files({name: md5(blobs[name])}, base_urls=[url + "missing/", dead, url], directory=tmp_path / "c")
    np.testing.assert_array_equal(got[name], arrays[3])


def test_a_checksum_match_that_is_not_idx_is_deleted(server, tmp_path):
    url, www = server
    blob = b"this is not an IDX file at all"
    (www / "x.gz").write_bytes(blob)
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match="not an IDX file"):
        fetch_idx_files({"x.gz": md5(blob)}, base_urls=[url], directory=cache)
    assert not (cache / "x.gz").exists()


def test_load_digits_uses_a_cached_full_mnist(server, tiny_mnist, tmp_path, monkeypatch):
    url, www = server
    blobs, arrays = tiny_mnist
    for name, blob in blobs.items():
        (www / name).write_bytes(blob)
    registry = {n: md5(b) for n, b in blobs.items()}
    monkeypatch.setattr(data, "MNIST_FILES", registry)
    fetch_mnist(tmp_path, base_urls=[url], files=registry, progress=False)  # fill the cache
    d = load_digits("auto", directory=tmp_path)  # offline flag is set by conftest: cache only
    assert d.source.startswith("mnist")
    assert tuple(d.x_train.shape) == (6, 1, 32, 32) and tuple(d.x_test.shape) == (3, 1, 32, 32)
    np.testing.assert_allclose(d.x_train[:, 0, 2:-2, 2:-2].numpy(), arrays[0] / 255.0, rtol=1e-6)
    assert float(d.x_train[:, :, :2].abs().max()) == 0.0  # the padded border is zero


def test_load_digits_auto_falls_back_offline_without_touching_the_network(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("load_digits tried to download while CNN_COURSE_OFFLINE is set")

    monkeypatch.setattr(data, "fetch_idx_files", no_network)
    d = load_digits("auto", directory=tmp_path)
    assert d.source.startswith("offline") and "CNN_COURSE_OFFLINE" in d.note


def test_load_digits_auto_falls_back_when_the_download_fails(tmp_path, monkeypatch):
    monkeypatch.delenv("CNN_COURSE_OFFLINE")
    closed = ("http://127.0.0.1:1/",)
    d = load_digits("auto", directory=tmp_path, mirrors=closed, timeout=2)
    assert d.source.startswith("offline") and "unavailable" in d.note
    with pytest.raises(DownloadError):
        load_digits("mnist", directory=tmp_path, mirrors=closed, timeout=2)


def test_offline_digits_are_real_mnist_digits():
    images, labels = offline_digits()
    assert images.shape == (5000, 28, 28) and images.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)
    assert images.min() == 0.0 and images.max() == 1.0
    # MNIST digits are centred by their centre of mass in the 28x28 field; the border is nearly empty
    assert float((images[:, :2] > 0.5).mean()) < 0.01 and float((images[:, :, :2] > 0.5).mean()) < 0.01
    ys, xs = np.mgrid[:28, :28]
    mass = images.sum(axis=(1, 2))
    cy, cx = (images * ys).sum(axis=(1, 2)) / mass, (images * xs).sum(axis=(1, 2)) / mass
    assert abs(np.median(cy) - 13.5) < 1.5 and abs(np.median(cx) - 13.5) < 1.5
    # a digit's ink covers about a fifth of the field
    assert 0.1 < float((images > 0.5).mean()) < 0.3


def test_offline_split_is_stratified_disjoint_and_seeded():
    d = load_digits("offline", test_size=1000, seed=0)
    assert tuple(d.x_train.shape) == (4000, 1, 32, 32) and d.x_train.dtype == torch.float32
    np.testing.assert_array_equal(np.bincount(d.y_test.numpy()), [100] * 10)
    again = load_digits("offline", test_size=1000, seed=0)
    assert torch.equal(d.x_test, again.x_test) and torch.equal(d.y_train, again.y_train)
    other = load_digits("offline", test_size=1000, seed=1)
    assert not torch.equal(d.y_test, other.y_test)
    # no test digit also appears in the training set
    train = {bytes(x.numpy().tobytes()) for x in d.x_train}
    assert not any(bytes(x.numpy().tobytes()) in train for x in d.x_test)
    unpadded = load_digits("offline", pad=0, test_size=10)
    assert tuple(unpadded.x_train.shape[-2:]) == (28, 28)


def test_sample_digit():
    three = sample_digit(0, label=3)
    images, labels = offline_digits()
    np.testing.assert_array_equal(three, images[labels == 3][0])
    assert sample_digit(7).shape == (28, 28)


@pytest.mark.parametrize("call, name", [
    (lambda: load_digits("kaggle"), "source"),
    (lambda: load_digits("offline", test_size=0), "test_size"),
    (lambda: load_digits("offline", test_size=5000), "test_size"),
    (lambda: load_digits("offline", pad=-1), "pad"),
    (lambda: sample_digit(5000), "index"),
    (lambda: sample_digit(0, label=10), "label"),
    (lambda: fetch_mnist(files={"a": "0"}), "files"),
])
def test_bad_arguments_raise_clear_errors(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ------------------------------------------------------------------ strokes -> image
VERTICAL = [np.array([[0.5, 0.1], [0.5, 0.9]])]


def _centre_of_mass(img):
    r, c = np.indices(img.shape)
    return (r * img).sum() / img.sum(), (c * img).sum() / img.sum()


def test_strokes_to_image_prepares_like_mnist():
    img = data.strokes_to_image(VERTICAL)
    assert img.shape == (32, 32) and img.dtype == np.float32 and 0 <= img.min() and img.max() <= 1
    rows = np.flatnonzero(img.max(axis=1) > 0)
    assert rows[-1] - rows[0] + 1 == 20  # the longest side fits MNIST's 20x20 box
    assert img[:2].sum() == 0 and img[-2:].sum() == 0 and img[:, :2].sum() == 0  # LeNet-5's padding
    cy, cx = _centre_of_mass(img)
    assert abs(cy - 15.5) <= 0.5 and abs(cx - 15.5) <= 0.5  # centre of mass at the centre
    assert np.any((img > 0) & (img < 1))  # anti-aliased grey levels


def test_strokes_to_image_ignores_where_and_how_big():
    """A digit drawn small in a corner or large in the middle gives (nearly) the same input."""
    seven = np.array([[0.2, 0.2], [0.8, 0.2], [0.4, 0.9]])
    small = seven * 0.4 + 0.05
    a, b = data.strokes_to_image([seven]), data.strokes_to_image([small], width=0.09 * 0.4)
    assert np.abs(a - b).mean() < 0.05


def test_strokes_to_image_edge_cases():
    assert not data.strokes_to_image([]).any()
    dot = data.strokes_to_image([np.array([[0.3, 0.3]])])
    assert dot.any()  # a click is a dot, centred
    assert data.strokes_to_image(VERTICAL, pad=0).shape == (28, 28)
    for bad, name in (([np.zeros((3, 3))], "stroke 0"), ([np.zeros((0, 2))], "stroke 0"),
                      ([[(np.nan, 0.5)]], "stroke 0"), (None, "strokes"), (VERTICAL, "width")):
        with pytest.raises(ValueError, match=name):
            data.strokes_to_image(bad, width=2.0 if name == "width" else 0.09)
