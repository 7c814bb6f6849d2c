"""Likelihoods in known units: the decoders of discrete levels, the dequantisation bound, their
config errors, the class-conditional VAE, and the likelihood table."""

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from experiments.tables import likelihood
from genvdisc import data, rng
from genvdisc.errors import ConfigError
from genvdisc.tasks import registry
from genvdisc.tasks.shared import Likelihood
from tests.conftest import shrunk_config
from tests.e2e.test_tfds_configs import compilation_cache_dir  # noqa: F401 (a fixture)

LEVELS = 17
EVERY_LEVEL = np.arange(LEVELS) / (LEVELS - 1)            # the 17 pixel values k/16


def probabilities_of_every_level(lik: Likelihood, outputs: np.ndarray) -> np.ndarray:
  """P(x = k/16) [B, 17] of one-pixel decoder outputs [B, 1, 1, per-pixel], from `log_prob` of
  every (output, level) pair."""
  pairs = np.repeat(outputs, LEVELS, axis=0)
  x = np.tile(EVERY_LEVEL, len(outputs)).reshape(-1, 1, 1, 1).astype(np.float32)
  return np.exp(lik.log_prob(jnp.asarray(pairs), jnp.asarray(x))).reshape(len(outputs), LEVELS)


@pytest.mark.slow
def test_categorical_and_discretized_logistic_sum_to_one_over_the_17_levels():
  categorical = Likelihood("categorical", (1, 1, 1), LEVELS)
  logits = np.random.RandomState(0).normal(0, 3, (8, 1, 1, LEVELS)).astype(np.float32)
  probs = probabilities_of_every_level(categorical, logits)
  np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
  np.testing.assert_allclose(probs, jax.nn.softmax(logits[:, 0, 0]), rtol=1e-4)

  logistic = Likelihood("discretized_logistic", (1, 1, 1), LEVELS)
  mean, log_scale = np.meshgrid([-3.0, -1.0, -0.3, 0.0, 0.5, 1.0, 3.0], [-8.0, -2.0, 0.0, 3.0])
  outputs = np.stack([mean.ravel(), log_scale.ravel()], -1).reshape(-1, 1, 1, 2).astype(np.float32)
  probs = probabilities_of_every_level(logistic, outputs)
  np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
  # mean 0, scale 1: the middle level's bin is [-1/16, 1/16], P = sigma(1/16) - sigma(-1/16) =
  # tanh(1/32); the lowest level's bin is open below: P = sigma(-1 + 1/16).
  standard = probs[(mean.ravel() == 0) & (log_scale.ravel() == 0)][0]
  np.testing.assert_allclose(standard[8], math.tanh(1 / 32), rtol=1e-4)
  np.testing.assert_allclose(standard[0], 1 / (1 + math.exp(15 / 16)), rtol=1e-5)
  # E[x|z] over the levels: 1/2 for uniform logits and for a logistic centred on 0 (symmetry).
  np.testing.assert_allclose(categorical.mean(jnp.zeros((1, 1, 1, LEVELS))), [[[[0.5]]]], rtol=1e-6)
  np.testing.assert_allclose(logistic.mean(jnp.zeros((1, 1, 1, 2))), [[[[0.5]]]], rtol=1e-5)


def test_the_uniform_row_is_64_ln_17_for_every_seed(tmp_path):
  record = likelihood.table([likelihood.UniformRow()]).compute(str(tmp_path), (0, 3)).record
  values = [m["test_nll"] for m in record["rows"][0]["per_seed"].values()]
  np.testing.assert_allclose(values, [64 * math.log(17)] * 2, atol=1e-4)   # 181.3257 nats


@pytest.mark.slow
def test_dequantized_gaussian_bound_on_a_1d_toy_equals_the_hand_computation():
  """Levels k/2 (K = 3, w = 1/2), x = 1/2, p = N(1/2, 0.3^2), y = x + (u - 1/2) w:
  -E_u log p(y) - log w = 1/2 log(2 pi 0.09) + E[(u - 1/2)^2] w^2 / (2 0.09) + log 2
                        = 1/2 log(2 pi 0.09) + 1/(12 * 4 * 0.18) + log 2 = 0.52385,
  above the exact -log P(x) = -log(2 Phi(0.25 / 0.3) - 1) = 0.51862."""
  hand = 0.5 * math.log(2 * math.pi * 0.09) + 1 / (12 * 4 * 0.18) + math.log(2)
  exact = -math.log(2 * stats.norm.cdf(0.25 / 0.3) - 1)
  assert hand == pytest.approx(0.523854, abs=1e-6) and exact == pytest.approx(0.518617, abs=1e-6)
  density = lambda y: stats.norm.logpdf(y[:, 0], 0.5, 0.3)
  bound = likelihood.dequantized_nll(density, np.array([[0.5]]), jax.random.PRNGKey(0), 0.5,
                                     samples=400_000)
  assert bound == pytest.approx(hand, abs=7e-4)   # Monte Carlo std 1.6e-4
  # The VAE's dequantised Gaussian decoder scores the same bound.
  decoder = Likelihood("gaussian", (1, 1, 1), levels=3, dequantized=True)
  x = jnp.full((400_000, 1, 1, 1), 0.5)
  outputs = jnp.broadcast_to(jnp.asarray([0.5, math.log(0.09)]), (400_000, 1, 1, 2))
  y = decoder.observe(x, jax.random.PRNGKey(1))
  assert float(jnp.max(jnp.abs(y - x))) <= 0.25 and decoder.discrete
  assert -float(decoder.log_prob(outputs, y).mean()) == pytest.approx(hand, abs=7e-4)


