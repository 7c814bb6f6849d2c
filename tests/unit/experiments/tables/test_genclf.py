"""Generative classifiers by Bayes' rule, labelled subsets, robustness and the genclf table."""

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.tables import genclf, trained
from genvdisc import data
from genvdisc.data import subsets
from genvdisc.data.datasets import read_only
from genvdisc.errors import ConfigError
from genvdisc.objectives import diffusion
from genvdisc.tasks import bayes, registry, robustness
from genvdisc.train.experiment import make_train
from genvdisc.train.run import restore_seed_params
from genvdisc.train.sweep import train_and_evaluate
from tests.conftest import shrunk_config


@pytest.mark.slow
def test_bayes_rule_posterior_equals_the_analytic_one_on_two_gaussians():
  # p(x|0) = N(-1, 1), p(x|1) = N(1, 1), p(1) = 0.7: p(1|x) = sigmoid(2x + log(0.7/0.3)).
  means = jnp.array([-1.0, 1.0])
  log_likelihood = lambda x, y, key: -0.5 * (x - means[y]) ** 2 - 0.5 * math.log(2 * math.pi)
  x = jnp.linspace(-3.0, 3.0, 13)
  scores = bayes.joint_log_probs(log_likelihood, x, jax.random.PRNGKey(0), np.log([0.3, 0.7]))
  posterior = jax.nn.softmax(scores, axis=-1)[:, 1]
  np.testing.assert_allclose(posterior, jax.nn.sigmoid(2 * x + math.log(0.7 / 0.3)), rtol=1e-6)
  marginal = bayes.marginal_log_prob(log_likelihood, x, jax.random.PRNGKey(0), 2)
  expected = np.log(0.5 * np.exp(-0.5 * (x + 1) ** 2) + 0.5 * np.exp(-0.5 * (x - 1) ** 2)) - 0.5 * math.log(2 * math.pi)
  np.testing.assert_allclose(marginal, expected, rtol=1e-6)


@pytest.mark.slow
def test_classes_scored_a_few_at_a_time_give_the_same_scores_in_less_memory():
  task, params = _conditional_ddpm()
  config = shrunk_config("ddpm_digits_conditional", diffusion_steps=20, classify_timesteps=5,
                         labels_per_class=5, judge="", image_grid=0, class_batch=3)
  by_three = registry.from_config(config, data.load("digits"))
  x, key = jnp.asarray(data.load("digits").x_test[:64]), jax.random.PRNGKey(3)
  all_at_once, three_at_a_time = (jax.jit(t.predict) for t in (task, by_three))
  np.testing.assert_allclose(three_at_a_time(params, x, key), all_at_once(params, x, key),
                             rtol=1e-5, atol=1e-3)
  temp = lambda f: f.lower(params, x, key).compile().memory_analysis().temp_size_in_bytes
  assert temp(three_at_a_time) < 0.6 * temp(all_at_once)


def test_class_log_prior_is_uniform_on_balanced_subsets_else_the_class_frequencies():
  d = data.load("digits")
  config = shrunk_config("mlp_digits", labels_per_class=3)
  np.testing.assert_allclose(np.exp(bayes.class_log_prior(config, d)), 0.1, rtol=1e-6)
  config.labels_per_class = 0
  frequencies = np.bincount(d.y_train) / d.num_train
  np.testing.assert_allclose(np.exp(bayes.class_log_prior(config, d)), frequencies, rtol=1e-6)


def _conditional_ddpm():
  config = shrunk_config("ddpm_digits_conditional", diffusion_steps=20, classify_timesteps=5,
                         labels_per_class=5,  # a uniform p(y): scores differ by log p(x|y) only
                         judge="", image_grid=0)
  task = registry.from_config(config, data.load("digits"))
  params, _ = task.init(jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, 1)))
  return task, params


@pytest.mark.slow
def test_diffusion_classifier_scores_every_class_on_the_same_t_and_eps():
  task, params = _conditional_ddpm()
  x = jnp.asarray(data.load("digits").x_test[:6])
  # A label embedding of zeros makes eps_theta blind to y: the classes' bounds can then differ
  # only through their (t, eps) draws, and they are bitwise equal.
  blind = jax.tree_util.tree_map_with_path(
      lambda path, p: jnp.zeros_like(p) if "Embed" in jax.tree_util.keystr(path) else p, params)
  scores = np.asarray(task.predict(blind, x, jax.random.PRNGKey(3)))
  assert np.all(scores == scores[:, :1])
  seeing = np.asarray(task.predict(params, x, jax.random.PRNGKey(3)))
  assert np.ptp(seeing, axis=1).min() > 0          # the real embedding does separate the classes


