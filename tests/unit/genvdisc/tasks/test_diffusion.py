"""DDPM: the schedules, q(x_t|x_0), the posterior, the discretised decoder, the bound against a
NumPy computation, ancestral sampling, the task (conditional, bad input) and bitwise seed reruns;
the objectives package exporting them, the network sizes as sweep fields, captioned sample
grids, and the generative table reusing the likelihood table's DDPM and AR runs."""

import ast
import dataclasses
import importlib
import inspect
import math
import pkgutil

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
from jax.experimental.compilation_cache import compilation_cache as jax_cache
from PIL import Image
from scipy.special import ndtr

from experiments import tables
from experiments.configs import get_config
from experiments.tables import likelihood, trained
from genvdisc import hyperparams, objectives
from genvdisc.data import load
from genvdisc.errors import ConfigError
from genvdisc.report import plots
from genvdisc.objectives import diffusion
from genvdisc.tasks import shared
from genvdisc.tasks.diffusion import ddpm_from_config
from genvdisc.train import run, sweep
from tests.conftest import shrunk_config

HAND_BETAS = np.array([0.05, 0.2, 0.5])


def hand_schedule(betas=HAND_BETAS) -> diffusion.Schedule:
  alphas = 1.0 - betas
  return diffusion.Schedule(*(a.astype(np.float32) for a in (betas, alphas, np.cumprod(alphas))))


def tiny_config(name="ddpm_digits", **overrides):
  """A shrunk ddpm config: T = 4, a 16-wide one-block MLP, no judge or pictures."""
  config = shrunk_config(name, **{**dict(diffusion_steps=4, classify_timesteps=2, judge="",
                                         image_grid=0, num_steps=2, chunk_steps=1, log_every=1,
                                         checkpoint_every=2),
                                  **overrides})
  config.model_kwargs.update(width=16, num_blocks=1, embedding_dim=8)
  return config


def test_schedule_ends():
  linear = diffusion.linear_schedule(1000)
  np.testing.assert_allclose(linear.betas[[0, -1]], [1e-4, 0.02], rtol=1e-6)
  np.testing.assert_allclose(diffusion.linear_schedule(500).betas[[0, -1]], [2e-4, 0.04], rtol=1e-6)
  cosine = diffusion.cosine_schedule(100)
  f = lambda t: math.cos((t / 100 + 0.008) / 1.008 * math.pi / 2) ** 2
  np.testing.assert_allclose(cosine.alpha_bars[[0, 49]], [f(1) / f(0), f(50) / f(0)], rtol=1e-5)
  assert cosine.betas[-1] == np.float32(0.999)  # 1 - f(T)/f(T-1) = 1 is clipped


@pytest.mark.parametrize("name", ["linear", "cosine"])
def test_q_marginal_equals_iterated_one_step_kernels(name):
  """q(x_t|x_0) (eq. 4) == q(x_t|x_{t-1}) = N(sqrt(alpha_t) x_{t-1}, beta_t) applied t times."""
  schedule = diffusion.SCHEDULES[name](50)
  x0 = jnp.array([[-1.0, 0.25, 1.0]])
  mean, var = np.array(x0, np.float64), 0.0
  for t, beta in enumerate(schedule.betas.astype(np.float64), start=1):
    mean, var = np.sqrt(1 - beta) * mean, (1 - beta) * var + beta
    q_mean, q_var = diffusion.q_mean_variance(schedule, x0, jnp.array([t]))
    np.testing.assert_allclose(q_mean, mean, rtol=1e-5)
    np.testing.assert_allclose(q_var[0, 0], var, rtol=1e-4)  # 1 - abar_t of a float32 abar_t


