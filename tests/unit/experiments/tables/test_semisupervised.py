"""M1 / M2 / generative augmentation: the M2 loss by hand, the labelled subsets, random shifts,
and the m1, m2 and augment tables end to end on shrunk configs, with one seed rerun alone
equal to its entry in the full run."""

import json
import math
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments import tables
from experiments.configs import get_config
from experiments.tables import augment, semisupervised
from genvdisc import data, objectives
from genvdisc.data import subsets
from genvdisc.errors import ConfigError
from genvdisc.rng import seed_keys
from genvdisc.tasks import classification
from genvdisc.tasks.registry import from_config
from tests.conftest import shrunk_config


def test_m2_labelled_bound_by_hand():
  # -L = log p(x|y,z) + log p(y) - KL = -10 + log 1/2 - 2
  bound = objectives.m2_labelled_bound(jnp.array([-10.0]), jnp.log(0.5), jnp.array([2.0]))
  np.testing.assert_allclose(bound, [-12.0 - math.log(2.0)], rtol=1e-6)


def test_m2_unlabelled_bound_by_hand():
  # q(y|x) = (1/4, 3/4): sum_y q (-L) = -3/4 - 15/4 = -4.5, H = -(1/4 log 1/4 + 3/4 log 3/4)
  bound = objectives.m2_unlabelled_bound(jnp.array([[-3.0, -5.0]]),
                                         jnp.array([[0.0, math.log(3.0)]]))
  entropy = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
  np.testing.assert_allclose(bound, [-4.5 + entropy], rtol=1e-6)


def test_m2_loss_by_hand():
  # -(N_l/N mean(-L) + mean(-U) + alpha/N mean(log q(y|x))) with N_l/N = 0.1, alpha/N = 0.1
  loss = objectives.m2_loss(jnp.array([-2.0, -4.0]), jnp.array([-6.0]),
                            jnp.log(jnp.array([0.5, 0.25])), 0.1, 0.1)
  expected = -(0.1 * -3.0 - 6.0 + 0.1 * 0.5 * (math.log(0.5) + math.log(0.25)))
  np.testing.assert_allclose(loss, expected, rtol=1e-6)


def test_labelled_indices_are_stratified_seeded_and_match_m2_batches():
  dataset = data.load("digits")
  a, b = (subsets.labelled_indices(dataset.y_train, 50, s) for s in (3, 4))
  np.testing.assert_array_equal(np.bincount(dataset.y_train[a]), [5] * 10)
  np.testing.assert_array_equal(a, subsets.labelled_indices(dataset.y_train, 50, 3))
  assert set(a.tolist()) != set(b.tolist())
  with pytest.raises(ConfigError, match="num_labels=55"):
    subsets.labelled_indices(dataset.y_train, 55, 0)
  task = from_config(shrunk_config("m2_digits", num_labels=50), dataset)
  arrays = {k: jnp.asarray(v) for k, v in (("x_train", dataset.x_train),
                                           ("y_train", dataset.y_train))}
  batch = jax.jit(task.sample_batch, static_argnums=3)(arrays, seed_keys(3)[1],
                                                      jax.random.PRNGKey(7), 32)
  labelled = {tuple(x.ravel()) for x in dataset.x_train[a]}
  assert all(tuple(x.ravel()) in labelled for x in np.asarray(batch["x_labelled"]))


def test_random_shift_moves_images_by_at_most_one_pixel():
  x = jnp.arange(1.0, 17.0).reshape(1, 4, 4, 1).repeat(50, axis=0)
  shifted = np.asarray(classification.random_shift(x, jax.random.PRNGKey(0), 1))[..., 0]
  image = np.asarray(x[0, ..., 0])
  padded = np.pad(image, 1)
  windows = {padded[i:i + 4, j:j + 4].tobytes() for i in range(3) for j in range(3)}
  assert all(s.tobytes() in windows for s in shifted)
  assert len({s.tobytes() for s in shifted}) > 1


