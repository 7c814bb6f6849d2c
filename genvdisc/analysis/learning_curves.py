"""Learning curves: test error against training-set size m, over random training subsets (splits).

The pool is the whole dataset (`data.load`'s train and test splits together). A split is
identified by its seed s: `data.subsets.subset_order(PRNGKey(s), y, K, c)` is one random
permutation of the pool in which the first c examples of each class are moved to the front; the
training set of size m is the first m of that order and the test set is the rest of the pool (as
in the anchor's random splits). So the subsets of one split are nested, every subset with
m >= c K holds c examples of every class (GNB and LDA need each class, and a class seen once
gets GNB variances of only var_smoothing x max variance), and they are otherwise uniformly
random. A subset is a 0/1 weight vector over the pool: every (split, m) has the same shapes, and
a classifier is fitted for a group's splits and all m in one jitted `vmap(vmap(.))`.

Scaling (`subset_scores`): a tabular pool (iris, wine, breast_cancer: features on unrelated
scales) is standardised inside each fit with the weighted mean and std of that subset's own
training examples, x -> (x - mean_w) / std_w, so a held-out example changes no statistic and no
fitted model, and LR's and the SVM's penalty ||W||^2 / (2 C m) is on unit-variance features of
the m examples they see. Standardising the pool once would let the held-out examples set the
scale (data.load's statistics are those of its own training split, 75 % of the pool); the
per-subset map undoes any per-feature affine map of the pool exactly, up to float32 rounding.
GNB and LDA barely notice (LDA whitens, GNB is scale-invariant but for var_smoothing). Image
pixels (digits: / 16, one fixed scale from no example) are fitted as they are, unscaled.

Classifiers (`classifiers(config)`), all float32 (the Gaussian fits match sklearn's predictions
in float32 too, tests/unit/genvdisc/models/test_gaussian.py):
  gnb, lda, qda: the closed-form fits of `genvdisc.models.gaussian` (scikit-learn's GaussianNB,
    LinearDiscriminantAnalysis(solver='svd'), QuadraticDiscriminantAnalysis(reg_param)), by
    `closed_form.classifier` (the tables' closed-form rows fit them the same way), regularised
    only by var_smoothing, the SVD's tol and reg_param respectively.
  logreg, linear_svm: scores x W + b minimising sum_i w_i l(x_i W + b, y_i) / m + ||W||^2 / (2 C m)
    (the engine's classification objective on the subset, with sklearn's C convention,
    `objectives.l2_penalty`), l = softmax cross-entropy or the Crammer–Singer hinge, by
    full-batch Adam from W = 0 with a cosine decay to 0 over a fixed number of steps. Full batch,
    because each split trains on its own few examples while the engine samples minibatches from
    one training split shared by all seeds. (optax.lbfgs with its zoom line search was ~25x
    slower per step under vmap on this CPU.)

Test set (`learning_curves(..., test_split=...)`): by default the pool is the whole dataset and
a subset's error is over the rest of the pool; with test_split the subsets are drawn from the
training split only and every error is over the test split (the features table, whose feature
extractors are trained on training rows).

No row outside a subset reaches its fit: the scaling statistics and every fit see
`closed_form.training_rows(x, weights)` (rows of weight 0 zeroed), so a held-out row, even a
NaN one, changes no fitted model and only its own scores.

Splits run in groups of exactly `split_group` (the last padded with repeats of its last seed,
then dropped), so a split's numbers depend on (seed, config, split_group) only and one split
rerun alone equals its entry in the full run, as for the engine's seed groups.
"""

from __future__ import annotations

import math
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from genvdisc import objectives, optim, rng
from genvdisc.analysis import closed_form
from genvdisc.data.datasets import Dataset
from genvdisc.data.subsets import subset_weights
from genvdisc.errors import ConfigError
from genvdisc.models import gaussian

# fit_and_score(x [n, d], y [n], weights [n], num_classes) -> scores of every example [n, K].
Classifier = Callable[..., jax.Array]


def error_rate(scores: jax.Array, y: jax.Array, scored: jax.Array) -> jax.Array:
  """Error rate over the examples with `scored` 1 (0/1 [n])."""
  return jnp.sum(scored * (1.0 - objectives.accuracy(scores, y))) / jnp.sum(scored)


def standardise(x: jax.Array, weights: jax.Array) -> jax.Array:
  """(x - mean_w) / std_w per feature, mean_w = sum_i w_i x_i / m and std_w^2 =
  sum_i w_i (x_i - mean_w)^2 / m, m = sum_i w_i: the statistics of the training examples only.
  A feature constant on them (std_w <= m eps |mean_w|: the rounding of a constant's mean) is
  only centred, as scikit-learn's StandardScaler leaves it."""
  m = weights.sum()
  seen = closed_form.training_rows(x, weights)
  mean = (weights @ seen) / m
  std = jnp.sqrt((weights @ (seen - mean) ** 2) / m)
  constant = std <= m * jnp.finfo(x.dtype).eps * jnp.abs(mean)
  return (x - mean) / jnp.where(constant, 1.0, std)


def subset_scores(fit_and_score: Classifier, x: jax.Array, y: jax.Array, weights: jax.Array,
                  num_classes: int, scale: bool) -> jax.Array:
  """Scores [n, K] of every pool example under the classifier fitted on the subset `weights`,
  on features standardised with that subset's own statistics when `scale` (module docstring)."""
  return fit_and_score(standardise(x, weights) if scale else x, y, weights, num_classes)


