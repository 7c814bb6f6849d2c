"""Subsets of a dataset: random class-balanced orders, labelled subsets, training subsets, features.

`subset_order(key, y, K, c)` is one random permutation in which each class's first c examples
are moved to the front. Learning curves take its first m examples as a training set of size m
(`subset_weights`, nested in m); the semi-supervised tables label the first n of
`subset_order(labels_key(run key of seed s), y, K, n / K)` (`labelled_subset`), n / K per class.
M2 draws that subset in-graph for each vmapped seed, and the M1 and augmentation tables draw
the same one outside (`labelled_indices(y, n, s)`).
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc import rng
from genvdisc.data.datasets import Dataset, read_only
from genvdisc.errors import ConfigError


def subset_order(key: jax.Array, y: jax.Array, num_classes: int, min_per_class: int) -> jax.Array:
  """A permutation of range(n): a random order with each class's first `min_per_class` examples
  moved to the front (in their random order)."""
  n = y.shape[0]
  perm = jax.random.permutation(key, n)                    # perm[j]: the example at position j
  onehot = jax.nn.one_hot(y[perm], num_classes, dtype=jnp.int32)
  rank_in_class = jnp.sum(jnp.cumsum(onehot, axis=0) * onehot, axis=1) - 1
  return perm[jnp.argsort(jnp.arange(n) - n * (rank_in_class < min_per_class))]


def subset_weights(key: jax.Array, y: jax.Array, num_classes: int, sizes: jax.Array,
                   min_per_class: int) -> jax.Array:
  """0/1 weights [len(sizes), n]: row j selects the first sizes[j] examples of `subset_order`."""
  rank = jnp.argsort(subset_order(key, y, num_classes, min_per_class))
  return (rank[None, :] < sizes[:, None]).astype(jnp.float32)


@dataclasses.dataclass(frozen=True)
class LabelBudget:
  """What config.labels_per_class means, in one place. per_class m > 0: every seed trains on its
  own class-balanced subset of m examples per class (`labelled_subset` of its run key), so it
  sees `size` = m K examples and uniform classes; m = 0: the whole training split, with its class
  frequencies. The engine draws minibatches from it, the classifier's L2 term divides by `size`,
  a Bayes-rule classifier's prior is `log_prior()`."""
  per_class: int
  num_classes: int
  num_train: int
  class_counts: np.ndarray | None   # [K] of the training split; None without labels

  @property
  def size(self) -> int:
    """Training examples each seed sees."""
    return self.per_class * self.num_classes or self.num_train

  def log_prior(self) -> np.ndarray:
    """log p(y) [K]: uniform on a balanced subset (or without labels), else the split's
    class frequencies."""
    if self.per_class or self.class_counts is None:
      return np.full(self.num_classes, -math.log(self.num_classes), np.float32)
    return np.log(self.class_counts / self.class_counts.sum()).astype(np.float32)


def label_budget(dataset: Dataset, per_class: int) -> LabelBudget:
  """config.labels_per_class for `dataset`, checked: 0, or 1 up to its smallest class (which
  needs the labelled training split in memory)."""
  labelled = dataset.y_train is not None
  counts = np.bincount(dataset.y_train, minlength=dataset.num_classes) if labelled else None
  if per_class:
    if not labelled or not isinstance(dataset.x_train, np.ndarray):
      raise ConfigError(f"config.labels_per_class={per_class} needs a labelled training split on "
                        "the device (--config.input=device); use 0")
    fewest = int(counts.min())
    if not isinstance(per_class, int) or not 1 <= per_class <= fewest:
      raise ConfigError(f"config.labels_per_class={per_class!r} is invalid; use an integer from 1 "
                        f"to {fewest} (the smallest class of {dataset.name!r}), or 0 for all")
  return LabelBudget(per_class, dataset.num_classes, dataset.num_train, counts)


