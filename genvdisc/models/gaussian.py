"""Generative classifiers with Gaussian class-conditionals, fitted in closed form.

Each model is a pure pair `fit(x, y, num_classes, weights) -> params` and
`log_joint(params, x) -> log p(x, y=k)` `[n, K]`; the prediction is argmax_k and
`predict_log_proba` normalises over k. `weights` (0/1 per example, `[n]`) selects the training
subset, so subsets of different sizes of one pool have one shape and vmap over splits and sizes;
every class needs weight > 0 (LDA: more examples than classes). All statistics are maximum
likelihood, computed in the dtype of `x` (float64 under `jax.enable_x64` gives scikit-learn's
numbers to rounding).

Notation: n_k = sum_i w_i 1[y_i = k], n = sum_k n_k, pi_k = n_k / n (class priors),
mu_k = sum_i w_i 1[y_i = k] x_i / n_k (class means), d features.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import jax
import jax.numpy as jnp

from genvdisc.errors import ConfigError

Params = dict[str, jax.Array]


def _class_stats(x, y, num_classes, weights):
  """One-hot responsibilities r [n, K] (= w_i 1[y_i = k]), counts n_k, priors pi_k, means mu_k."""
  r = jax.nn.one_hot(y, num_classes, dtype=x.dtype) * weights.astype(x.dtype)[:, None]
  counts = r.sum(0)
  means = (r.T @ x) / counts[:, None]
  return r, counts, counts / counts.sum(), means


def gnb_fit(x, y, num_classes, weights, var_smoothing: float = 1e-9) -> Params:
  """Gaussian naive Bayes: p(x | k) = prod_j N(x_j; mu_kj, s2_kj + eps).

  s2_kj = sum_i r_ik (x_ij - mu_kj)^2 / n_k (ML, biased) and eps = var_smoothing * max_j Var(x_j)
  over the whole (weighted) training set, added to every variance: scikit-learn's GaussianNB.
  """
  r, counts, priors, means = _class_stats(x, y, num_classes, weights)
  w = weights.astype(x.dtype)
  overall_mean = (w @ x) / w.sum()
  eps = var_smoothing * jnp.max((w @ (x - overall_mean) ** 2) / w.sum())
  var = jnp.einsum("nk,nkd->kd", r, (x[:, None, :] - means[None]) ** 2) / counts[:, None]
  return {"log_prior": jnp.log(priors), "mean": means, "var": var + eps}


def gnb_log_joint(params: Params, x) -> jax.Array:
  """log pi_k - 1/2 sum_j [log(2 pi s2_kj) + (x_j - mu_kj)^2 / s2_kj]."""
  var = params["var"]
  log_norm = -0.5 * jnp.sum(jnp.log(2.0 * math.pi * var), axis=-1)
  quad = -0.5 * jnp.sum((x[:, None, :] - params["mean"][None]) ** 2 / var[None], axis=-1)
  return params["log_prior"] + log_norm + quad


def lda_fit(x, y, num_classes, weights, tol: float = 1e-4) -> Params:
  """LDA, shared covariance: p(x | k) = N(x; mu_k, S), S = sum_k sum_i r_ik (x_i - mu_k)(.)^T / n.

  Solved as scikit-learn's `solver='svd'` (no covariance is formed or inverted): with the
  within-class centred data Xc, its per-feature std s (0 -> 1) and
  Z = Xc / s / sqrt(n) = U diag(sig) V^T, the whitening is A = diag(1/s) V diag(1/sig) over
  the singular values sig > tol (a pseudo-inverse when S is singular, e.g. m < d). The class
  centres c_k = sqrt(n pi_k / (K - 1)) (mu_k - xbar) A, xbar = sum_k pi_k mu_k, are reduced
  the same way (singular values > tol * largest), giving the projection P. Then
  log p(x, k) + const = (mu_k - xbar) P P^T (x - xbar) - 1/2 |(mu_k - xbar) P|^2 + log pi_k.
  Ranks are masks, not shapes, so the fit vmaps.
  """
  r, counts, priors, means = _class_stats(x, y, num_classes, weights)
  n = counts.sum()
  centred = x * weights.astype(x.dtype)[:, None] - r @ means  # w_i (x_i - mu_{y_i}), w in {0, 1}
  std = jnp.sqrt(jnp.sum(centred ** 2, axis=0) / n)
  std = jnp.where(std == 0, 1.0, std)
  _, sig, vt = jnp.linalg.svd(centred / std / jnp.sqrt(n), full_matrices=False)
  inv_sig = jnp.where(sig > tol, 1.0 / jnp.where(sig > tol, sig, 1.0), 0.0)
  scalings = (vt / std).T * inv_sig
  xbar = priors @ means
  centres = (jnp.sqrt(n * priors / max(num_classes - 1, 1))[:, None] * (means - xbar)) @ scalings
  _, sig2, vt2 = jnp.linalg.svd(centres, full_matrices=False)
  projection = (scalings @ vt2.T) * (sig2 > tol * sig2[0])
  coef = (means - xbar) @ projection
  weight = coef @ projection.T
  return {"weight": weight,
          "bias": -0.5 * jnp.sum(coef ** 2, axis=1) + jnp.log(priors) - weight @ xbar}


def lda_log_joint(params: Params, x) -> jax.Array:
  """x W^T + b: the log joint up to a term that does not depend on the class."""
  return x @ params["weight"].T + params["bias"]


def check_qda_reg(reg_param: float, field: str, min_class_count: int, num_features: int) -> None:
  """On the host, before a QDA fit compiles: one ConfigError line naming `field` unless
  0 <= reg_param <= 1 (scikit-learn's range) and, with reg_param = 0, the fewest examples a
  class may have exceed the features (C_k from n_k <= d examples has rank <= n_k - 1 < d).
  Not seen here: constant or collinear features within a class (digits' border pixels), which
  make C_k singular too; scikit-learn refuses those fits as well. Use reg_param > 0 there."""
  if not 0.0 <= reg_param <= 1.0:
    raise ConfigError(f"{field}={reg_param!r} is invalid; use a value in [0, 1], e.g. 0.01")
  if reg_param == 0 and min_class_count <= num_features:
    raise ConfigError(f"{field}=0 gives QDA a singular class covariance: a class may have only "
                      f"{min_class_count} examples for {num_features} features; use {field} > 0, "
                      "e.g. 0.01")


def qda_fit(x, y, num_classes, weights, reg_param: float = 0.0) -> Params:
  """QDA: p(x | k) = N(x; mu_k, S_k), S_k = (1 - reg) C_k + reg I, C_k the ML class covariance
  sum_i r_ik (x_i - mu_k)(.)^T / n_k: scikit-learn's QuadraticDiscriminantAnalysis(reg_param).
  Traceable, so it cannot refuse a singular S_k as scikit-learn does: its log joint is then NaN,
  infinite or rounding noise; callers check reg_param on the host first (`check_qda_reg`).
  Stored as the eigendecomposition S_k = Q_k diag(l_k) Q_k^T.
  """
  r, counts, priors, means = _class_stats(x, y, num_classes, weights)
  diff = x[None] - means[:, None]                                 # [K, n, d]
  cov = jnp.einsum("kn,knd,kne->kde", r.T, diff, diff) / counts[:, None, None]
  cov = (1 - reg_param) * cov + reg_param * jnp.eye(x.shape[1], dtype=x.dtype)
  eigvals, eigvecs = jnp.linalg.eigh(cov)
  return {"log_prior": jnp.log(priors), "mean": means, "eigvals": eigvals, "eigvecs": eigvecs}


def qda_log_joint(params: Params, x) -> jax.Array:
  """log pi_k - 1/2 [sum_j log l_kj + |diag(l_k)^(-1/2) Q_k^T (x - mu_k)|^2] (without -d/2 log 2 pi)."""
  z = jnp.einsum("nkd,kde->nke", x[:, None, :] - params["mean"][None], params["eigvecs"])
  quad = jnp.sum(z ** 2 / params["eigvals"][None], axis=-1)
  return params["log_prior"] - 0.5 * (jnp.sum(jnp.log(params["eigvals"]), axis=-1) + quad)


def _sample_classes(params: Params, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
  """y ~ Categorical(pi) [n] and standard normal noise eps [n, d] from one key."""
  class_key, noise_key = jax.random.split(key)
  y = jax.random.categorical(class_key, params["log_prior"], shape=(n,))
  return y, jax.random.normal(noise_key, (n, params["mean"].shape[1]), params["mean"].dtype)


def gnb_sample(params: Params, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
  """(x, y) ~ p(x, y): y ~ pi, x = mu_y + sqrt(s2_y) * eps."""
  y, eps = _sample_classes(params, key, n)
  return params["mean"][y] + jnp.sqrt(params["var"][y]) * eps, y


def qda_sample(params: Params, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
  """(x, y) ~ p(x, y): y ~ pi, x = mu_y + Q_y diag(sqrt(l_y)) eps."""
  y, eps = _sample_classes(params, key, n)
  return params["mean"][y] + jnp.einsum("nde,ne->nd", params["eigvecs"][y],
                                        eps * jnp.sqrt(params["eigvals"][y])), y


def predict_log_proba(model: "GaussianClassifier", params: Params, x) -> jax.Array:
  """log p(k | x) = log p(x, k) - logsumexp_k' log p(x, k')."""
  joint = model.log_joint(params, x)
  return joint - jax.nn.logsumexp(joint, axis=-1, keepdims=True)


@dataclasses.dataclass(frozen=True)
class GaussianClassifier:
  """fit(x [n, d], y [n], num_classes, weights [n], **hyper) -> params; log_joint(params, x) -> [n, K];
  sample(params, key, n) -> (x [n, d], y [n]) from the fitted p(x, y) (None: LDA keeps only its
  discriminant projection, not the covariance)."""
  fit: Callable[..., Params]
  log_joint: Callable[[Params, Any], jax.Array]
  sample: Callable[[Params, jax.Array, int], tuple[jax.Array, jax.Array]] | None = None


GAUSSIAN_CLASSIFIERS: dict[str, GaussianClassifier] = {
    "gnb": GaussianClassifier(gnb_fit, gnb_log_joint, gnb_sample),
    "lda": GaussianClassifier(lda_fit, lda_log_joint),
    "qda": GaussianClassifier(qda_fit, qda_log_joint, qda_sample),
}