def test_posterior_by_hand_and_by_bayes():
  """t = 2 of betas (0.05, 0.2, 0.5): abar_1 = 0.95, abar_2 = 0.76; eqs. 6-7 by hand, and the
  product q(x_t|x_{t-1}) q(x_{t-1}|x_0) normalised (precision alpha_t/beta_t + 1/(1 - abar_{t-1}))."""
  schedule = hand_schedule()
  x0, xt = jnp.array([[0.5, -1.0]]), jnp.array([[0.3, 0.1]])
  mean, var = diffusion.posterior_mean_variance(schedule, x0, xt, jnp.array([2]))
  hand_var = 0.05 / 0.24 * 0.2
  hand_mean = math.sqrt(0.95) * 0.2 / 0.24 * np.array([0.5, -1.0]) + math.sqrt(0.8) * 0.05 / 0.24 * np.array([0.3, 0.1])
  np.testing.assert_allclose(var[0, 0], hand_var, rtol=1e-5)
  np.testing.assert_allclose(mean[0], hand_mean, rtol=1e-5)
  precision = 0.8 / 0.2 + 1 / 0.05
  bayes_mean = (math.sqrt(0.8) / 0.2 * np.array([0.3, 0.1]) + math.sqrt(0.95) / 0.05 * np.array([0.5, -1.0])) / precision
  np.testing.assert_allclose(mean[0], bayes_mean, rtol=1e-5)
  np.testing.assert_allclose(var[0, 0], 1 / precision, rtol=1e-5)
  # t = 1: the posterior is the point x_0.
  mean1, var1 = diffusion.posterior_mean_variance(schedule, x0, xt, jnp.array([1]))
  np.testing.assert_allclose(mean1, x0, rtol=1e-6)
  assert float(var1[0, 0]) == 0.0
  np.testing.assert_allclose(diffusion.reverse_variances(schedule, "beta_tilde"),
                             [hand_var, hand_var, (1 - 0.76) / (1 - 0.38) * 0.5], rtol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("mean, variance", [(0.3, 1e-4), (0.3, 0.01), (-0.9, 1.0), (2.5, 4.0),
                                            (0.0, 1e-6)])
def test_discretized_decoder_sums_to_one_over_the_levels(mean, variance):
  levels = jnp.linspace(-1.0, 1.0, 17).reshape(17, 1)
  log_p = diffusion.discretized_gaussian_log_likelihood(levels, jnp.full((17, 1), mean), variance, 17)
  np.testing.assert_allclose(float(jnp.exp(log_p).sum()), 1.0, rtol=1e-5)


@pytest.mark.slow
def test_discretized_decoder_by_hand():
  """x = 0 (an inner level, bin +-1/16) and x = 1 (the top, open) under N(0, 1)."""
  log_p = diffusion.discretized_gaussian_log_likelihood(jnp.array([[0.0], [1.0]]), 0.0, 1.0, 17)
  phi = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))
  np.testing.assert_allclose(np.exp(log_p), [2 * phi(1 / 16) - 1, 1 - phi(15 / 16)], rtol=1e-5)


@pytest.mark.parametrize("name", ["linear", "cosine"])
def test_prior_term_vanishes_at_large_T(name):
  schedule = diffusion.SCHEDULES[name](1000)
  x0 = jnp.asarray(np.linspace(-1, 1, 64, dtype=np.float32).reshape(1, 8, 8, 1))
  abar = float(schedule.alpha_bars[-1])
  exact = 0.5 * np.sum(abar * np.asarray(x0, np.float64) ** 2 - abar - np.log1p(-abar))
  assert abs(float(diffusion.prior_kl(schedule, x0)[0]) - exact) < 2e-5
  assert exact < 1e-3


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["beta", "beta_tilde"])
def test_bound_equals_numpy(kind):
  """L_0 + L_1 + L_2 + L_T of a T = 3 schedule, 2 examples of 3 values at K = 5 levels and
  eps_theta(x_t, t) = 0.3 x_t + 0.1 t - 0.2, the same x_t noises, recomputed in float64."""
  schedule, levels, key = hand_schedule(), 5, jax.random.PRNGKey(3)
  x0 = np.array([[-1.0, 0.0, 0.5], [1.0, -0.5, 0.0]])
  eps_fn = lambda xt, t: 0.3 * xt + 0.1 * t[:, None] - 0.2
  bound = diffusion.variational_bound(eps_fn, schedule, diffusion.reverse_variances(schedule, kind),
                                      jnp.asarray(x0, jnp.float32), key, levels)
  betas = HAND_BETAS
  abar = np.cumprod(1 - betas)
  abar_prev = np.concatenate([[1.0], abar[:-1]])
  tilde = (1 - abar_prev) / (1 - abar) * betas
  sigma2 = betas if kind == "beta" else np.array([tilde[1], tilde[1], tilde[2]])
  total = 0.5 * np.sum(abar[-1] * x0 ** 2 + (1 - abar[-1]) - 1 - np.log(1 - abar[-1]), axis=1)
  for t in (1, 2, 3):
    noise = np.asarray(jax.random.normal(jax.random.fold_in(key, t), x0.shape), np.float64)
    xt = np.sqrt(abar[t - 1]) * x0 + np.sqrt(1 - abar[t - 1]) * noise
    mu = (xt - betas[t - 1] / np.sqrt(1 - abar[t - 1]) * (0.3 * xt + 0.1 * t - 0.2)) / np.sqrt(1 - betas[t - 1])
    s = np.sqrt(sigma2[t - 1])
    if t == 1:
      upper = np.where(x0 > 0.9, np.inf, x0 + 0.25)
      lower = np.where(x0 < -0.9, -np.inf, x0 - 0.25)
      total -= np.sum(np.log(ndtr((upper - mu) / s) - ndtr((lower - mu) / s)), axis=1)
    else:
      post_var = tilde[t - 1]
      post_mean = (np.sqrt(abar_prev[t - 1]) * betas[t - 1] * x0
                   + np.sqrt(1 - betas[t - 1]) * (1 - abar_prev[t - 1]) * xt) / (1 - abar[t - 1])
      total += 0.5 * np.sum(np.log(s ** 2 / post_var) + (post_var + (post_mean - mu) ** 2) / s ** 2 - 1, axis=1)
  np.testing.assert_allclose(bound, total, rtol=1e-4)