def check_num_labels(y: np.ndarray, num_classes: int, num_labels: int) -> None:
  low = np.bincount(y, minlength=num_classes).min()
  if num_labels % num_classes or not 1 <= num_labels // num_classes <= low:
    raise ConfigError(f"num_labels={num_labels} is invalid; use a multiple of the {num_classes} "
                      f"classes up to {num_classes * low}")


def labelled_subset(run_key: jax.Array, y: jax.Array, num_classes: int,
                    num_labels: int) -> jax.Array:
  """Indices [num_labels] of the labelled examples of the seed with this run key (traceable)."""
  order = subset_order(rng.labels_key(run_key), y, num_classes, num_labels // num_classes)
  return order[:num_labels]


def labelled_indices(y: np.ndarray, num_labels: int, seed: int) -> np.ndarray:
  """`labelled_subset` of seed `seed`, as numpy indices."""
  num_classes = int(y.max()) + 1
  check_num_labels(y, num_classes, num_labels)
  return np.asarray(labelled_subset(rng.seed_keys(seed)[1], jnp.asarray(y), num_classes,
                                    num_labels))


def training_subset(dataset: Dataset, indices: np.ndarray, x_extra: np.ndarray | None = None,
                    y_extra: np.ndarray | None = None) -> Dataset:
  """The training split cut to `indices`, plus optional extra (e.g. generated) examples."""
  x, y = dataset.x_train[indices], dataset.y_train[indices]
  if x_extra is not None:
    x = np.concatenate([x, x_extra.astype(x.dtype)])
    y = np.concatenate([y, y_extra.astype(y.dtype)])
  return read_only(dataclasses.replace(dataset, x_train=x, y_train=y))


def with_features(dataset: Dataset, name: str, train: np.ndarray, test: np.ndarray) -> Dataset:
  """`dataset`'s labels with new inputs (e.g. a VAE's posterior means) as a tabular dataset."""
  return read_only(dataclasses.replace(
      dataset, name=name, kind="tabular", x_train=np.asarray(train, np.float32),
      x_test=np.asarray(test, np.float32)))


def hold_out_validation(dataset: Dataset, fraction: float, seed: int) -> Dataset:
  """The training split minus a stratified `fraction` of it, which becomes x_val / y_val.

  Per class c with n_c training examples, the first round(fraction · n_c) of a permutation
  drawn by numpy's default_rng(seed) (seed: config.split_seed) are held out; both parts keep
  the training order. The test split is untouched.
  """
  if not 0 < fraction < 1:
    raise ConfigError(f"config.validation_fraction={fraction!r} is invalid; use 0 (none) or a "
                      "fraction in (0, 1), e.g. 0.1")
  if not isinstance(dataset.x_train, np.ndarray):
    raise ConfigError("config.validation_fraction needs --config.input=device (a streamed "
                      "training split cannot be split)")
  y = dataset.y_train
  permute = np.random.default_rng(seed).permutation
  held = np.zeros(y.shape[0], bool)
  for c in range(dataset.num_classes):
    members = np.flatnonzero(y == c)
    held[permute(members)[:int(round(fraction * members.size))]] = True
  if not held.any() or held.all():
    raise ConfigError(f"config.validation_fraction={fraction!r} holds out {held.sum()} of "
                      f"{y.shape[0]} training examples; pick a fraction that leaves both parts non-empty")
  return read_only(dataclasses.replace(
      dataset, x_train=dataset.x_train[~held], y_train=y[~held], x_val=dataset.x_train[held],
      y_val=y[held]))


def standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """(x - mean) / std per feature with the training split's statistics (std 0 -> 1)."""
  train = train.reshape(train.shape[0], -1)
  test = test.reshape(test.shape[0], -1)
  mean, std = train.mean(0), train.std(0)
  std = np.where(std > 0, std, 1.0)
  return ((train - mean) / std).astype(np.float32), ((test - mean) / std).astype(np.float32)
