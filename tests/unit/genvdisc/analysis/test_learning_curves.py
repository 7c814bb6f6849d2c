"""Learning curves: the subsets, the errors against sklearn, exact one-split reruns, the table files."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from experiments import tables
from experiments.tables import ngjordan
from genvdisc import data
from genvdisc.analysis import learning_curves
from genvdisc.data import subsets
from genvdisc.errors import ConfigError


def small_config(**overrides):
  config = ngjordan.settings()
  config.update(dict(datasets="iris", num_splits=3, split_group=2, steps=30,
                     classifiers="gnb,lda,logreg,linear_svm"), **overrides)
  return config


def test_subsets_are_nested_hold_every_class_and_differ_by_seed():
  y = jnp.asarray(data.load("wine").y_train)
  sizes = jnp.asarray([6, 7, 12, 133])
  w0, w1 = (np.asarray(subsets.subset_weights(jax.random.PRNGKey(s), y, 3, sizes, 2))
            for s in (0, 1))
  np.testing.assert_array_equal(w0.sum(1), [6, 7, 12, 133])
  assert np.all(w0[:-1] <= w0[1:])                                     # nested
  assert sorted(np.asarray(y)[w0[0] > 0]) == [0, 0, 1, 1, 2, 2]        # m = 2K: two of each class
  assert not np.array_equal(w0[2], w1[2])


@pytest.mark.slow
def test_gnb_error_equals_sklearn_standardised_on_the_same_subset():
  """sklearn's StandardScaler fitted on the subset's training examples alone, then GaussianNB."""
  dataset = data.load("breast_cancer")
  x = np.concatenate([dataset.x_train, dataset.x_test])
  y = np.concatenate([dataset.y_train, dataset.y_test])
  sizes = (10, 40)
  errors = learning_curves.learning_curves(
      dataset, sizes, (0, 1), learning_curves.classifiers(small_config(classifiers="gnb")), 2, 2)["gnb"]
  for split in (0, 1):
    weights = np.asarray(subsets.subset_weights(
        jax.random.PRNGKey(split), jnp.asarray(y), 2, jnp.asarray(sizes), 2))
    for j in range(len(sizes)):
      train = weights[j] > 0
      ref = make_pipeline(StandardScaler(), GaussianNB()).fit(x[train], y[train])
      assert errors[split, j] == pytest.approx(1.0 - ref.score(x[~train], y[~train]), abs=1e-6)
  assert 0.0 < errors.mean() < 0.3


def test_standardise_uses_the_training_rows_only():
  x = jnp.asarray([[1.0, 5.0], [3.0, 5.0], [100.0, 7.0]])
  out = learning_curves.standardise(x, jnp.asarray([1.0, 1.0, 0.0]))
  # column 0: mean 2, std 1 over rows 0-1; column 1 is constant on them: only centred
  np.testing.assert_allclose(out, [[-1.0, 0.0], [1.0, 0.0], [98.0, 2.0]])


@pytest.mark.slow
def test_a_poisoned_test_row_changes_no_fitted_model():
  """Setting a held-out row to 1e6 leaves every classifier's scores of the other rows bitwise
  equal: it enters neither the scaling statistics nor the fit."""
  dataset = data.load("iris")
  x = jnp.asarray(np.concatenate([dataset.x_train, dataset.x_test]))
  y = jnp.asarray(np.concatenate([dataset.y_train, dataset.y_test]))
  weights = subsets.subset_weights(jax.random.PRNGKey(0), y, 3, jnp.asarray([6, 24]), 2)
  row = int(np.flatnonzero(np.asarray(weights[1]) == 0)[0])   # held out of both subsets
  poisoned = x.at[row].set(1e6)
  others = np.arange(len(y)) != row
  fits = learning_curves.classifiers(small_config(classifiers="gnb,lda,qda,logreg,linear_svm"))
  scores = jax.jit(lambda x: {name: jax.vmap(
      lambda w: learning_curves.subset_scores(fit, x, y, w, 3, scale=True))(weights)
                              for name, fit in fits.items()})
  clean, dirty = scores(x), scores(poisoned)
  for name in fits:
    assert np.isfinite(clean[name]).all(), name
    np.testing.assert_array_equal(dirty[name][:, others], clean[name][:, others], err_msg=name)
    assert not np.array_equal(dirty[name][:, row], clean[name][:, row]), name


@pytest.mark.slow
def test_one_split_rerun_equals_its_entry_bitwise():
  dataset = data.load("iris")
  fits = learning_curves.classifiers(small_config())
  full = learning_curves.learning_curves(dataset, (6, 24, 96), (0, 1, 2), fits, 2, 2)
  alone = learning_curves.learning_curves(dataset, (6, 24, 96), (2,), fits, 2, 2)
  for name in fits:
    np.testing.assert_array_equal(alone[name][0], full[name][2])
  assert not np.array_equal(full["logreg"][0], full["logreg"][1])


@pytest.mark.parametrize("gen, disc, expected", [
    ([.2, .1, .1], [.3, .09, .05], "12"),
    ([.2, .1, .1], [.1, .2, .05], "48"),      # the first win does not last: the last run counts
    ([.2, .1, .1], [.1, .09, .05], "none: discriminative wins at every m"),
    ([.2, .1, .1], [.3, .09, .15], "none: generative wins at the largest m"),
])
def test_crossover(gen, disc, expected):
  assert ngjordan.crossover([6, 12, 48], gen, disc) == expected


def test_bad_sizes_and_classifiers_are_config_errors():
  with pytest.raises(ConfigError, match=r"training sizes \[5, 150\] for 'iris' are invalid"):
    learning_curves.learning_curves(data.load("iris"), (5, 6, 150), (0,), {}, 1, 2)
  with pytest.raises(ConfigError, match="config.classifiers='gnb,nb' is invalid"):
    learning_curves.classifiers(small_config(classifiers="gnb,nb"))


def test_qda_without_regularisation_is_refused_before_compiling():
  config = small_config(classifiers="qda", qda_reg=0.0)
  with pytest.raises(ConfigError, match=r"^config.qda_reg=0 gives QDA a singular class "
                                        r"covariance: a class may have only 2 examples for 4 features"):
    learning_curves.check_dataset(config, data.load("iris"), (6, 12))
  learning_curves.check_dataset(small_config(classifiers="qda", qda_reg=0.0, min_per_class=5),
                                data.load("iris"), (15, 30))


def test_the_ngjordan_settings_are_valid():
  config = ngjordan.settings()
  assert sorted(learning_curves.classifiers(config)) == ["gnb", "lda", "linear_svm", "logreg"]
  assert config.num_splits >= 50 and config.C == 1e4
  for name in config.datasets.split(","):
    learning_curves.check_dataset(config, data.load(name),
                                  tuple(int(m) for m in config.sizes[name].split(",")))


@pytest.mark.slow
def test_reproduce_ngjordan_writes_every_file_and_reruns_a_split(tmp_path, monkeypatch):
  config = small_config(datasets="iris")
  monkeypatch.setattr(ngjordan, "settings", lambda: config.copy_and_resolve_references())
  text = tables.reproduce("ngjordan", str(tmp_path), log=lambda s: None)
  assert "| dataset | m grid | GNB vs LR | GNB vs SVM | LDA vs LR | LDA vs SVM |" in text
  assert "| iris | 6, 12, 24, 48, 96 |" in text
  assert (tmp_path / "ngjordan.md").read_text() == text
  csv_lines = (tmp_path / "ngjordan.csv").read_text().splitlines()
  assert csv_lines[0] == "dataset,classifier,column,n,mean,ci95_half_width"
  assert csv_lines[1].startswith("iris,GNB,m=6,3,")
  assert (tmp_path / "ngjordan_iris.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  full = json.loads((tmp_path / "ngjordan.json").read_text())["curves"]
  assert full["iris"]["split_seeds"] == [0, 1, 2] and len(full["iris"]["errors"]["lda"][1]) == 5
  tables.reproduce("ngjordan", str(tmp_path), seeds=(1,), log=lambda s: None)
  alone = json.loads((tmp_path / "ngjordan-seeds-1.json").read_text())["curves"]
  assert sorted(alone["iris"]["errors"]) == ["gnb", "lda", "linear_svm", "logreg"]
  for clf, errors in alone["iris"]["errors"].items():
    assert errors == [full["iris"]["errors"][clf][1]]