@pytest.mark.slow
def test_ancestral_sampling_with_the_exact_eps_of_a_point_returns_it():
  """For data x_0 = c, eps = (x_t - sqrt(abar_t) c) / sqrt(1 - abar_t) exactly, mu_theta is the
  posterior mean and the last step returns c; 4 samples of 3 values, T = 50."""
  schedule, c = diffusion.linear_schedule(50), jnp.array([-1.0, 0.5, 0.3])
  abar = jnp.asarray(schedule.alpha_bars)
  eps_fn = lambda xt, t: (xt - jnp.sqrt(abar[t - 1])[:, None] * c) / jnp.sqrt(1 - abar[t - 1])[:, None]
  variances = diffusion.reverse_variances(schedule, "beta")
  sample = diffusion.ancestral_sample(eps_fn, schedule, variances, jax.random.PRNGKey(0), (4, 3))
  np.testing.assert_allclose(sample, jnp.broadcast_to(c, (4, 3)), atol=1e-5)
  rounded = diffusion.ancestral_sample(eps_fn, schedule, variances, jax.random.PRNGKey(0), (4, 3), 5)
  np.testing.assert_array_equal(rounded, jnp.broadcast_to(jnp.array([-1.0, 0.5, 0.5]), (4, 3)))


@pytest.mark.parametrize("prior", [0.0, 0.8])
def test_levels_eps_of_two_levels_is_tanh(prior):
  """K = 2 (values -1, 1), log-prior (0, l): xhat_0 = tanh(sqrt(abar) x_t / (1 - abar) + l/2)."""
  schedule = hand_schedule()
  xt, t = jnp.array([[0.3, -1.2]]), jnp.array([2])
  xhat = np.tanh(math.sqrt(0.76) * np.array([0.3, -1.2]) / 0.24 + prior / 2)
  expected = (np.array([0.3, -1.2]) - math.sqrt(0.76) * xhat) / math.sqrt(0.24)
  log_prior = jnp.broadcast_to(jnp.array([0.0, prior]), (1, 2, 2))
  np.testing.assert_allclose(diffusion.levels_eps(schedule, xt, t, log_prior)[0], expected,
                             rtol=1e-5)