def linear_classifier(data_loss: str, C: float, steps: int, learning_rate: float) -> Classifier:
  """Full-batch Adam, cosine-decayed to 0, on the weighted, L2-penalised `data_loss` (module docstring)."""
  per_example = objectives.DATA_LOSSES[data_loss]

  def fit_and_score(x, y, weights, num_classes):
    m = weights.sum()
    seen = closed_form.training_rows(x, weights)

    def objective(params):
      scores = seen @ params["kernel"] + params["bias"]
      return (jnp.sum(weights * per_example(scores, y)) / m
              + objectives.l2_penalty(params, C, m))

    params = {"kernel": jnp.zeros((x.shape[1], num_classes)), "bias": jnp.zeros((num_classes,))}
    solver = optax.adam(optax.cosine_decay_schedule(learning_rate, steps))

    def step(carry, _):
      params, state = carry
      return optim.apply_gradients(params, state, jax.grad(objective)(params), solver), None

    (params, _), _ = jax.lax.scan(step, (params, solver.init(params)), None, length=steps)
    return x @ params["kernel"] + params["bias"]
  return fit_and_score


def classifiers(config) -> dict[str, Classifier]:
  """config.classifiers (comma-separated) -> fit_and_score functions with config's hyperparameters."""
  builders = {
      "gnb": lambda: closed_form.classifier("gnb", var_smoothing=config.var_smoothing),
      "lda": lambda: closed_form.classifier("lda", tol=config.lda_tol),
      "qda": lambda: closed_form.classifier("qda", reg_param=config.qda_reg),
      "logreg": lambda: linear_classifier("cross_entropy", config.C, config.steps,
                                          config.learning_rate),
      "linear_svm": lambda: linear_classifier("hinge", config.C, config.steps, config.learning_rate),
  }
  names = [n for n in config.classifiers.split(",") if n]
  unknown = [n for n in names if n not in builders]
  if unknown or not names:
    raise ConfigError(f"config.classifiers={config.classifiers!r} is invalid; use names from "
                      f"{', '.join(builders)}")
  return {n: builders[n]() for n in names}


def check_dataset(config, dataset: Dataset, sizes: tuple[int, ...]) -> None:
  """Before anything compiles: the sizes fit `dataset` (`check_sizes`), and with QDA listed,
  config.qda_reg passes `gaussian.check_qda_reg` for a class of config.min_per_class examples
  (the fewest a subset may hold), in the dataset's number of features."""
  check_sizes(dataset, sizes, dataset.num_train + dataset.num_test, config.min_per_class)
  if "qda" in config.classifiers.split(","):
    gaussian.check_qda_reg(config.qda_reg, "config.qda_reg", config.min_per_class,
                           math.prod(dataset.example_shape))


def check_sizes(dataset: Dataset, sizes: tuple[int, ...], n: int, min_per_class: int) -> None:
  low = max(dataset.num_classes * min_per_class, dataset.num_classes + 1)
  bad = [m for m in sizes if not low <= m < n]
  if bad or not sizes:
    raise ConfigError(f"training sizes {bad or '(none)'} for {dataset.name!r} are invalid; use "
                      f"sizes in [{low}, {n}) (classes x min_per_class, and more than the "
                      "classes, up to the examples)")


def split_subsets(seed, y: jax.Array, num_classes: int, num_train: int, sizes: jax.Array,
                  min_per_class: int, test_split: bool) -> jax.Array:
  """0/1 weights [len(sizes), n] of split `seed`'s subsets of the pool y [n] (its first
  num_train rows the training split): drawn from every row, or with `test_split` from the
  training split only (the test rows get weight 0)."""
  key = rng.split_key(seed)
  if not test_split:
    return subset_weights(key, y, num_classes, sizes, min_per_class)
  weights = subset_weights(key, y[:num_train], num_classes, sizes, min_per_class)
  return jnp.pad(weights, ((0, 0), (0, y.shape[0] - num_train)))


def learning_curves(dataset: Dataset, sizes: tuple[int, ...], split_seeds: tuple[int, ...],
                    fits: dict[str, Classifier], split_group: int, min_per_class: int,
                    test_split: bool = False) -> dict[str, np.ndarray]:
  """{classifier: test errors [len(split_seeds), len(sizes)]} on `dataset` (features flattened;
  tabular ones standardised per subset). Subsets of the whole dataset scored on the rest, or
  with `test_split` subsets of the training split scored on the test split (module docstring)."""
  n = dataset.num_train + dataset.num_test
  check_sizes(dataset, sizes, dataset.num_train if test_split else n, min_per_class)
  x = jnp.asarray(np.concatenate([dataset.x_train, dataset.x_test]).reshape(n, -1))
  y = jnp.asarray(np.concatenate([dataset.y_train, dataset.y_test]))
  sizes_array = jnp.asarray(sizes)
  scale = dataset.kind == "tabular"
  test_rows = (jnp.arange(n) >= dataset.num_train).astype(jnp.float32)
  out = {}
  for name, fit_and_score in fits.items():
    def one_split(seed, fit_and_score=fit_and_score):
      weights = split_subsets(seed, y, dataset.num_classes, dataset.num_train, sizes_array,
                              min_per_class, test_split)
      return jax.vmap(lambda w: error_rate(
          subset_scores(fit_and_score, x, y, w, dataset.num_classes, scale), y,
          test_rows if test_split else 1.0 - w))(weights)
    run_group = jax.jit(jax.vmap(one_split))
    rows = [np.asarray(run_group(group)) for group in rng.seed_groups(split_seeds, split_group)]
    out[name] = np.concatenate(rows)[:len(split_seeds)]
  return out
