"""Objectives against values computed by hand (and sklearn where it has the same formula)."""

import math

import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.metrics import log_loss

from genvdisc import objectives


def test_cross_entropy_hand_values():
  scores = jnp.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
  labels = jnp.array([2, 0])
  log_z = math.log(math.e + math.e ** 2 + math.e ** 3)  # 3.40760596
  expected = [log_z - 3.0, log_z - 1.0]  # 0.40760596, 2.40760596
  np.testing.assert_allclose(objectives.softmax_cross_entropy(scores, labels), expected, rtol=1e-6)


def test_cross_entropy_matches_sklearn_log_loss():
  rng = np.random.default_rng(0)
  scores = rng.normal(size=(50, 4)).astype(np.float32)
  labels = rng.integers(0, 4, size=50)
  probs = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
  ours = float(jnp.mean(objectives.softmax_cross_entropy(jnp.asarray(scores), jnp.asarray(labels))))
  assert ours == pytest.approx(log_loss(labels, probs, labels=range(4)), rel=1e-5)


def test_cross_entropy_is_stable_for_large_scores():
  value = objectives.softmax_cross_entropy(jnp.array([[1000.0, 0.0]]), jnp.array([1]))
  assert float(value[0]) == pytest.approx(1000.0)


def test_crammer_singer_hinge_hand_values():
  scores = jnp.array([[1.0, 2.0, 0.5]] * 3 + [[3.0, 0.0, 0.0]])
  labels = jnp.array([1, 0, 2, 0])
  # label 1: 1 + max(1, .5) - 2 = 0; label 0: 1 + 2 - 1 = 2; label 2: 1 + 2 - .5 = 2.5;
  # last row: 1 + 0 - 3 < 0 -> 0.
  np.testing.assert_allclose(objectives.multiclass_hinge(scores, labels), [0.0, 2.0, 2.5, 0.0])


def test_hinge_is_one_joint_margin_not_one_vs_rest():
  # One-vs-rest would add a hinge per wrong class (1 + 0.9 - 1) * 2 = 1.8; Crammer–Singer takes the max.
  scores = jnp.array([[1.0, 0.9, 0.9]])
  np.testing.assert_allclose(objectives.multiclass_hinge(scores, jnp.array([0])), [0.9], rtol=1e-6)


def test_l2_penalty_hand_value_skips_biases():
  params = {"Dense_0": {"kernel": jnp.array([[1.0, 2.0], [3.0, 0.0]]), "bias": jnp.array([5.0, 5.0])}}
  # (1 + 4 + 9) / (2 * C * n) with C = 2, n = 10.
  assert float(objectives.l2_penalty(params, C=2.0, num_train=10)) == pytest.approx(0.35)
  assert float(objectives.l2_penalty(params, C=0.0, num_train=10)) == 0.0


def test_accuracy():
  scores = jnp.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
  np.testing.assert_array_equal(objectives.accuracy(scores, jnp.array([1, 1, 1])), [1.0, 0.0, 1.0])