@pytest.mark.slow
def test_conditional_task_samples_and_log_prob_depend_on_the_label():
  dataset = load("digits")
  task = ddpm_from_config(tiny_config("ddpm_digits_conditional"), dataset)
  params, _ = jax.jit(task.init)(jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, 1)))
  key, labels = jax.random.PRNGKey(1), jnp.array([0, 3, 9])
  samples = jax.jit(task.sample, static_argnums=2)(params, key, 3, labels)
  assert samples.shape == (3, 8, 8, 1)
  np.testing.assert_array_equal(samples * 16, jnp.round(samples * 16))  # on the 17 levels
  assert float(samples.min()) >= 0.0 and float(samples.max()) <= 1.0
  x = jnp.asarray(dataset.x_test[:2])
  log_prob = jax.jit(task.log_prob)
  per_label = [log_prob(params, x, key, jnp.full((2,), y)) for y in range(10)]
  assert per_label[0].shape == (2,) and float(jnp.abs(per_label[0] - per_label[7]).max()) > 1e-3
  np.testing.assert_allclose(log_prob(params, x, key),
                             jax.nn.logsumexp(jnp.stack(per_label), axis=0) - math.log(10),
                             rtol=1e-5)


@pytest.mark.parametrize("field, value, message", [
    ("noise_schedule", "quadratic", r"config.noise_schedule='quadratic' is invalid; use linear or cosine"),
    ("diffusion_steps", 0, r"config.diffusion_steps=0 is invalid; use an integer >= 1"),
    ("reverse_variance", "learned", r"config.reverse_variance='learned' is invalid; use beta or beta_tilde"),
    ("model", "unet", r"unknown model 'unet' \(config.model\); valid names: mlp \(denoiser"),
    ("parameterization", "x0", r"config.parameterization='x0' is invalid; use eps or levels"),
    ("conditional", True, r"config.conditional=True is invalid; use False: dataset 'digits' has no "
                          r"training labels"),
])
def test_bad_input_is_one_line(field, value, message):
  dataset = dataclasses.replace(load("digits"), y_train=None)
  with pytest.raises(ConfigError, match=message):
    ddpm_from_config(tiny_config(**{field: value}), dataset)


def test_bad_model_kwargs_is_one_line():
  config = tiny_config()
  config.model_kwargs.depth = 3
  with pytest.raises(ConfigError, match="config.model_kwargs do not fit the denoiser 'mlp'"):
    ddpm_from_config(config, load("digits"))


@pytest.fixture
def persistent_compilation_cache(tmp_path):
  """JAX's persistent compilation cache in tmp_path for one test: a second engine of the same
  shapes loads the first one's executables instead of compiling them again."""
  options = {"jax_compilation_cache_dir": str(tmp_path / "xla_cache"),
             "jax_persistent_cache_min_compile_time_secs": 0.0,
             "jax_persistent_cache_min_entry_size_bytes": 0}
  saved = {name: getattr(jax.config, name) for name in options}
  for name, value in options.items():
    jax.config.update(name, value)
  jax_cache.reset_cache()
  yield
  for name, value in saved.items():
    jax.config.update(name, value)
  jax_cache.reset_cache()


@pytest.mark.slow
def test_seed_in_a_group_equals_seed_alone_bitwise(tmp_path, persistent_compilation_cache):
  """Conditional DDPM, seed 1 trained beside seed 0 == seed 1 alone (same seed_group): its test
  bound, bits/dim and simple loss bitwise (the params' checkpoint comparison of test_training
  would compile both engines again)."""
  together, alone = tiny_config("ddpm_digits_conditional"), tiny_config("ddpm_digits_conditional", seeds="1")
  r_together = run.train_runs(together, str(tmp_path / "together"), log=lambda s: None)
  r_alone = run.train_runs(alone, str(tmp_path / "alone"), log=lambda s: None)
  assert r_alone["per_seed"]["1"] == r_together["per_seed"]["1"]
  assert r_together["per_seed"]["0"] != r_together["per_seed"]["1"]
  assert r_together["per_seed"]["1"]["test_nll"] > 0


def public_definitions(module) -> set[str]:
  """Names a module defines at top level (def, class, assignment), '_' ones left out."""
  names = set()
  for node in ast.parse(inspect.getsource(module)).body:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
      names.add(node.name)
    elif isinstance(node, ast.Assign):
      names.update(target.id for target in node.targets if isinstance(target, ast.Name))
  return {name for name in names if not name.startswith("_")}


def test_objectives_exports_every_public_name_of_every_module_diffusion_included():
  modules = [importlib.import_module(f"genvdisc.objectives.{m.name}")
             for m in pkgutil.iter_modules(objectives.__path__)]
  defined = {name: module for module in modules for name in public_definitions(module)}
  assert {"q_sample", "variational_bound", "ancestral_sample", "SCHEDULES"} <= set(defined)
  assert sorted(objectives.__all__) == sorted(defined)
  for name, module in defined.items():
    assert getattr(objectives, name) is getattr(module, name), name