@pytest.mark.slow
def test_stratified_bound_is_an_unbiased_estimate_of_the_full_bound():
  schedule = diffusion.SCHEDULES["linear"](8)
  variances = diffusion.reverse_variances(schedule, "beta_tilde")
  eps_fn = lambda xt, t: 0.3 * xt                    # any fixed network
  x0 = jnp.array([[-1.0, 0.5, 1.0]])
  keys = jax.random.split(jax.random.PRNGKey(0), 4000)
  full = jax.vmap(lambda k: diffusion.variational_bound(eps_fn, schedule, variances, x0, k, 5))(keys)
  strat = jax.vmap(lambda k: diffusion.stratified_bound(eps_fn, schedule, variances, x0, k, 5, 2))(keys)
  stderr = math.sqrt(np.var(full) / full.size + np.var(strat) / strat.size)
  assert abs(float(full.mean() - strat.mean())) < 5 * stderr
  assert np.var(strat) > np.var(full)                # 2 of 8 terms: a noisier estimate


@pytest.mark.slow
def test_shift_one_moves_every_example_by_exactly_one_position():
  image = jnp.zeros((1, 5, 5, 1)).at[0, 2, 2, 0].set(1.0)
  shifted = robustness.shift_one(jnp.repeat(image, 64, 0), jax.random.PRNGKey(0), 2)
  where = np.argwhere(np.asarray(shifted[..., 0]) == 1.0)[:, 1:]
  moves = {tuple(p) for p in (where - 2).tolist()}
  assert len(where) == 64 and moves == {(0, 1), (0, -1), (1, 0), (-1, 0)}
  signal = jnp.arange(1.0, 7.0)[None, :, None]
  moved = np.asarray(robustness.shift_one(jnp.repeat(signal, 16, 0), jax.random.PRNGKey(1), 1))[..., 0]
  assert all(row.tolist() in ([0, 1, 2, 3, 4, 5], [2, 3, 4, 5, 6, 0]) for row in moved)


@pytest.mark.slow
def test_a_seed_trains_only_on_its_labelled_subset(tmp_path):
  """Rows outside seed s's subset, and the test rows, never change its fit (NaN would spread)."""
  d = data.load("digits")
  config = shrunk_config("logreg_digits", labels_per_class=2, num_steps=20)
  clean = restore_seed_params(config, _train(config, d, tmp_path / "clean"), d)
  kept = set()
  for seed in (0, 1):
    kept |= set(subsets.labelled_indices(d.y_train, 20, seed).tolist())
  poisoned = d.x_train.copy()
  poisoned[[i for i in range(d.num_train) if i not in kept]] = np.nan
  bad = read_only(dataclasses.replace(d, x_train=poisoned, x_test=np.full_like(d.x_test, np.nan)))
  dirty = restore_seed_params(config, _train(config, bad, tmp_path / "dirty"), bad)
  for seed in (0, 1):
    jax.tree.map(np.testing.assert_array_equal, clean[seed], dirty[seed])


def _train(config, dataset, workdir):
  train_and_evaluate(config, str(workdir), log=lambda *a: None, dataset=dataset)
  return str(workdir)


@pytest.mark.parametrize("field,value,task_config", [
    ("labels_per_class", 500, "mlp_digits"),
    ("robustness", True, "vae_digits"),
    ("classify_timesteps", 7, "ddpm_digits_conditional"),
    ("class_batch", -1, "ar_digits_conditional"),
    ("class_batch", 11, "ar_digits_conditional"),  # digits has 10 classes
])
def test_bad_genclf_fields_give_one_clear_error(field, value, task_config):
  config = shrunk_config(task_config)
  if "judge" in config:
    config.judge = ""
  config[field] = value
  with pytest.raises(ConfigError, match=f"config.{field}"):
    make_train(config)


@pytest.mark.slow
def test_one_seed_of_the_genclf_table_equals_its_entry_in_the_full_table(tmp_path, monkeypatch):
  tiny = (("num_steps", 20), ("chunk_steps", 10), ("log_every", 20), ("checkpoint_every", 20),
          ("seed_group", 2))
  monkeypatch.setattr(genclf, "SIZES", (2, 0))
  monkeypatch.setattr(genclf, "PAIRS", {"digits": (
      genclf.Pair("gaussian", "gnb", trained.Row("logreg_digits", overrides=tiny)),)})
  full = genclf.compute("digits", str(tmp_path), (0, 1), log=lambda *a: None).record
  alone = genclf.compute("digits", str(tmp_path), (1,), log=lambda *a: None).record
  for name, row in alone["datasets"]["digits"]["rows"].items():
    for m, per_seed in row["per_size"].items():
      assert per_seed["1"] == full["datasets"]["digits"]["rows"][name]["per_size"][m]["1"], (name, m)
  gnb = full["datasets"]["digits"]["rows"]["gnb_digits"]["per_size"]
  assert gnb["2"]["0"]["test_accuracy"] != gnb["2"]["1"]["test_accuracy"]   # seeds' own subsets
  assert set(gnb["0"]["0"]) >= {"test_accuracy_noise_0.25", "test_accuracy_shift"}
  sections = genclf.sections(full)
  assert [s.caption.split(":")[0] for s in sections][:2] == ["digits", "digits"]
