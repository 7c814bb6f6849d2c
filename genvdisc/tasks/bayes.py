"""Generative classifiers by Bayes' rule: argmax_y log p(x|y) + log p(y) from a class-conditional
model's log p(x|y), and the model's marginal log p(x) = logsumexp_y (log p(x|y) + log p(y)).

The class-conditional likelihood is called once per class with the same key, so a likelihood
that samples (an importance-weighted estimate, a diffusion bound) scores every class on the same
draws: the classes' estimates differ by the model alone (Li et al. 2023 share (t, eps) across
classes for this reason). The K classes are vmapped (config.class_batch = 0, the default), or
scored n at a time by `lax.map` (class_batch = n < K), which divides the memory of the
evaluation by about K / n for K / n sequential passes.
"""

from __future__ import annotations

import math
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc.data import subsets
from genvdisc.data.datasets import Dataset
from genvdisc.tasks.shared import require

# class_log_likelihood(x [B, ...], y [B] int, key) -> log p(x|y) [B]
ClassLogLikelihood = Callable[[jax.Array, jax.Array, jax.Array], jax.Array]


def class_log_prior(config, dataset: Dataset) -> np.ndarray:
  """log p(y) [K] of the classifier: the prior of the examples each seed trains on
  (`subsets.LabelBudget.log_prior`)."""
  return subsets.label_budget(dataset, config.labels_per_class).log_prior()


def class_batch(config, num_classes: int) -> int:
  """config.class_batch, checked: classes scored at once (0: all of them), at most the
  `num_classes` of the data (0 when the task scores no classes)."""
  n = config.class_batch
  require(isinstance(n, int) and n >= 0 and (n <= num_classes or n == 0 or not num_classes),
          "class_batch", n, f"0 (every class at once) or the number of classes to score at "
          f"once, 1 to {max(num_classes, 1)}")
  return n


def joint_log_probs(class_log_likelihood: ClassLogLikelihood, x: jax.Array, key: jax.Array,
                    log_prior, batch: int = 0) -> jax.Array:
  """log p(x|y) + log p(y) for every class y: [B, K], each class with the same `key`; `batch`
  classes at a time (0: all)."""
  num_classes = len(log_prior)
  every_class = jnp.arange(num_classes)[:, None] + jnp.zeros(x.shape[:1], jnp.int32)
  score = lambda y: class_log_likelihood(x, y, key)
  if batch == 0 or batch >= num_classes:
    per_class = jax.vmap(score)(every_class)                                 # [K, B]
  else:
    per_class = jax.lax.map(score, every_class, batch_size=batch)
  return per_class.T + jnp.asarray(log_prior)


def marginal_log_prob(class_log_likelihood: ClassLogLikelihood, x: jax.Array, key: jax.Array,
                      num_classes: int, batch: int = 0) -> jax.Array:
  """log p(x) = log (1/K) sum_y p(x|y) (uniform p(y)): [B]."""
  uniform = np.full(num_classes, -math.log(num_classes), np.float32)
  return jax.nn.logsumexp(joint_log_probs(class_log_likelihood, x, key, uniform, batch), axis=-1)


def sampler(sample_given: Callable[..., jax.Array], num_classes: int) -> Callable[..., jax.Array]:
  """A Task's `sample(params, key, n, labels=None)` from `sample_given(params, key, n, labels)`:
  a class-conditional model (num_classes = K > 0) without labels first draws y ~ U{0..K-1} with
  the second half of split(key); an unconditional one (num_classes = 0) gets labels None."""
  def sample(params, key, n, labels=None):
    if num_classes and labels is None:
      key, k_y = jax.random.split(key)
      labels = jax.random.randint(k_y, (n,), 0, num_classes)
    return sample_given(params, key, n, labels if num_classes else None)
  return sample