def test_sample_grid_pngs_carry_their_caption(tmp_path):
  grids = shared.image_grids(ml_collections.ConfigDict({"image_grid": 4}),
                             lambda params, key, n: jnp.full((n, 8, 8, 1), 0.25),
                             reconstruct=lambda params, x: 1.0 - x,
                             sampling="ancestral sampling T=1000, rounded to 17 levels")
  assert grids.captions == {
      "samples": "4 samples, ancestral sampling T=1000, rounded to 17 levels",
      "reconstructions": "2 test images, each followed by its reconstruction"}
  pictures = grids(None, {"x_test": jnp.zeros((3, 8, 8, 1))}, jax.random.PRNGKey(0))
  np.testing.assert_array_equal(pictures["reconstructions"].mean(axis=(1, 2, 3)), [0, 1, 0, 1])
  text = plots.grid_caption("ddpm_digits", "0", 5000, grids.captions["samples"])
  assert text == ("ddpm_digits seed 0, step 5000: 4 samples, ancestral sampling T=1000, rounded "
                  "to 17 levels")
  assert plots.grid_caption("mlp_digits", "learning_rate=0.01,seed=3", 7, "4 samples") == (
      "mlp_digits learning_rate=0.01,seed=3, step 7: 4 samples")
  plots.save_grid(str(tmp_path / "plain.png"), pictures["samples"])
  plots.save_grid(str(tmp_path / "captioned.png"), pictures["samples"], caption=text)
  plain = np.asarray(Image.open(tmp_path / "plain.png"))[..., :3]
  captioned = Image.open(tmp_path / "captioned.png")
  # 2 x 2 cells of 8 pixels, 1-pixel mid-grey padding, each pixel 4 x 4: 76 x 76, 0.25 -> 64.
  assert plain.shape == (76, 76, 3) and set(np.unique(plain)) == {64, 128}
  pixels = np.asarray(captioned)[..., :3]
  assert captioned.text["Description"] == text
  np.testing.assert_array_equal(pixels[-76:], plain)        # the grid, below the caption band
  band = pixels[:-76]
  assert band.shape[0] >= 14 and band.min() < 64 and np.median(band) == 255  # black text on white


def test_the_generative_table_reads_back_the_likelihood_tables_ddpm_and_ar_runs():
  """The generative and likelihood tables share ddpm_digits' and ar_digits' workdirs (same row
  name, same overrides, so the config recorded there matches): trained once for both."""
  generative = {row.config: row for row in tables.TABLES["generative"].compute.args[1]
                if isinstance(row, trained.Row)}
  shared_rows = [row for row in likelihood.ROWS
                 if isinstance(row, likelihood.TrainedRow) and row.config in generative]
  assert sorted(row.config for row in shared_rows) == ["ar_digits", "ddpm_digits"]
  for row in shared_rows:
    assert (generative[row.config].label, generative[row.config].overrides) == (
        row.name or row.config, row.overrides)
  for name in ("ddpm_digits", "ar_digits", "ddpm_digits_conditional", "ar_digits_conditional"):
    assert name in generative and get_config(name).judge == "mlp_digits"


def test_the_denoiser_and_ar_sizes_are_structural_sweep_fields():
  fields = hyperparams.parse_sweep("model_kwargs.width=16,32;model_kwargs.num_blocks=1;"
                                   "model_kwargs.head_rank=8;model_kwargs.embedding_dim=4")
  assert fields == [("model_kwargs.width", [16, 32]), ("model_kwargs.num_blocks", [1]),
                    ("model_kwargs.head_rank", [8]), ("model_kwargs.embedding_dim", [4])]
  groups = sweep.group_configs(tiny_config(sweep="model_kwargs.width=16,32"))
  assert [(point, group.model_kwargs.width) for point, group in groups] == [
      ({"model_kwargs.width": 16}, 16), ({"model_kwargs.width": 32}, 32)]
  assert {f"model_kwargs.{size}" for size in ("d_model", "num_heads", "num_layers", "mlp_dim")
          } <= set(hyperparams.STRUCTURAL)
