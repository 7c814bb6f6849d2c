"""Every PRNG key genvdisc derives, in one place.

A seed s has an init key and a run key (`seed_keys`); the run key is the seed's
`TrainState.key`. Step t of training uses split(fold_in(run key, t)) (`step_keys`). Everything
else folds a constant that no training step reaches (steps are < 2^32 - 2):

  fold_in(run key, EVAL_KEY_DATA)    evaluation; its sub-keys fold EVAL_SPLIT_DATA[split],
                                     EVAL_DATASET_METRICS_DATA and EVAL_IMAGES_DATA
  fold_in(run key, LABELS_KEY_DATA)  the seed's labelled subset (semi-supervised tables)
  fold_in(PRNGKey(s), GENERATION_KEY_DATA)  samples a table draws from seed s's trained model
  PRNGKey(s) itself (`split_key`)    what a table draws for split s outside training: learning-
                                     curve subsets, dequantisation noise, corruptions, samples of
                                     a closed-form model
"""

from __future__ import annotations

import jax
import numpy as np

EVAL_KEY_DATA = 2**32 - 1
LABELS_KEY_DATA = 2**32 - 2
GENERATION_KEY_DATA = 1
EVAL_SPLIT_DATA = {"train": 0, "test": 1, "val": 4}
EVAL_DATASET_METRICS_DATA = 2
EVAL_IMAGES_DATA = 3


def seed_keys(seed) -> tuple[jax.Array, jax.Array]:
  """(init key, run key) of a seed; the run key is the seed's `TrainState.key`."""
  init_key, run_key = jax.random.split(jax.random.PRNGKey(seed))
  return init_key, run_key


def split_key(seed) -> jax.Array:
  """PRNGKey(seed): the key of split (or seed) `seed` of a table's draws outside training."""
  return jax.random.PRNGKey(seed)


def step_keys(run_key: jax.Array, step) -> jax.Array:
  """[batch key, task key] of a step: split(fold_in(run key, step))."""
  return jax.random.split(jax.random.fold_in(run_key, step))


def eval_key(run_key: jax.Array) -> jax.Array:
  """The seed's evaluation key, fold_in(run key, EVAL_KEY_DATA)."""
  return jax.random.fold_in(run_key, EVAL_KEY_DATA)


def labels_key(run_key: jax.Array) -> jax.Array:
  """The key of the seed's labelled subset, fold_in(run key, LABELS_KEY_DATA)."""
  return jax.random.fold_in(run_key, LABELS_KEY_DATA)


def generation_key(seed: int) -> jax.Array:
  """The key of the samples a table draws from seed `seed`'s model."""
  return jax.random.fold_in(jax.random.PRNGKey(seed), GENERATION_KEY_DATA)


def seed_groups(seeds: tuple[int, ...], width: int) -> list[np.ndarray]:
  """Splits seeds into groups of exactly `width`; the last is padded by repeating its last seed.

  A seed's result depends on the per-device vmap width but not on its neighbours or its slot
  (shared README, measured), so padding with repeats is exact and the copies are dropped.
  """
  groups = []
  for start in range(0, len(seeds), width):
    group = list(seeds[start:start + width])
    group += [group[-1]] * (width - len(group))
    groups.append(np.asarray(group, np.int32))
  return groups
