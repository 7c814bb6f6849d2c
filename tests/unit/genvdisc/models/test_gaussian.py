"""GNB, LDA and QDA against scikit-learn on the same data: identical predictions, equal probabilities."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.naive_bayes import GaussianNB

from genvdisc import data
from genvdisc.errors import ConfigError
from genvdisc.models import gaussian

# QDA: sklearn refuses singular class covariances (digits' constant pixels, breast_cancer's
# collinear radius/perimeter/area), so those two get reg_param = 0.1 on both sides.
QDA_REG = {"digits": 0.1, "breast_cancer": 0.1}


def sklearn_model(name, dataset):
  return {"gnb": GaussianNB(), "lda": LinearDiscriminantAnalysis(solver="svd"),
          "qda": QuadraticDiscriminantAnalysis(reg_param=QDA_REG.get(dataset, 0.0))}[name]


def fit_predict(name, dataset, x_train, y_train, weights, x_test, num_classes, dtype):
  """Our log p(k | x_test), fitted under jit with float32 or (locally enabled) float64."""
  model = gaussian.GAUSSIAN_CLASSIFIERS[name]
  hyper = {"reg_param": QDA_REG.get(dataset, 0.0)} if name == "qda" else {}
  with jax.enable_x64(dtype == np.float64):
    fit = jax.jit(lambda x, y, w: model.fit(x, y, num_classes, w, **hyper))
    params = fit(jnp.asarray(x_train, dtype), jnp.asarray(y_train), jnp.asarray(weights))
    out = np.asarray(gaussian.predict_log_proba(model, params, jnp.asarray(x_test, dtype)))
  assert out.dtype == dtype
  return out


def flat(dataset):
  d = data.load(dataset)
  return (d.x_train.reshape(d.num_train, -1).astype(np.float64), d.y_train,
          d.x_test.reshape(d.num_test, -1).astype(np.float64), d.num_classes)


@pytest.mark.slow
@pytest.mark.parametrize("dataset", data.SKLEARN_DATASETS)
@pytest.mark.parametrize("name", ["gnb", "lda", "qda"])
def test_matches_sklearn_on_the_training_split(name, dataset):
  x_train, y_train, x_test, num_classes = flat(dataset)
  ref = sklearn_model(name, dataset).fit(x_train, y_train)
  ones = np.ones(len(y_train), np.float32)
  log_proba = fit_predict(name, dataset, x_train, y_train, ones, x_test, num_classes, np.float64)
  np.testing.assert_array_equal(log_proba.argmax(1), ref.predict(x_test))
  np.testing.assert_allclose(np.exp(log_proba), ref.predict_proba(x_test), atol=1e-9)
  # float32 (what the learning curves use): the same predictions.
  log_proba32 = fit_predict(name, dataset, x_train, y_train, ones, x_test, num_classes, np.float32)
  np.testing.assert_array_equal(log_proba32.argmax(1), ref.predict(x_test))


@pytest.mark.parametrize("dataset, m", [("breast_cancer", 10), ("iris", 6), ("digits", 40)])
@pytest.mark.parametrize("name", ["gnb", "lda"])
def test_weights_select_a_subset_as_sklearn_on_that_subset(name, dataset, m):
  """m < features makes LDA's covariance singular: the SVD solver's pseudo-inverse is matched."""
  x_train, y_train, x_test, num_classes = flat(dataset)
  rng = np.random.default_rng(m)
  chosen = np.concatenate([rng.choice(np.flatnonzero(y_train == k), 2, replace=False)
                           for k in range(num_classes)])
  chosen = np.concatenate([chosen, rng.choice(np.setdiff1d(np.arange(len(y_train)), chosen),
                                              m - len(chosen), replace=False)])
  weights = np.zeros(len(y_train), np.float32)
  weights[chosen] = 1.0
  ref = sklearn_model(name, dataset).fit(x_train[chosen], y_train[chosen])
  log_proba = fit_predict(name, dataset, x_train, y_train, weights, x_test, num_classes, np.float64)
  np.testing.assert_array_equal(log_proba.argmax(1), ref.predict(x_test))
  np.testing.assert_allclose(np.exp(log_proba), ref.predict_proba(x_test), atol=1e-6)
  log_proba32 = fit_predict(name, dataset, x_train, y_train, weights, x_test, num_classes, np.float32)
  np.testing.assert_array_equal(log_proba32.argmax(1), ref.predict(x_test))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gnb", "qda"])
def test_samples_have_the_fitted_class_moments(name):
  """Samples of p(x, y) from the fitted GNB / QDA: class frequencies pi_k, class means mu_k and
  (QDA) class covariances Q_k diag(l_k) Q_k^T, to Monte Carlo accuracy."""
  d = data.load("iris")
  model = gaussian.GAUSSIAN_CLASSIFIERS[name]
  params = model.fit(jnp.asarray(d.x_train), jnp.asarray(d.y_train), 3, jnp.ones(d.num_train))
  x, y = jax.jit(model.sample, static_argnums=2)(params, jax.random.PRNGKey(0), 60000)
  x, y = np.asarray(x, np.float64), np.asarray(y)
  np.testing.assert_allclose(np.bincount(y) / y.size, np.exp(params["log_prior"]), atol=0.01)
  for k in range(3):
    np.testing.assert_allclose(x[y == k].mean(0), params["mean"][k], atol=0.03)
    cov = np.cov(x[y == k].T)
    want = (np.diag(params["var"][k]) if name == "gnb" else
            (params["eigvecs"][k] * params["eigvals"][k]) @ params["eigvecs"][k].T)
    np.testing.assert_allclose(cov, want, atol=0.03)
  assert gaussian.GAUSSIAN_CLASSIFIERS["lda"].sample is None


@pytest.mark.parametrize("reg, count, features, message", [
    (0.0, 2, 4, r"^config.qda_reg=0 gives QDA a singular class covariance: a class may have only "
                r"2 examples for 4 features; use config.qda_reg > 0, e.g. 0.01$"),
    (0.0, 4, 4, "a class may have only 4 examples for 4 features"),   # n_k = d: rank d - 1
    (1.5, 100, 4, r"^config.qda_reg=1.5 is invalid; use a value in \[0, 1\], e.g. 0.01$"),
    (-0.1, 100, 4, r"^config.qda_reg=-0.1 is invalid"),
])
def test_qda_reg_refused_where_sklearn_refuses(reg, count, features, message):
  with pytest.raises(ConfigError, match=message):
    gaussian.check_qda_reg(reg, "config.qda_reg", count, features)


def test_qda_reg_accepted_with_more_examples_than_features_or_regularised():
  gaussian.check_qda_reg(0.0, "config.qda_reg", 5, 4)
  gaussian.check_qda_reg(0.01, "config.qda_reg", 2, 64)
  # what the check prevents: reg 0 on 2 examples of a class in 4-D gives a non-finite log joint
  x = jnp.asarray(np.random.default_rng(0).normal(size=(4, 4)), jnp.float32)
  log_joint = jax.jit(lambda x: gaussian.qda_log_joint(
      gaussian.qda_fit(x, jnp.asarray([0, 0, 1, 1]), 2, jnp.ones(4)), x))
  assert not np.isfinite(np.asarray(log_joint(x))).all()
