"""Labelled subsets of a training split, the same for every semi-supervised table.

Seed s labels `num_labels` training examples, num_labels / K of each of the K classes, drawn
with its run key (`engine.seed_keys(s)[1]`, the key the engine hands a task's `sample_batch`):
`labelled_subset(run_key, y, K, n)` is the first n of `learning_curves.subset_order` with
n / K per class, under `fold_in(run_key, LABELS_KEY_DATA)`. So M2 draws the same subset
in-graph, for each vmapped seed, that the M1 and augmentation tables draw outside
(`labelled_indices(y, n, s)`).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc.data import Dataset
from genvdisc.errors import ConfigError

# fold_in data of the labels key: below the evaluation key's 2^32 - 1, above any step.
LABELS_KEY_DATA = 2**32 - 2


def check_num_labels(y: np.ndarray, num_classes: int, num_labels: int) -> None:
  low = np.bincount(y, minlength=num_classes).min()
  if num_labels % num_classes or not 1 <= num_labels // num_classes <= low:
    raise ConfigError(f"num_labels={num_labels} is invalid; use a multiple of the {num_classes} "
                      f"classes up to {num_classes * low}")


def labelled_subset(run_key: jax.Array, y: jax.Array, num_classes: int,
                    num_labels: int) -> jax.Array:
  """Indices [num_labels] of the labelled examples of the seed with this run key (traceable)."""
  from genvdisc import learning_curves  # not at the top: it imports the engine -> tasks -> us
  key = jax.random.fold_in(run_key, LABELS_KEY_DATA)
  order = learning_curves.subset_order(key, y, num_classes, num_labels // num_classes)
  return order[:num_labels]


def labelled_indices(y: np.ndarray, num_labels: int, seed: int) -> np.ndarray:
  """`labelled_subset` of seed `seed`, as numpy indices."""
  from genvdisc.train.engine import seed_keys
  num_classes = int(y.max()) + 1
  check_num_labels(y, num_classes, num_labels)
  return np.asarray(labelled_subset(seed_keys(seed)[1], jnp.asarray(y), num_classes, num_labels))


def training_subset(dataset: Dataset, indices: np.ndarray, x_extra: np.ndarray | None = None,
                    y_extra: np.ndarray | None = None) -> Dataset:
  """The training split cut to `indices`, plus optional extra (e.g. generated) examples."""
  x, y = dataset.x_train[indices], dataset.y_train[indices]
  if x_extra is not None:
    x = np.concatenate([x, x_extra.astype(x.dtype)])
    y = np.concatenate([y, y_extra.astype(y.dtype)])
  return _read_only(dataclasses.replace(dataset, x_train=x, y_train=y))


def with_features(dataset: Dataset, name: str, train: np.ndarray, test: np.ndarray) -> Dataset:
  """`dataset`'s labels with new inputs (e.g. a VAE's posterior means) as a tabular dataset."""
  return _read_only(dataclasses.replace(
      dataset, name=name, kind="tabular", x_train=np.asarray(train, np.float32),
      x_test=np.asarray(test, np.float32)))


def standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """(x - mean) / std per feature with the training split's statistics (std 0 -> 1)."""
  train = train.reshape(train.shape[0], -1)
  test = test.reshape(test.shape[0], -1)
  mean, std = train.mean(0), train.std(0)
  std = np.where(std > 0, std, 1.0)
  return ((train - mean) / std).astype(np.float32), ((test - mean) / std).astype(np.float32)


def _read_only(dataset: Dataset) -> Dataset:
  for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
    array.setflags(write=False)
  return dataset
