"""Generative tasks end to end on shrunk real configs (slow): VAE/IWAE likelihoods, GAN with a
judge and a NaN injected into one seed, VAE-GAN; and their config and judge errors (fast)."""

import dataclasses
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

from experiments.judges import load_judge
from genvdisc.errors import ConfigError
from genvdisc.evaluate.frechet import Judge
from genvdisc.tasks import registry
from genvdisc.train import run
from tests.conftest import shrunk_config
from tests.e2e.test_training import assert_trees_equal, params_of

quiet = lambda line: None


@pytest.fixture(scope="module")
def judge(tmp_path_factory):
  """One mlp_digits judge (seed 0) shared by the tests of this module."""
  return load_judge("mlp_digits", "digits", str(tmp_path_factory.mktemp("judges")), log=quiet)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["vae_digits", "iwae_digits"])
def test_vae_likelihoods_and_pictures(tmp_path, name):
  config = shrunk_config(name, num_steps=100, chunk_steps=50, log_every=50, checkpoint_every=50,
                         iw_samples=200, iw_chunk=50)
  results = run.train_runs(config, str(tmp_path), log=quiet)
  for metrics in results["per_seed"].values():
    # 0 < NLL <= -ELBO, and better than independent fair coins for the 64 pixels (64 log 2 nats).
    assert 0 < metrics["test_nll"] <= -metrics["test_elbo"] < 64 * np.log(2)
    assert metrics["test_kl"] > 0 and metrics["diverged_at_step"] is None
  assert results["per_seed"]["0"]["test_nll"] != results["per_seed"]["1"]["test_nll"]
  assert sorted(os.listdir(tmp_path / "images")) == [
      f"{picture}_seed{seed}_step{step}.png" for picture in ("reconstructions", "samples")
      for seed in (0, 1) for step in (100, 50)]
  picture = Image.open(tmp_path / "images" / "reconstructions_seed1_step50.png")
  assert picture.text["Description"] == (f"{name} seed 1, step 50: 32 test images, each followed "
                                         "by its reconstruction")


def poison_seed_at(seed: int, step: int):
  """A `gan` builder whose update turns the params of `seed` to NaN at `step` (engine keys)."""
  _, train_key = jax.random.split(jax.random.PRNGKey(seed))
  _, target = jax.random.split(jax.random.fold_in(train_key, step))
  real_builder = registry.TASKS["gan"]

  def builder(config, dataset):
    task = real_builder(config, dataset)

    def update(params, opt_state, batch, key, hparams):
      params, opt_state, metrics = task.update(params, opt_state, batch, key, hparams)
      hit = jnp.all(key == target)
      return jax.tree.map(lambda p: jnp.where(hit, jnp.nan, p), params), opt_state, metrics

    return dataclasses.replace(task, update=update)

  return builder


@pytest.mark.slow
def test_gan_nan_in_one_seed_leaves_the_others_bitwise_unchanged(tmp_path, judge, monkeypatch):
  config = shrunk_config("gan_digits", num_steps=300, chunk_steps=50, log_every=100,
                         checkpoint_every=100, eval_every=100, seeds="0,1,2", seed_group=3,
                         fid_samples=300, image_grid=16)
  # The same wrapped program in both runs; only the first one's target step is ever reached.
  monkeypatch.setitem(registry.TASKS, "gan", poison_seed_at(1, 10**6))
  clean = run.train_runs(config, str(tmp_path / "clean"), log=quiet, judge=judge)
  monkeypatch.setitem(registry.TASKS, "gan", poison_seed_at(1, 130))
  injected = run.train_runs(config, str(tmp_path / "injected"), log=quiet,
                                    judge=judge)

  assert all(m["diverged_at_step"] is None for m in clean["per_seed"].values())
  assert injected["per_seed"]["1"]["diverged_at_step"] == 130
  assert injected["summary"]["classifier_fid"]["n"] == 2
  for seed in ("0", "2"):
    assert injected["per_seed"][seed] == clean["per_seed"][seed]
    for a, b in zip(clean["curves"], injected["curves"], strict=True):
      assert a["per_seed"][seed] == b["per_seed"][seed]
  clean_params = params_of(config, str(tmp_path / "clean"))
  injected_params = params_of(config, str(tmp_path / "injected"))
  for seed in (0, 2):
    assert_trees_equal(clean_params[seed], injected_params[seed])
  assert all(np.isfinite(leaf).all() for leaf in jax.tree.leaves(injected_params[1]))  # frozen

  # classifier-FID is in the curves every 100 steps and falls as the generator learns.
  assert [point["step"] for point in clean["curves"]] == [1, 100, 200, 300]
  fid = np.array([[m["classifier_fid"] for m in point["per_seed"].values()]
                  for point in clean["curves"][1:]])  # step 1: the first minibatch loss only
  assert np.all(fid > 0) and np.all(fid[-1] < fid[0])
  assert all(1.0 <= m["classifier_is"] <= 10.0 for m in clean["per_seed"].values())
  assert (tmp_path / "clean" / "images" / "samples_seed2_step300.png").exists()


