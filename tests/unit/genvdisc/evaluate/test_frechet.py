"""Evaluation: the importance-weighted estimator on PPCA, Fréchet distance, classifier-IS, grids."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from experiments import judges
from genvdisc.errors import ConfigError
from genvdisc.evaluate import frechet
from genvdisc.evaluate.likelihood import importance_weighted_log_likelihood


def gaussian_log_density(x, mean, cov):
  """log N(x; mean, cov) for rows of x, in float64 numpy."""
  d = x.shape[-1]
  diff = x - mean
  _, logdet = np.linalg.slogdet(cov)
  return -0.5 * (d * np.log(2 * np.pi) + logdet + np.sum(diff @ np.linalg.inv(cov) * diff, -1))


@pytest.mark.slow
def test_importance_weighted_estimator_on_ppca():
  """PPCA x = W z + mu + eps, z ~ N(0, I_2), eps ~ N(0, s^2 I_5): log p(x) = log N(x; mu, W W^T + s^2 I).

  The proposal is deliberately not the posterior (its mean is shifted and its variance doubled),
  so the weights vary and the estimate has to average them out.
  """
  rng = np.random.default_rng(0)
  d, l, s2 = 5, 2, 0.5
  w, mu = rng.normal(size=(d, l)), rng.normal(size=d)
  x = rng.normal(size=(8, l)) @ w.T + mu + np.sqrt(s2) * rng.normal(size=(8, d))
  exact = gaussian_log_density(x, mu, w @ w.T + s2 * np.eye(d))

  m = w.T @ w + s2 * np.eye(l)
  post_mean = (x - mu) @ w @ np.linalg.inv(m).T
  q_mean = jnp.asarray(post_mean + 0.3, jnp.float32)
  q_std = jnp.asarray(np.sqrt(2 * np.diag(s2 * np.linalg.inv(m))), jnp.float32)
  w32, mu32 = jnp.asarray(w, jnp.float32), jnp.asarray(mu, jnp.float32)

  def log_normal(v, mean, std):
    return jnp.sum(-0.5 * jnp.log(2 * jnp.pi) - jnp.log(std) - 0.5 * ((v - mean) / std) ** 2, -1)

  def log_weights(key, k):
    z = q_mean + q_std * jax.random.normal(key, (k, *q_mean.shape))
    log_joint = log_normal(z, 0.0, 1.0) + log_normal(jnp.asarray(x, jnp.float32),
                                                     z @ w32.T + mu32, jnp.sqrt(s2))
    return log_joint - log_normal(z, q_mean, q_std)

  estimate = jax.jit(lambda key: importance_weighted_log_likelihood(log_weights, key, 5000, 250))(
      jax.random.PRNGKey(0))
  np.testing.assert_allclose(estimate, exact, atol=0.05)
  elbo = log_weights(jax.random.PRNGKey(1), 5000).mean(0)  # E_q log w, the k = 1 bound
  assert np.all(elbo < exact - 0.05)  # visibly looser, so the proposal is really off


def test_frechet_distance_closed_form():
  """Diagonal (commuting) covariances: ||m1 - m2||^2 + sum_i (s1_i - s2_i)^2."""
  m1, m2 = jnp.array([0.0, 1.0, 2.0]), jnp.array([1.0, 1.0, 0.0])
  s1, s2 = jnp.array([1.0, 2.0, 3.0]), jnp.array([2.0, 2.0, 1.0])
  expected = 1.0 + 4.0 + (1.0 + 0.0 + 4.0)
  np.testing.assert_allclose(frechet.frechet_distance(m1, jnp.diag(s1 ** 2), m2, jnp.diag(s2 ** 2)),
                             expected, rtol=1e-5)


def test_frechet_distance_general_covariances():
  rng = np.random.default_rng(1)
  a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
  cov1, cov2 = a @ a.T + 0.1 * np.eye(4), b @ b.T + 0.1 * np.eye(4)
  m1, m2 = rng.normal(size=4), rng.normal(size=4)
  expected = (np.sum((m1 - m2) ** 2) + np.trace(cov1 + cov2)
              - 2 * np.trace(scipy.linalg.sqrtm(cov1 @ cov2)).real)
  got = frechet.frechet_distance(*(jnp.asarray(v, jnp.float32) for v in (m1, cov1, m2, cov2)))
  np.testing.assert_allclose(got, expected, rtol=1e-4)
  np.testing.assert_allclose(frechet.frechet_distance(m1, cov1, m1, cov1), 0.0, atol=1e-4)


@pytest.mark.slow
def test_classifier_fid_of_samples_and_inception_score():
  key1, key2 = jax.random.split(jax.random.PRNGKey(0))
  real = jax.random.normal(key1, (20000, 3))
  fake = 2.0 * jax.random.normal(key2, (20000, 3)) + 1.0
  # N(0, I) vs N(1, 4 I) in 3-D: 3 * 1 + 3 * (2 - 1)^2 = 6
  np.testing.assert_allclose(frechet.classifier_fid(real, fake), 6.0, rtol=0.03)
  confident = jnp.log(jnp.eye(10) * 0.999 + 0.0001)  # each sample sure of a different class
  np.testing.assert_allclose(frechet.classifier_inception_score(confident), 10.0, rtol=0.02)
  np.testing.assert_allclose(frechet.classifier_inception_score(jnp.zeros((10, 10))), 1.0)


def test_inception_score_when_a_class_probability_underflows():
  """p(y=2|x) = e^-200 (0 in float32) for every sample: log p(y=2) must stay finite. Two sure
  samples of classes 1 and 0: p(y) = (1/2, 1/2, 0), KL = log 2 each, IS = 2."""
  logits = np.asarray([[0.0, 200.0, 0.0], [200.0, 0.0, 0.0]], np.float32)
  score = jax.jit(frechet.classifier_inception_score)
  np.testing.assert_allclose(score(logits), 2.0, rtol=1e-6)
  np.testing.assert_allclose(score(logits[:1]), 1.0, rtol=1e-6)


def test_a_judge_scores_only_runs_on_its_own_dataset_and_split(tmp_path):
  frechet.check_judge_data("mlp_digits", "digits", 0, "digits", 0)
  frechet.check_judge_data("mlp_mnist", "tfds:mnist", 0, "tfds:mnist", 3)  # a fixed split
  with pytest.raises(ConfigError, match=r"^config.split_seed=3 but config.judge='mlp_digits' is "
                                        r"trained on split_seed=0, .* use --config.split_seed=0$"):
    frechet.check_judge_data("mlp_digits", "digits", 0, "digits", 3)
  with pytest.raises(ConfigError, match="is trained on 'digits', not on 'iris'"):
    frechet.check_judge_data("mlp_digits", "digits", 0, "iris", 0)
  with pytest.raises(ConfigError, match="^config.split_seed=2 but config.judge='mlp_digits'"):
    judges.load_judge("mlp_digits", "digits", str(tmp_path), split_seed=2)   # before it trains
  assert not list(tmp_path.iterdir())