SMALL_NETS = dict(latent_dim=4, classifier_hidden_sizes=(16,))
M2_SHRUNK = dict(num_steps=20, chunk_steps=10, log_every=10, checkpoint_every=20, seeds="0,1",
                 seed_group=2, batch_size=8, labelled_batch_size=4, **SMALL_NETS)
SHRUNK = {
    "m1_vae_digits": dict(num_steps=50, chunk_steps=50, log_every=50, checkpoint_every=50,
                          iw_samples=2, iw_chunk=2, latent_dim=4),
    "m2_digits": M2_SHRUNK,
    "m1m2_digits": M2_SHRUNK,
    "augment_lenet_digits": dict(num_steps=10, log_every=10, checkpoint_every=10, batch_size=8),
}
M1_SHRUNK = dict(num_seeds=2, num_labels="20,all", steps=20)
AUGMENT_SHRUNK = dict(num_labels=20, generated_per_class=2, num_seeds=2)


def shrunk(name):
  config = get_config(name)
  config.update(SHRUNK.get(name, {}))
  if "hidden_sizes" in config.get("model_kwargs", {}) and name != "augment_lenet_digits":
    config.model_kwargs.hidden_sizes = (16,)
  return config


def shrunk_settings(settings, overrides: dict):
  """A table's `settings` function with `overrides` applied to what it returns."""
  def shrunk():
    config = settings()
    config.update(overrides)
    return config
  return shrunk


@pytest.fixture(scope="module")
def out(tmp_path_factory):
  """One output folder for the three tables (they share M1's VAE and the M2 runs)."""
  with pytest.MonkeyPatch.context() as patch:
    patch.setattr(semisupervised, "get_config", shrunk)
    patch.setattr(augment, "get_config", shrunk)
    patch.setattr(semisupervised, "settings", shrunk_settings(semisupervised.settings, M1_SHRUNK))
    patch.setattr(augment, "settings", shrunk_settings(augment.settings, AUGMENT_SHRUNK))
    patch.setattr(semisupervised, "M2_NUM_LABELS", (20,))
    patch.setattr(augment, "VARIANTS", {"generated": (0, True)})
    yield str(tmp_path_factory.mktemp("semisupervised"))


def read(out, stem):
  with open(os.path.join(out, f"{stem}.json")) as f:
    return json.load(f)


@pytest.mark.slow
def test_m1_table_and_one_seed_rerun(out):
  text = tables.reproduce("m1", out, log=lambda s: None)
  assert "| LR | M1 |" in text and "| SVM | pixels |" in text
  for ext in ("md", "csv", "json", "png"):
    assert os.path.exists(os.path.join(out, f"m1.{ext}"))
  tables.reproduce("m1", out, seeds=(1,), log=lambda s: None)
  full, alone = read(out, "m1")["errors"], read(out, "m1-seeds-1")["errors"]
  for features in ("pixels", "M1"):
    for classifier in ("logreg", "linear_svm"):
      assert alone[features][classifier] == [full[features][classifier][1]]


@pytest.mark.slow
def test_m2_table_and_one_seed_rerun(out, monkeypatch):
  # M1+M2 only: M2 on pixels is trained, and rerun, by the augment test.
  monkeypatch.setattr(semisupervised, "M2_MODELS", {"m1m2": "m1m2_digits"})
  text = tables.reproduce("m2", out, log=lambda s: None)
  assert "| M1+M2 |" in text and "3.33" in text
  tables.reproduce("m2", out, seeds=(1,), log=lambda s: None)
  full, alone = read(out, "m2")["test_error"], read(out, "m2-seeds-1")["test_error"]
  assert alone["m1m2/20"] == {"1": full["m1m2/20"]["1"]}


@pytest.mark.slow
def test_augment_table_and_one_seed_rerun(out):
  text = tables.reproduce("augment", out, log=lambda s: None)
  assert "20 labels, generated" in text
  tables.reproduce("augment", out, seeds=(1,), log=lambda s: None)
  full, alone = read(out, "augment")["test_accuracy"], read(out, "augment-seeds-1")["test_accuracy"]
  assert alone["generated"] == {"1": full["generated"]["1"]}
