"""classifier-FID and classifier-IS: Fréchet distance and Inception-Score-style score computed
with the features and class probabilities of a classifier genvdisc trained itself (the judge).

They are NOT comparable with Inception-network FID / IS (Heusel et al. 2017; Salimans et al.
2016), which use ImageNet Inception-v3 features: only compare them between runs that share the
judge config, the dataset and the sample count.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import jax
import jax.numpy as jnp

from genvdisc.data import SKLEARN_DATASETS
from genvdisc.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Judge:
  """A trained classifier that scores samples (`experiments.judges.train_judge` makes one).

  name: its config; dataset, split_seed: the data it was trained on (`check_judge_data`);
  test_accuracy: its own. apply(x [B, ...]) -> (logits [B, K], features [B, F]); features are
  the input of the classifier's final Dense layer (its last hidden representation).
  """
  name: str
  dataset: str
  split_seed: int
  test_accuracy: float
  apply: Callable[[jax.Array], tuple[jax.Array, jax.Array]]


def check_judge_data(judge: str, judge_dataset: str, judge_split_seed: int, dataset: str,
                     split_seed: int) -> None:
  """One ConfigError line unless judge `judge`, trained on (judge_dataset, judge_split_seed),
  may score a run on (dataset, split_seed): the same dataset, and for the sets whose train/test
  split `split_seed` draws (scikit-learn's) the same split, else the test images the samples
  are compared with include images the judge trained on."""
  if judge_dataset != dataset:
    raise ConfigError(f"config.judge={judge!r} is trained on {judge_dataset!r}, not on "
                      f"{dataset!r}; pick a judge config for the same dataset")
  if dataset in SKLEARN_DATASETS and judge_split_seed != split_seed:
    raise ConfigError(f"config.split_seed={split_seed} but config.judge={judge!r} is trained on "
                      f"split_seed={judge_split_seed}, whose training images are in this test "
                      f"split; use --config.split_seed={judge_split_seed}")


def gaussian_stats(features: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Mean [F] and unbiased covariance [F, F] of features [N, F]."""
  mean = features.mean(0)
  centred = features - mean
  return mean, centred.T @ centred / (features.shape[0] - 1)


def sqrtm_psd(matrix: jax.Array) -> jax.Array:
  """Symmetric square root V sqrt(max(lambda, 0)) V^T of a symmetric PSD matrix."""
  eigenvalues, vectors = jnp.linalg.eigh(matrix)
  return (vectors * jnp.sqrt(jnp.maximum(eigenvalues, 0.0))) @ vectors.T


def frechet_distance(mean1, cov1, mean2, cov2) -> jax.Array:
  """d^2(N(m1, S1), N(m2, S2)) = ||m1 - m2||^2 + tr(S1 + S2 - 2 (S1 S2)^{1/2}).

  tr (S1 S2)^{1/2} = tr (S1^{1/2} S2 S1^{1/2})^{1/2} = sum sqrt(eig(S1^{1/2} S2 S1^{1/2})), which
  needs only symmetric eigendecompositions (jit- and vmap-friendly).
  """
  root1 = sqrtm_psd(cov1)
  middle = root1 @ cov2 @ root1
  trace_sqrt = jnp.sum(jnp.sqrt(jnp.maximum(jnp.linalg.eigvalsh((middle + middle.T) / 2), 0.0)))
  return jnp.sum((mean1 - mean2) ** 2) + jnp.trace(cov1) + jnp.trace(cov2) - 2.0 * trace_sqrt


def classifier_fid(real_features: jax.Array, fake_features: jax.Array) -> jax.Array:
  """Fréchet distance between Gaussians fitted to the judge's features of real and generated data."""
  return frechet_distance(*gaussian_stats(real_features), *gaussian_stats(fake_features))


def classifier_inception_score(logits: jax.Array) -> jax.Array:
  """exp(E_x KL(p(y|x) || p(y))), p(y) = E_x p(y|x), with the judge's class probabilities.

  Between 1 (every sample gets the same class distribution) and the number of classes
  (confident predictions spread evenly over the classes).
  """
  log_p = jax.nn.log_softmax(logits, axis=-1)
  # log p(y) = logsumexp_x log p(y|x) - log N: finite where every p(y|x) underflows exp.
  log_marginal = jax.nn.logsumexp(log_p, axis=0) - jnp.log(logits.shape[0])
  kl = jnp.sum(jnp.exp(log_p) * (log_p - log_marginal), axis=-1)
  return jnp.exp(jnp.mean(kl))


def judged_scores(judge: Judge, samples: jax.Array, x_test: jax.Array) -> dict[str, jax.Array]:
  """{'classifier_fid', 'classifier_is'} of `samples` under `judge`, FID against `x_test`."""
  _, real_features = judge.apply(x_test)
  fake_logits, fake_features = judge.apply(samples)
  return {"classifier_fid": classifier_fid(real_features, fake_features),
          "classifier_is": classifier_inception_score(fake_logits)}


def sample_scores(judge: Judge, sample, num_samples: int):
  """dataset_metrics(params, data, key) for the engine: `judged_scores` of num_samples draws of
  sample(params, key, n) against data['x_test']."""
  return lambda params, data, key: judged_scores(judge, sample(params, key, num_samples),
                                                 data["x_test"])
