"""Datasets: shapes, fixed seeded splits, preprocessing, TFDS through mock data, clear errors."""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from genvdisc import data
from genvdisc.data import datasets
from genvdisc.errors import DataError


@pytest.mark.parametrize("name, kind, shape, n_train, n_test, classes", [
    ("digits", "image", (8, 8, 1), 1347, 450, 10),
    ("iris", "tabular", (4,), 112, 38, 3),
    ("wine", "tabular", (13,), 133, 45, 3),
    ("breast_cancer", "tabular", (30,), 426, 143, 2),
    ("mnist1d", "sequence", (40, 1), 4000, 1000, 10),
])
def test_embedded_datasets(name, kind, shape, n_train, n_test, classes):
  d = data.load(name)
  assert (d.kind, d.example_shape, d.num_train, d.num_test, d.num_classes) == (
      kind, shape, n_train, n_test, classes)
  assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int32
  assert set(np.unique(d.y_train)) == set(range(classes))
  assert not d.x_train.flags.writeable


def test_split_is_fixed_by_split_seed():
  a, b = data.load("iris", split_seed=0), datasets._load_sklearn("iris", 0)
  np.testing.assert_array_equal(a.x_train, b.x_train)
  c = data.load("iris", split_seed=1)
  assert not np.array_equal(a.y_train, c.y_train)


def test_preprocessing():
  digits = data.load("digits")
  assert digits.x_train.min() == 0.0 and digits.x_train.max() == 1.0
  wine = data.load("wine")
  np.testing.assert_allclose(wine.x_train.mean(0), 0.0, atol=1e-5)
  np.testing.assert_allclose(wine.x_train.std(0), 1.0, atol=1e-4)


@pytest.mark.slow
def test_mnist1d_matches_generator_and_keeps_global_rng():
  np.random.seed(123)
  expected_next = np.random.RandomState(123).rand()
  d = datasets._load_mnist1d("mnist1d")
  assert np.random.rand() == expected_next
  assert d.y_train[:10].tolist() == [2, 6, 4, 5, 6, 6, 6, 0, 3, 1]  # the package's seed 42
  shuffled = data.load("mnist1d_shuffled")
  assert shuffled.x_train.shape == d.x_train.shape and not np.allclose(shuffled.x_train, d.x_train)


def test_unknown_dataset_lists_valid_names():
  with pytest.raises(DataError, match=r"unknown dataset 'mnist2d'.*digits.*mnist1d.*tfds:<name>"):
    data.load("mnist2d")


def test_tfds_image_dataset_through_mock_data():
  with tfds.testing.mock_data(num_examples=12):
    d = data.load("tfds:mnist")
  assert d.kind == "image" and d.example_shape == (28, 28, 1) and d.num_classes == 10
  assert d.num_train == 12 and d.num_test == 12
  assert 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0 and d.x_train.max() > 0.5


def test_missing_tfds_dataset_is_a_clear_error(tmp_path):
  with pytest.raises(DataError, match=rf"not prepared under {tmp_path}.*--config.data_dir"):
    data.load("tfds:fashion_mnist", data_dir=str(tmp_path))
