"""The one runner of the closed-form Gaussian classifiers (`genvdisc.models.gaussian`: GNB, LDA,
QDA), whatever fits them: the tables' closed-form rows and the learning curves.

`fit` is the one fit of a Gaussian classifier on weighted rows: maximum likelihood on the rows
of weight > 0 only (`training_rows`: a held-out row, even a NaN one, never reaches the fit), in
the dtype of x. `classifier` scores every row under it, traceably (the learning curves jit and
vmap it over splits and sizes). `run` fits it once per seed, op by op, and returns the results
dict of a trained run (`genvdisc.results.build`: config, seeds, runs, per_seed, summary, ...;
a closed-form fit never diverges):

  seed s fits split seed s of the dataset (`split_seed`: that one split for every seed),
    flattened to float32 and unscaled, on its whole training split or with labels_per_class
    m > 0 on labelled subset s, m per class (`data.subsets.labelled_indices`, the subset the
    engine's runs label);
  '<split>_accuracy' for each of `splits`: argmax_k log p(x, k) = y counted exactly in float64
    (`accuracy`, scikit-learn's score);
  corrupted: the engine's robustness evaluation on the test split (`tasks.robustness`, key
    split_key(s)): 'test_accuracy' clean and 'test_accuracy_<corruption>', per-example
    accuracies averaged in float32, as the engine averages its evaluations;
  judge: 'classifier_fid' / 'classifier_is' of `samples` draws from the fitted p(x, y) (key
    split_key(s), pixels clipped to [0, 1]) against the test images (GNB and QDA sample; LDA
    keeps no covariance).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc import data, results, rng
from genvdisc.data import subsets
from genvdisc.evaluate import frechet
from genvdisc.models import gaussian
from genvdisc.tasks import robustness


def training_rows(x: jax.Array, weights: jax.Array) -> jax.Array:
  """x with the rows of weight 0 set to 0: what a fit may see of the pool (not even 0 * NaN
  of a held-out row reaches it)."""
  return jnp.where(weights[:, None] > 0, x, jnp.zeros_like(x))


def fit(model: str, x: jax.Array, y: jax.Array, num_classes: int, weights: jax.Array,
        **hyper) -> gaussian.Params:
  """`GAUSSIAN_CLASSIFIERS[model]` fitted on the rows of x [n, d] with weight > 0 (0/1 [n])."""
  return gaussian.GAUSSIAN_CLASSIFIERS[model].fit(training_rows(x, weights), y, num_classes,
                                                  weights, **hyper)


def classifier(model: str, **hyper):
  """fit_and_score(x [n, d], y [n], weights [n], num_classes) -> log p(x_i, k) [n, K] of every
  row under `fit` (a learning-curves classifier)."""
  log_joint = gaussian.GAUSSIAN_CLASSIFIERS[model].log_joint

  def fit_and_score(x, y, weights, num_classes):
    return log_joint(fit(model, x, y, num_classes, weights, **hyper), x)
  return fit_and_score


def accuracy(log_joint: jax.Array, y: np.ndarray) -> float:
  """The fraction of rows whose argmax_k log p(x, k) is y, counted exactly (float64)."""
  return float(np.mean(np.asarray(jnp.argmax(log_joint, -1)) == y))


def labelled_weights(d: data.Dataset, labels_per_class: int, seed: int) -> np.ndarray:
  """0/1 float32 weights [num_train]: labelled subset `seed` of `labels_per_class` examples per
  class (`data.subsets.labelled_indices`), or every training row for 0."""
  if not labels_per_class:
    return np.ones(d.num_train, np.float32)
  weights = np.zeros(d.num_train, np.float32)
  weights[subsets.labelled_indices(d.y_train, labels_per_class * d.num_classes, seed)] = 1.0
  return weights


def run(name: str, model: str, dataset: str, seeds, hyper: dict | None = None, *,
        split_seed: int | None = None, labels_per_class: int = 0,
        splits: tuple[str, ...] = ("test", "train"), corrupted: bool = False,
        judge: frechet.Judge | None = None, samples: int = 1000) -> dict:
  """`model` fitted on `dataset` once per seed and scored (module docstring), as the results
  of a run named `name` (config: name, model, dataset, task, fit, judge and `hyper`)."""
  if corrupted and "test" in splits:
    raise ValueError("corrupted=True scores the test split itself; leave 'test' out of splits")
  start, hyper = time.time(), dict(hyper or {})
  gaussian_model = gaussian.GAUSSIAN_CLASSIFIERS[model]
  per_seed = {}
  for seed in seeds:
    split = seed if split_seed is None else split_seed
    if judge is not None:
      frechet.check_judge_data(judge.name, judge.dataset, judge.split_seed, dataset, split)
    d = data.load(dataset, split_seed=split)
    params = fit(model, jnp.asarray(d.x_train.reshape(d.num_train, -1), jnp.float32),
                 jnp.asarray(d.y_train), d.num_classes,
                 jnp.asarray(labelled_weights(d, labels_per_class, seed)), **hyper)

    def log_joint(x, _key=None):  # also robustness' predict(x, key): a fit draws no noise
      return gaussian_model.log_joint(params, x.reshape(x.shape[0], -1))

    metrics = {f"{s}_accuracy": accuracy(log_joint(jnp.asarray(getattr(d, f"x_{s}"), jnp.float32)),
                                         getattr(d, f"y_{s}")) for s in splits}
    if corrupted:
      x_test, y_test = jnp.asarray(d.x_test), jnp.asarray(d.y_test)
      metrics["test_accuracy"] = float(jnp.mean(jnp.argmax(log_joint(x_test), -1) == y_test))
      scores = robustness.corrupted_accuracies(log_joint, x_test, y_test, rng.split_key(seed),
                                               robustness.InputStats.of(d))
      metrics.update({f"test_{k}": float(jnp.mean(v)) for k, v in scores.items()})
    if judge is not None:
      draws, _ = gaussian_model.sample(params, rng.split_key(seed), samples)
      images = jnp.clip(draws, 0.0, 1.0).reshape(-1, *d.example_shape)
      scores = frechet.judged_scores(judge, images, jnp.asarray(d.x_test))
      metrics.update({k: float(v) for k, v in scores.items()})
    per_seed[str(seed)] = metrics
  config = {"name": name, "model": model, "dataset": dataset, "task": "classification",
            "fit": "closed form", "judge": judge.name if judge else "", **hyper}
  return results.build(config, per_seed, time.time() - start, "test_accuracy")
