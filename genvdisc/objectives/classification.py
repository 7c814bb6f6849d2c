"""Classification objectives, written out as formulas.

Notation: scores s in R^{B x K} for a batch of B examples and K classes, labels y in {0..K-1}^B.
"""

import jax
import jax.numpy as jnp


def log_softmax(scores: jax.Array) -> jax.Array:
  """log p_k = s_k - log sum_j exp(s_j), computed as (s_k - m) - log sum_j exp(s_j - m), m = max_j s_j."""
  shifted = scores - jax.lax.stop_gradient(scores.max(axis=-1, keepdims=True))
  return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=-1, keepdims=True))


def softmax_cross_entropy(scores: jax.Array, labels: jax.Array) -> jax.Array:
  """Per-example cross-entropy -log p_y = log sum_j exp(s_j) - s_y. Shape [B]."""
  return -jnp.take_along_axis(log_softmax(scores), labels[..., None], axis=-1)[..., 0]


def multiclass_hinge(scores: jax.Array, labels: jax.Array) -> jax.Array:
  """Per-example Crammer–Singer hinge max(0, 1 + max_{j != y} s_j - s_y). Shape [B].

  One joint margin over all classes (Crammer & Singer 2001), not K one-vs-rest hinges.
  """
  num_classes = scores.shape[-1]
  is_label = jax.nn.one_hot(labels, num_classes, dtype=bool)
  true_score = jnp.sum(jnp.where(is_label, scores, 0.0), axis=-1)
  best_other = jnp.max(jnp.where(is_label, -jnp.inf, scores), axis=-1)
  return jnp.maximum(0.0, 1.0 + best_other - true_score)


def l2_penalty(params, C: float, num_train: int) -> jax.Array:
  """||W||^2 / (2 C n) over every weight matrix ('kernel' leaves; biases are not penalised).

  With the mean data loss (1/n) sum_i l_i this is the sklearn primal 1/2 ||W||^2 + C sum_i l_i
  divided by C n, so C means what it means in sklearn's LogisticRegression and LinearSVC.
  C <= 0 turns the penalty off (C may be traced: a swept hyperparameter).
  """
  leaves = jax.tree_util.tree_leaves_with_path(params)
  squared = sum(jnp.sum(w ** 2) for path, w in leaves if getattr(path[-1], "key", None) == "kernel")
  on = jnp.asarray(C) > 0
  return jnp.where(on, squared / (2.0 * jnp.where(on, C, 1.0) * num_train), 0.0)


def accuracy(scores: jax.Array, labels: jax.Array) -> jax.Array:
  """Per-example 1[argmax_k s_k == y]. Shape [B]."""
  return (jnp.argmax(scores, axis=-1) == labels).astype(jnp.float32)


DATA_LOSSES = {
    "cross_entropy": softmax_cross_entropy,
    "hinge": multiclass_hinge,
}
