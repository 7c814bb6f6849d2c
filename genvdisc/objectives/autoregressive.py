"""Exact likelihood of an autoregressive model over token sequences.

Notation: tokens x in {0..V-1}^T per example, logits l_t in R^V of p(x_t | x_<t) at every
position t, all T positions from one (teacher-forced, causally masked) pass.
"""

import math

import jax

from genvdisc.objectives.classification import softmax_cross_entropy


def sequence_log_likelihood(logits: jax.Array, tokens: jax.Array) -> jax.Array:
  """log p(x) = sum_t log softmax(l_t)[x_t] = -sum_t CE(l_t, x_t), in nats.

  logits [B, T, V], tokens int [B, T] -> [B]. Exact: the chain rule, no bound, no sampling.
  """
  return -softmax_cross_entropy(logits, tokens).sum(axis=-1)


def bits_per_dim(nll: jax.Array, num_dims: int) -> jax.Array:
  """NLL in bits per token: nll / (T ln 2), nll in nats per sequence of T = num_dims tokens."""
  return nll / (num_dims * math.log(2.0))
