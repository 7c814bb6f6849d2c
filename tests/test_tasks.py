"""What a task offers its callers besides training: sample / encode / log_prob, built from the
registry without training anything."""

import jax
import jax.numpy as jnp
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
  params, _ = task.init(rng.seed_keys(0)[0], jnp.asarray(dataset.x_train[:1]))
  return config, dataset, task, params


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


@pytest.mark.parametrize("name", ["vae_digits", "gan_digits", "vaegan_digits"])
def test_unconditional_samples_are_pictures(name):
  _, dataset, task, params = built(name)
  samples = task.sample(params, jax.random.PRNGKey(2), 5)
  assert samples.shape == (5, *dataset.example_shape)
  assert jnp.all((samples >= 0) & (samples <= 1))
  again = task.sample(params, jax.random.PRNGKey(2), 5)
  np.testing.assert_array_equal(samples, again)


def test_m2_samples_follow_their_labels_and_log_prob_is_its_bound():
  _, dataset, task, params = built("m2_digits")
  key = jax.random.PRNGKey(3)
  zeros, ones = (task.sample(params, key, 4, jnp.full((4,), c, jnp.int32)) for c in (0, 1))
  assert zeros.shape == (4, 8, 8, 1) and not np.array_equal(zeros, ones)
  batch = {"x": jnp.asarray(dataset.x_test[:8]), "y": jnp.asarray(dataset.y_test[:8])}
  np.testing.assert_array_equal(task.log_prob(params, batch["x"], key),
                                task.eval_metrics(params, batch, key)["bound"])


def test_classifiers_draw_nothing():
  _, _, task, _ = built("mlp_digits")
  assert task.sample is None and task.encode is None and task.log_prob is None


def test_unknown_task_is_one_line():
  config = shrunk_config("mlp_digits", task="flow")
  with pytest.raises(ConfigError, match="unknown task 'flow' .*valid: classification, vae"):
    registry.from_config(config, data.load("digits"))