@pytest.mark.slow
def test_vaegan_trains_and_draws(tmp_path, judge):
  config = shrunk_config("vaegan_digits", eval_every=20, fid_samples=200, image_grid=16)
  results = run.train_runs(config, str(tmp_path), log=quiet, judge=judge)
  for metrics in results["per_seed"].values():
    assert metrics["diverged_at_step"] is None and metrics["test_kl"] > 0
    assert 0 < metrics["test_pixel_mse"] < 0.25 and metrics["classifier_fid"] > 0
  assert [point["step"] for point in results["curves"]] == [1, 20, 40]
  assert (tmp_path / "images" / "reconstructions_seed1_step40.png").exists()


@pytest.mark.parametrize("name, overrides, message", [
    ("vae_digits", {"likelihood": "poisson"}, r"config.likelihood='poisson' is invalid; use bernoulli or gaussian"),
    ("vae_digits", {"model": "dcgan"}, r"config.model='dcgan' has no encoder; use 'mlp'"),
    ("gan_digits", {"generator_loss": "wasserstein"}, r"config.generator_loss='wasserstein' is invalid; use minimax or nonsaturating"),
    ("vaegan_digits", {"dataset": "iris"}, r"needs an image dataset but 'iris' is tabular"),
])
def test_generative_config_errors(name, overrides, message):
  with pytest.raises(ConfigError, match=message):
    run.make_train(shrunk_config(name, **overrides))


def test_judges_are_built_by_the_caller_and_checked(tmp_path):
  # make_train checks the judge's name and data only; these judges are refused before use.
  judge = Judge("mlp_digits", "digits", 0, test_accuracy=0.97, apply=None)
  config = shrunk_config("gan_digits")
  with pytest.raises(ConfigError, match=r"config.judge='mlp_digits' needs its judge classifier"):
    run.train_runs(config, str(tmp_path / "run"), log=quiet)
  assert not (tmp_path / "run").exists()  # refused before anything was written
  with pytest.raises(ConfigError, match=r"config.judge='mlp_mnist1d' is trained on 'mnist1d', "
                                        r"not on 'digits'"):
    load_judge("mlp_mnist1d", "digits", str(tmp_path), log=quiet)
  with pytest.raises(ConfigError, match=r"the judge passed in is 'mlp_digits' but "
                                        r"config.judge='lenet_digits'"):
    run.make_train(shrunk_config("gan_digits", judge="lenet_digits"), judge=judge)
  with pytest.raises(ConfigError, match=r"config.split_seed=1 but config.judge='mlp_digits'"):
    run.make_train(shrunk_config("gan_digits", split_seed=1), judge=judge)
  with pytest.raises(ConfigError, match=r"'no_such_config' is not a config"):
    load_judge("no_such_config", "digits", str(tmp_path), log=quiet)
  assert sorted(os.listdir(tmp_path)) == []  # nothing trained for the refused judges
