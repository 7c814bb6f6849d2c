"""What a task offers its callers besides training: sample / encode / log_prob, built from the
registry without training anything."""

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from genvdisc import data, rng
from genvdisc.errors import ConfigError
from genvdisc.tasks import registry
from tests.conftest import shrunk_config


def built(name: str, **overrides):
  config = shrunk_config(name, **overrides)
  dataset = data.load(config.dataset)
  task = registry.from_config(config, dataset)
  params, _ = jax.jit(task.init)(rng.seed_keys(0)[0], jnp.asarray(dataset.x_train[:1]))
  return config, dataset, task, params


@pytest.mark.slow
def test_vae_log_prob_of_a_fresh_model_is_about_fair_coins():
  """A fresh Bernoulli decoder has logits near 0, so log p(x) is close to 64 log(1/2) nats for
  any 8x8 image (each pixel's log-likelihood is x log s + (1 - x) log(1 - s) with s near 1/2)."""
  config, dataset, task, params = built("vae_digits", iw_samples=20, iw_chunk=10)
  x = jnp.asarray(dataset.x_test[:16])
  log_px = task.log_prob(params, x, jax.random.PRNGKey(1))
  assert log_px.shape == (16,)
  np.testing.assert_allclose(log_px, -64 * np.log(2), atol=6.0)
  assert abs(float(log_px.mean()) + 64 * np.log(2)) < 2.5
  assert task.encode(params, x).shape == (16, config.latent_dim)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["vae_digits", "gan_digits", "vaegan_digits"])
def test_unconditional_samples_are_pictures(name):
  _, dataset, task, params = built(name)
  samples = task.sample(params, jax.random.PRNGKey(2), 5)
  assert samples.shape == (5, *dataset.example_shape)
  assert jnp.all((samples >= 0) & (samples <= 1))
  again = task.sample(params, jax.random.PRNGKey(2), 5)
  np.testing.assert_array_equal(samples, again)


@pytest.mark.slow
def test_m2_samples_follow_their_labels():
  _, _, task, params = built("m2_digits")
  key = jax.random.PRNGKey(3)
  zeros, ones = (task.sample(params, key, 4, jnp.full((4,), c, jnp.int32)) for c in (0, 1))
  assert zeros.shape == (4, 8, 8, 1) and not np.array_equal(zeros, ones)


def dense(layer, h):
  return h @ np.asarray(layer["kernel"], np.float64) + np.asarray(layer["bias"], np.float64)


def m2_bound_by_hand(params, x, eps, num_classes: int, latent: int) -> np.ndarray:
  """-U(x) = sum_y q(y|x) (-L(x, y)) + H(q(y|x)), -L(x, y) = log p(x|y,z) + log p(y) - KL(q(z|x,y)
  || N(0, I)) with z = mean + exp(logvar / 2) eps[y], in float64 numpy, for M2 of one hidden layer
  per network (classifier ReLU, encoder and decoder tanh, Bernoulli decoder) on binary x [B, D]."""
  enc, dec, cls = params["encoder"], params["decoder"], params["classifier"]
  logits = dense(cls["Dense_1"], np.maximum(dense(cls["Dense_0"], x), 0.0))
  log_q = logits - logits.max(1, keepdims=True)
  log_q -= np.log(np.exp(log_q).sum(1, keepdims=True))
  bounds = np.zeros((x.shape[0], num_classes))
  for y in range(num_classes):
    onehot = np.broadcast_to(np.eye(num_classes)[y], (x.shape[0], num_classes))
    # the encoder's output layer is Dense_0: flax names it first (built before its input stack)
    out = dense(enc["Dense_0"], np.tanh(dense(enc["Dense_1"], np.concatenate([x, onehot], 1))))
    mean, logvar = out[:, :latent], out[:, latent:]
    z = mean + np.exp(logvar / 2) * eps[y]
    hidden = np.tanh(dense(dec["Dense_0"], np.concatenate([z, onehot], 1)))
    pixel_logits = dense(dec["Dense_1"], hidden)
    log_px = np.sum(x * pixel_logits - np.logaddexp(0.0, pixel_logits), 1)
    kl = 0.5 * np.sum(mean ** 2 + np.exp(logvar) - 1.0 - logvar, 1)
    bounds[:, y] = log_px - np.log(num_classes) - kl
  q = np.exp(log_q)
  return np.sum(q * bounds, 1) - np.sum(q * log_q, 1)


@pytest.mark.slow
def test_m2_log_prob_and_bound_equal_the_bound_written_out_in_numpy():
  """A tiny M2 (hidden 4, latent 2, classifier hidden 3) with N(0, 1) params: log_prob and
  eval_metrics' `bound` equal -U(x) computed by hand. Binary x makes the dynamic binarisation
  exact; the one z draw per class uses the task's key, split into (binarise, z), and one N(0, I)
  draw for the K class-major copies of the batch."""
  tiny = ml_collections.ConfigDict({"hidden_sizes": (4,)})
  _, dataset, task, params = built("m2_digits", latent_dim=2, classifier_hidden_sizes=(3,),
                                   model_kwargs=tiny)
  draws = np.random.default_rng(0)
  params = jax.tree.map(lambda p: jnp.asarray(draws.normal(0, 1.0, p.shape), jnp.float32), params)
  x = (dataset.x_test[:6] > 0.5).astype(np.float32)
  key, k = jax.random.PRNGKey(5), dataset.num_classes
  eps = jax.random.normal(jax.random.split(key)[1], (k * 6, 2)).reshape(k, 6, 2)
  expected = m2_bound_by_hand(params, x.reshape(6, -1).astype(np.float64),
                              np.asarray(eps, np.float64), k, latent=2)
  np.testing.assert_allclose(jax.jit(task.log_prob)(params, x, key), expected, rtol=1e-5)
  batch = {"x": x, "y": dataset.y_test[:6]}
  np.testing.assert_allclose(jax.jit(task.eval_metrics)(params, batch, key)["bound"], expected,
                             rtol=1e-5)
  assert np.all(expected < 0) and np.ptp(expected) > 1.0


@pytest.mark.slow
def test_classifiers_draw_nothing():
  _, _, task, _ = built("mlp_digits")
  assert task.sample is None and task.encode is None and task.log_prob is None


def test_unknown_task_is_one_line():
  config = shrunk_config("mlp_digits", task="flow")
  with pytest.raises(ConfigError, match="unknown task 'flow' .*valid: classification, vae"):
    registry.from_config(config, data.load("digits"))
