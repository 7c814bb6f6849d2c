"""Generative classifiers by Bayes' rule: argmax_y log p(x|y) + log p(y) from a class-conditional
model's log p(x|y), and the model's marginal log p(x) = logsumexp_y (log p(x|y) + log p(y)).

The class-conditional likelihood is called once per class (vmapped over the K classes) with the
same key, so a likelihood that samples (an importance-weighted estimate, a diffusion bound)
scores every class on the same draws: the classes' estimates differ by the model alone (Li et
al. 2023 share (t, eps) across classes for this reason).
"""

from __future__ import annotations

import math
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc.data.datasets import Dataset

# class_log_likelihood(x [B, ...], y [B] int, key) -> log p(x|y) [B]
ClassLogLikelihood = Callable[[jax.Array, jax.Array, jax.Array], jax.Array]


def class_log_prior(config, dataset: Dataset) -> np.ndarray:
  """log p(y) [K] of the classifier: uniform with config.labels_per_class (every seed's training
  subset holds as many examples of each class), else the training split's class frequencies."""
  k = dataset.num_classes
  if config.get("labels_per_class", 0) or dataset.y_train is None:
    return np.full(k, -math.log(k), np.float32)
  counts = np.bincount(dataset.y_train, minlength=k)
  return np.log(counts / counts.sum()).astype(np.float32)


def joint_log_probs(class_log_likelihood: ClassLogLikelihood, x: jax.Array, key: jax.Array,
                    log_prior) -> jax.Array:
  """log p(x|y) + log p(y) for every class y: [B, K], each class with the same `key`."""
  num_classes = len(log_prior)
  every_class = jnp.arange(num_classes)[:, None] + jnp.zeros(x.shape[:1], jnp.int32)
  per_class = jax.vmap(lambda y: class_log_likelihood(x, y, key))(every_class)   # [K, B]
  return per_class.T + jnp.asarray(log_prior)


def marginal_log_prob(class_log_likelihood: ClassLogLikelihood, x: jax.Array, key: jax.Array,
                      num_classes: int) -> jax.Array:
  """log p(x) = log (1/K) sum_y p(x|y) (uniform p(y)): [B]."""
  uniform = np.full(num_classes, -math.log(num_classes), np.float32)
  return jax.nn.logsumexp(joint_log_probs(class_log_likelihood, x, key, uniform), axis=-1)

