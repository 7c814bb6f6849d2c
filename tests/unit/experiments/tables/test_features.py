"""The features table: one split alone equals its entry, the supervised extractor's rows are
disjoint from every curve subset and the test rows, and a NaN test row reaches no curve fit."""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments import tables
from experiments.tables import features
from genvdisc import data
from genvdisc.analysis import learning_curves
from genvdisc.errors import ConfigError
from genvdisc.train import run
from tests.conftest import shrunk_config


def tiny_config(**overrides):
  config = features.settings()
  config.update(dict(num_splits=3, split_group=2, steps=10, classifiers="gnb,logreg",
                     features="supervised", supervised_per_class=10,
                     sizes={"digits": "20,80"}), **overrides)
  return config


def shrunk_extractor(name):
  """An extractor config shrunk to 20 steps."""
  return shrunk_config(name, **SHRUNK)


SHRUNK = dict(num_steps=20, chunk_steps=10, log_every=10, checkpoint_every=20)


def only_supervised_rows(dataset: data.Dataset) -> data.Dataset:
  """`dataset` with every training row but `supervised_rows` and every test row set to NaN."""
  rows = features.supervised_rows(tiny_config(), dataset.y_train)
  x_train = np.full_like(dataset.x_train, np.nan)
  x_train[rows] = dataset.x_train[rows]
  return dataclasses.replace(dataset, x_train=x_train, x_test=np.full_like(dataset.x_test, np.nan))


@pytest.fixture(scope="module")
def full_and_alone(tmp_path_factory):
  """The tiny table over splits 0-2, then split 1 alone. Its supervised extractor is trained
  first, on `only_supervised_rows(digits)`, in the table's workdir for it, which the table then
  reads back (same config); returns (OUT, the table's markdown, that run's results)."""
  out = tmp_path_factory.mktemp("features")
  tiny = tiny_config()
  with pytest.MonkeyPatch.context() as patch:
    patch.setattr(features, "settings", tiny.copy_and_resolve_references)
    patch.setattr(features, "get_config", shrunk_extractor)
    config = features.extractor_config(tiny, "digits", "supervised")
    poisoned = run.train_runs(config, str(out / config.name), log=lambda s: None,
                                      dataset=only_supervised_rows(data.load("digits")))
    text = tables.reproduce("features", str(out), log=lambda s: None)
    tables.reproduce("features", str(out), seeds=(1,), log=lambda s: None)
  return out, text, poisoned


