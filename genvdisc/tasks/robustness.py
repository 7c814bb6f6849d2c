"""Test accuracy under corruption (config.robustness): additive Gaussian noise and one-pixel shifts,
for any task with `predict` (a classifier, or a class-conditional generative model by Bayes' rule).

Corruptions of an example x (shape [*S], S the spatial axes then channels if any):
  noise_<l>: clip(x + sigma eps, lo, hi), eps ~ N(0, I), sigma = l times the standard deviation
    of all training inputs (one number per dataset: digits' pixel std, MNIST-1D's signal std), l in
    NOISE_LEVELS, [lo, hi] the range of the training inputs (digits: pixels stay in [0, 1]);
  shift: x moved by exactly one position along one spatial axis, axis and direction drawn at
    random per example (images: rows or columns; sequences: the time axis), zeros shifted in.
The draws come from the evaluation key of each evaluation batch (fold_in(eval key, batch)), so
the models of a seed see the same corrupted copies only at the same config.eval_batch_size; the
genclf tables' closed-form rows draw theirs from rng.split_key(seed) (known debt,
tests/unit/genvdisc/tasks/test_robustness.py's xfail).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc import objectives
from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.tasks.base import Task

NOISE_LEVELS = (0.25, 0.5, 1.0)


def shift_one(x: jax.Array, key: jax.Array, num_spatial: int) -> jax.Array:
  """Each example of x [B, *S] moved by +-1 along one of its first `num_spatial` axes of S."""
  k_axis, k_sign = jax.random.split(key)
  axis = jax.random.randint(k_axis, x.shape[:1], 0, num_spatial)
  sign = 2 * jax.random.randint(k_sign, x.shape[:1], 0, 2) - 1
  offsets = jax.nn.one_hot(axis, num_spatial, dtype=jnp.int32) * sign[:, None]    # [B, num_spatial]
  pad = [(1, 1)] * num_spatial + [(0, 0)] * (x.ndim - 1 - num_spatial)
  padded = jnp.pad(x, [(0, 0)] + pad)

  def crop(example, offset):
    start = jnp.concatenate([1 - offset, jnp.zeros(x.ndim - 1 - num_spatial, jnp.int32)])
    return jax.lax.dynamic_slice(example, start, x.shape[1:])

  return jax.vmap(crop)(padded, offsets)


class InputStats(NamedTuple):
  """What the corruptions need of the training inputs."""
  std: float
  low: float
  high: float
  num_spatial: int            # leading axes of an example that `shift_one` may move it along

  @classmethod
  def of(cls, dataset: Dataset) -> "InputStats":
    x = dataset.x_train
    return cls(float(np.std(x)), float(np.min(x)), float(np.max(x)),
               2 if dataset.kind == "image" else 1)


def corrupted_accuracies(predict: Callable[[jax.Array, jax.Array], jax.Array], x: jax.Array,
                         y: jax.Array, key: jax.Array, stats: InputStats) -> dict[str, jax.Array]:
  """Per-example accuracy [B] of predict(x, key) -> scores [B, K] on each corrupted copy of x
  (module docstring): {'accuracy_noise_<l>', ..., 'accuracy_shift'}."""
  out = {}
  for i, level in enumerate(NOISE_LEVELS):
    k_noise, k_predict = jax.random.split(jax.random.fold_in(key, i))
    noisy = jnp.clip(x + level * stats.std * jax.random.normal(k_noise, x.shape), stats.low,
                     stats.high)
    out[f"accuracy_noise_{level:g}"] = objectives.accuracy(predict(noisy, k_predict), y)
  k_shift, k_predict = jax.random.split(jax.random.fold_in(key, len(NOISE_LEVELS)))
  out["accuracy_shift"] = objectives.accuracy(predict(shift_one(x, k_shift, stats.num_spatial),
                                                      k_predict), y)
  return out


def with_robustness(task: Task, dataset: Dataset, name: str) -> Task:
  """`task` whose eval_metrics also hold the `corrupted_accuracies` of task.predict (key:
  fold_in(evaluation key, 7)); `name`: config.task, for the error."""
  if task.predict is None:
    raise ConfigError(f"config.robustness=True needs a classifier; config.task={name!r} does not "
                      "classify here (generative tasks do with config.conditional=True)")
  if dataset.kind not in ("image", "sequence") or not isinstance(dataset.x_train, np.ndarray):
    raise ConfigError(f"config.robustness=True needs images or sequences on the device; dataset "
                      f"{dataset.name!r} is {dataset.kind}: use False")
  stats = InputStats.of(dataset)

  def eval_metrics(params, batch, key):
    predict = lambda x, k: task.predict(params, x, k)
    return {**task.eval_metrics(params, batch, key),
            **corrupted_accuracies(predict, batch["x"], batch["y"], jax.random.fold_in(key, 7),
                                   stats)}

  return dataclasses.replace(task, eval_metrics=eval_metrics)