@pytest.mark.slow
def test_class_mixture_densities_are_the_normalised_mixture():
  """GNB and QDA score p(y) = sum_c pi_c N(y; mu_c, S_c), the full Gaussian normaliser included."""
  r = np.random.RandomState(1)
  y = r.normal(size=(30, 2)).astype(np.float32) + np.repeat([[0, 0], [3, 1]], 15, 0)
  labels = np.repeat([0, 1], 15).astype(np.int32)
  v = r.normal(size=(5, 2))
  for name, covariance in (("gnb", lambda a: np.diag(a.var(0))), ("qda", lambda a: np.cov(a.T, bias=True))):
    expected = np.logaddexp(*(math.log(0.5) + stats.multivariate_normal.logpdf(
        v, y[labels == c].mean(0), covariance(y[labels == c].astype(np.float64))) for c in (0, 1)))
    np.testing.assert_allclose(likelihood.DENSITIES[name](y, labels, 0)(v.astype(np.float32)),
                               expected, rtol=1e-4)


@pytest.mark.parametrize("name, overrides, message", [
    ("vae_digits", {"binarize": "none"}, r"config.likelihood='bernoulli' is invalid; use a "
     r"likelihood of the levels of dataset 'digits', which is not binary, e.g. 'categorical', or "
     r"--config.binarize=dynamic"),
    ("vae_digits_categorical", {"levels": 16}, r"config.levels=16 is invalid; use 17, the levels "
     r"k/16 of dataset 'digits'"),
    ("vae_digits_categorical", {"likelihood": "discretized_logistic", "levels": 9},
     r"config.levels=9 is invalid; use 17"),
    ("vae_digits_categorical", {"dequantize": "uniform"}, r"config.dequantize='uniform' is "
     r"invalid; use 'none' with config.likelihood='categorical'"),
])
def test_likelihoods_that_do_not_fit_the_data_are_one_line_errors(name, overrides, message):
  config = shrunk_config(name)
  with config.unlocked():
    config.update(overrides)
  with pytest.raises(ConfigError, match=message) as error:
    registry.from_config(config, data.load("digits"))
  assert "\n" not in str(error.value)


@pytest.mark.slow
def test_conditional_vae_log_prob_depends_on_the_label_and_sample_takes_labels():
  config = shrunk_config("vae_digits_categorical", conditional=True, iw_samples=4, iw_chunk=2)
  dataset = data.load("digits")
  with pytest.raises(ConfigError, match=r"config.conditional=True is invalid; use False: "
                                        r"dataset 'digits' has no training labels"):
    registry.from_config(config, dataclasses.replace(dataset, y_train=None))
  task = registry.from_config(config, dataset)
  params, _ = task.init(rng.seed_keys(0)[0], jnp.asarray(dataset.x_train[:1]))
  x, key = jnp.asarray(dataset.x_test[:6]), jax.random.PRNGKey(4)
  log_prob, sample = jax.jit(task.log_prob), jax.jit(task.sample, static_argnums=2)
  zeros, ones = (log_prob(params, x, key, jnp.full((6,), c, jnp.int32)) for c in (0, 1))
  assert zeros.shape == (6,) and np.all(np.abs(zeros - ones) > 1e-4)
  samples = [sample(params, key, 4, jnp.full((4,), c, jnp.int32)) for c in (0, 1)]
  assert samples[0].shape == (4, 8, 8, 1) and not np.array_equal(*samples)
  assert all(jnp.all((s >= 0) & (s <= 1)) for s in samples) and task.encode is None


@pytest.mark.slow
def test_the_tables_one_seed_alone_equals_its_rows_per_seed_value(tmp_path, compilation_cache_dir):
  shrunk = (("num_steps", 10), ("chunk_steps", 10), ("log_every", 10), ("checkpoint_every", 10),
            ("seed_group", 2), ("iw_samples", 4), ("iw_chunk", 2), ("image_grid", 0))
  table = likelihood.table([likelihood.TrainedRow("vae_digits_categorical", "estimate", "shrunk",
                                                  shrunk),
                            likelihood.DequantizedRow("gnb", "gnb", "-")])
  both, alone = (table.compute(str(tmp_path), seeds, lambda line: None).record
                 for seeds in ((0, 1), (1,)))
  for full_row, seed_row in zip(both["rows"], alone["rows"], strict=True):
    assert seed_row["per_seed"]["1"]["test_nll"] == full_row["per_seed"]["1"]["test_nll"]
    assert full_row["per_seed"]["0"]["test_nll"] != full_row["per_seed"]["1"]["test_nll"]
  nll, bits = likelihood.sections(both)[0].rows[1].cells
  assert 100 < nll.values[0] < 140   # GNB's bound, far below the uniform 181.3 nats
  np.testing.assert_allclose(bits.values, np.asarray(nll.values) / (64 * math.log(2)))