@pytest.mark.slow
def test_one_split_alone_equals_its_entry_in_the_full_run(full_and_alone):
  out, text, _ = full_and_alone
  assert "| features | m grid | GNB vs LR |" in text and "| digits supervised | 20, 80 |" in text
  assert (out / "features.md").read_text() == text
  assert (out / "features_digits_supervised.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  csv_lines = (out / "features.csv").read_text().splitlines()
  assert csv_lines[0] == "features,classifier,column,n,mean,ci95_half_width"
  assert csv_lines[1].startswith("digits supervised,GNB,m=20,3,")
  full = json.loads((out / "features.json").read_text())
  alone = json.loads((out / "features-seeds-1.json").read_text())
  assert full["extractors"]["digits supervised"]["dim"] == 64   # mlp_digits' last hidden layer
  errors = full["curves"]["digits supervised"]["errors"]
  assert alone["curves"]["digits supervised"]["split_seeds"] == [1]
  for classifier in ("gnb", "logreg"):
    assert alone["curves"]["digits supervised"]["errors"][classifier] == [errors[classifier][1]]
  assert errors["logreg"][0] != errors["logreg"][2]
  assert 0.0 < np.mean(errors["logreg"]) < 0.6


@pytest.mark.slow
def test_supervised_rows_are_disjoint_from_every_curve_subset_and_the_test_rows():
  config = features.settings()
  dataset = data.load("digits", split_seed=config.split_seed)
  rows = features.supervised_rows(config, dataset.y_train)
  pool = features.curve_pool(config, dataset.y_train)
  assert np.bincount(dataset.y_train[rows]).tolist() == [40] * 10
  assert np.intersect1d(rows, pool).size == 0
  np.testing.assert_array_equal(np.union1d(rows, pool), np.arange(dataset.num_train))
  # every subset of every split of the full table, as rows of the curves' [pool, test] arrays
  y = jnp.asarray(np.concatenate([dataset.y_train[pool], dataset.y_test]))
  sizes = jnp.asarray([int(m) for m in config.sizes["digits"].split(",")])
  weights = np.asarray(jax.jit(jax.vmap(lambda s: learning_curves.split_subsets(
      s, y, 10, pool.size, sizes, config.min_per_class, True)))(jnp.arange(config.num_splits)))
  np.testing.assert_array_equal(weights.sum(-1), np.broadcast_to(sizes, weights.shape[:2]))
  assert not weights[..., pool.size:].any()                      # no test row in any subset
  used = pool[np.flatnonzero(weights[..., :pool.size].any(axis=(0, 1)))]
  assert used.size > 900 and np.intersect1d(used, rows).size == 0


@pytest.mark.slow
def test_the_supervised_extractor_trains_on_its_rows_only(full_and_alone):
  """Trained with every other training row and every test row NaN, its minibatch loss is
  finite at every log step and it never diverged: no minibatch held any of those rows."""
  _, _, poisoned = full_and_alone
  losses = [entry["per_seed"]["0"]["minibatch_loss"] for entry in poisoned["curves"]
            if "minibatch_loss" in entry["per_seed"]["0"]]
  assert len(losses) == 3 and np.isfinite(losses).all()
  assert poisoned["per_seed"]["0"]["diverged_at_step"] is None
  assert np.isnan(poisoned["per_seed"]["0"]["test_loss"])    # the test rows were NaN indeed


@pytest.mark.slow
def test_a_nan_test_row_changes_no_curve_fit():
  """A test row set to NaN leaves every classifier's scores of the other rows bitwise equal:
  it enters neither the subset's scaling nor a fit, only its own scores."""
  config = tiny_config(classifiers="gnb,lda,logreg")
  dataset = data.load("digits")
  pool = features.curve_pool(config, dataset.y_train)
  train, test = (x.reshape(x.shape[0], -1) for x in (dataset.x_train, dataset.x_test))
  curves = features.curve_dataset(dataset, pool, "digits pixels", train, test)
  x = jnp.asarray(np.concatenate([curves.x_train, curves.x_test]))
  y = jnp.asarray(np.concatenate([curves.y_train, curves.y_test]))
  weights = learning_curves.split_subsets(0, y, 10, pool.size, jnp.asarray([20, 80]), 2, True)
  row = pool.size + 7                                             # a test row
  fits = learning_curves.classifiers(config)
  scores = jax.jit(lambda x: {name: jax.vmap(
      lambda w: learning_curves.subset_scores(fit, x, y, w, 10, scale=True))(weights)
                              for name, fit in fits.items()})
  clean, dirty = scores(x), scores(x.at[row].set(jnp.nan))
  others = np.arange(len(y)) != row
  for name in fits:
    assert np.isfinite(clean[name]).all(), name
    np.testing.assert_array_equal(dirty[name][:, others], clean[name][:, others], err_msg=name)
    assert np.isnan(dirty[name][:, row]).all(), name


def test_extractor_configs_and_bad_fields():
  config = features.settings()
  vae = features.extractor_config(config, "digits", "vae")
  assert vae.name == "m1_vae_digits"          # unchanged: the m1 table's workdir serves both
  ar = features.extractor_config(config, "digits", "ar")
  assert (ar.name, ar.seeds, ar.seed_group, ar.judge) == ("ar_digits_features", "0", 1, "")
  supervised = features.extractor_config(config, "digits", "supervised")
  assert (supervised.name, supervised.labels_per_class, supervised.seeds) == (
      "mlp_digits_40perclass", 40, "0")
  with pytest.raises(ConfigError, match=r"^config.supervised_per_class=131 is invalid; use an "
                                        r"integer from 1 to 130"):
    features.supervised_rows(tiny_config(supervised_per_class=131), data.load("digits").y_train)
  with pytest.raises(ConfigError, match=r"^config.features='pixels,vq' is invalid"):
    features.feature_list("pixels,vq")
  config.extractors.digits.ar = "mlp_digits"
  with pytest.raises(ConfigError, match=r"^config.extractors.digits.ar='mlp_digits' is invalid"):
    features.extractor_config(config, "digits", "ar")
