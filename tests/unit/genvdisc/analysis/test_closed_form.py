"""`analysis.closed_form`: the one fit of a Gaussian classifier on weighted rows, checked against
numpy on a tiny set, and the runner's results for the tables."""

import jax.numpy as jnp
import numpy as np
import pytest

from genvdisc import data
from genvdisc.analysis import closed_form
from genvdisc.data import subsets

# Two classes in 2-D; the last row is held out (weight 0) and NaN: it must reach no fit.
X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0], [5.0, 0.0], [6.0, 2.0], [8.0, 1.0],
              [np.nan, np.nan]], np.float32)
Y = np.array([0, 0, 0, 1, 1, 1, 0])
W = np.array([1, 1, 1, 1, 1, 1, 0], np.float32)
POINTS = np.array([[1.0, 2.0], [6.0, 1.0], [3.5, 1.5]], np.float32)


def numpy_gnb(x, y, var_smoothing=1e-9):
  """log p(x, k) of scikit-learn's GaussianNB, by hand: ML means and variances per class, plus
  var_smoothing x the largest variance over all rows."""
  eps = var_smoothing * x.var(0).max()
  out = []
  for k in (0, 1):
    rows = x[y == k]
    mean, var = rows.mean(0), rows.var(0) + eps
    out.append(np.log(len(rows) / len(x)) - 0.5 * np.sum(
        np.log(2 * np.pi * var) + (POINTS - mean) ** 2 / var, axis=1))
  return np.stack(out, 1)


def numpy_qda(x, y, reg):
  """log p(x, k) + d/2 log 2 pi of QDA: S_k = (1 - reg) C_k + reg I, C_k the ML covariance."""
  out = []
  for k in (0, 1):
    rows = x[y == k]
    mean = rows.mean(0)
    cov = (1 - reg) * np.cov(rows.T, bias=True) + reg * np.eye(2)
    diff = POINTS - mean
    quad = np.einsum("nd,de,ne->n", diff, np.linalg.inv(cov), diff)
    out.append(np.log(len(rows) / len(x)) - 0.5 * (np.log(np.linalg.det(cov)) + quad))
  return np.stack(out, 1)


@pytest.mark.slow
@pytest.mark.parametrize("model, hyper, expected", [
    ("gnb", {}, numpy_gnb(X[:6].astype(np.float64), Y[:6])),
    ("qda", {"reg_param": 0.1}, numpy_qda(X[:6].astype(np.float64), Y[:6], 0.1)),
])
def test_the_fit_on_weighted_rows_is_the_maximum_likelihood_fit_of_those_rows(model, hyper,
                                                                                expected):
  score = closed_form.classifier(model, **hyper)
  pool = np.concatenate([X, POINTS])
  weights = np.concatenate([W, np.zeros(len(POINTS), np.float32)])
  labels = np.concatenate([Y, np.zeros(len(POINTS), int)])
  scores = np.asarray(score(jnp.asarray(pool), jnp.asarray(labels), jnp.asarray(weights), 2))
  np.testing.assert_allclose(scores[len(X):], expected, rtol=1e-5)
  assert np.isnan(scores[len(X) - 1]).all()   # the held-out NaN row scores NaN, alone


def test_training_rows_zero_the_held_out_rows():
  seen = np.asarray(closed_form.training_rows(jnp.asarray(X), jnp.asarray(W)))
  np.testing.assert_array_equal(seen, np.concatenate([X[:6], np.zeros((1, 2), np.float32)]))


def numpy_gnb_accuracy(x_train, y_train, x, y):
  """The accuracy on (x, y) of GaussianNB fitted on (x_train, y_train), by hand in float64."""
  x_train, x = x_train.astype(np.float64), x.astype(np.float64)
  eps = 1e-9 * x_train.var(0).max()
  joint = []
  for k in range(y_train.max() + 1):
    rows = x_train[y_train == k]
    var = rows.var(0) + eps
    joint.append(np.log(len(rows) / len(x_train)) - 0.5 * np.sum(
        np.log(2 * np.pi * var) + (x - rows.mean(0)) ** 2 / var, axis=1))
  return float(np.mean(np.argmax(np.stack(joint, 1), 1) == y))


@pytest.mark.slow
def test_the_runner_fits_each_split_seed_and_returns_a_runs_results():
  out = closed_form.run("gnb_iris", "gnb", "iris", (0, 1), {"var_smoothing": 1e-9})
  assert out["config"] == {"name": "gnb_iris", "model": "gnb", "dataset": "iris",
                           "task": "classification", "fit": "closed form", "judge": "",
                           "var_smoothing": 1e-9}
  assert (out["seeds"], sorted(out["per_seed"])) == ([0, 1], ["0", "1"])
  for seed in (0, 1):
    d = data.load("iris", split_seed=seed)
    assert out["per_seed"][str(seed)] == {
        "diverged_at_step": None,
        "test_accuracy": numpy_gnb_accuracy(d.x_train, d.y_train, d.x_test, d.y_test),
        "train_accuracy": numpy_gnb_accuracy(d.x_train, d.y_train, d.x_train, d.y_train)}
  assert out["summary"]["test_accuracy"]["n"] == 2


@pytest.mark.slow
def test_the_runner_fits_labelled_subsets_and_scores_corruptions_on_images():
  out = closed_form.run("gnb_digits", "gnb", "digits", (3,), split_seed=0, labels_per_class=5,
                        splits=(), corrupted=True)
  d = data.load("digits")
  subset = subsets.labelled_indices(d.y_train, 5 * d.num_classes, 3)
  flat = lambda a: a.reshape(len(a), -1)
  metrics = out["per_seed"]["3"]
  assert metrics["test_accuracy"] == pytest.approx(numpy_gnb_accuracy(
      flat(d.x_train)[subset], d.y_train[subset], flat(d.x_test), d.y_test), abs=1e-6)
  assert sorted(metrics) == ["diverged_at_step", "test_accuracy", "test_accuracy_noise_0.25",
                             "test_accuracy_noise_0.5", "test_accuracy_noise_1",
                             "test_accuracy_shift"]


def test_the_runner_refuses_two_test_accuracies():
  with pytest.raises(ValueError, match="test split"):
    closed_form.run("gnb_digits", "gnb", "digits", (0,), corrupted=True)
