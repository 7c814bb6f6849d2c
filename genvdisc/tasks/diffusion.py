"""DDPM (Ho et al. 2020) on quantised images and sequences: a variational bound on the discrete NLL.

An example's D values are quantised (`data.quantize`: digits are their 17 levels k/16, MNIST-1D
config.quantize_bins bins) and the diffusion runs on x_0 = 2 k/(K - 1) - 1 in [-1, 1]; the
formulas are in `objectives.diffusion`. The network is `models.REGISTRY["denoiser"][config.model]`.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from genvdisc import objectives, optim
from genvdisc.data import quantize
from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.models.registry import lookup
from genvdisc.objectives import diffusion
from genvdisc.tasks import bayes, shared
from genvdisc.tasks.base import Task
from genvdisc.tasks.shared import require

PARAMETERIZATIONS = ("eps", "levels")


def ddpm_from_config(config, dataset: Dataset) -> Task:
  """DDPM with T = config.diffusion_steps, schedule config.noise_schedule, reverse variance
  sigma_t^2 = config.reverse_variance ('beta' or 'beta_tilde'), trained on L_simple (eq. 14):
  one t ~ U{1..T} and eps ~ N(0, I) per example. config.parameterization: 'eps', the network's
  output is eps_theta (Ho et al.); 'levels', the network gives logits over the K levels of every
  value, a log-prior that `diffusion.levels_eps` combines with the likelihood q(x_t|x_0 = v_k)
  into E[x_0|x_t] and so eps_theta (the network then learns what the other values tell about
  each one). config.conditional: eps_theta(x_t, t, y) with a label embedding, a model of p(x|y).

  Metrics (test split): `nll` = L_vlb of eq. 5 summed over all T steps (one x_t ~ q(x_t|x_0)
  each), an upper bound on -log P(x) (-log P(x|y)) in nats per example; `bits_per_dim` =
  nll / (D ln 2); `simple_loss` at one t per example.
  log_prob(params, x, key, labels=None): -L_vlb, a lower bound on log P(x) (log P(x|y) given
    labels); a conditional model without labels gives log (1/K) sum_y exp(-L_vlb(x|y)) <= log P(x).
  predict(params, x, key) (conditional): -L^(x|y) + log p(y) [B, K], L^ the stratified estimate
    of L_vlb from config.classify_timesteps t's (`diffusion.stratified_bound`), the same (t, eps)
    for every class (Li et al. 2023); its per-example `accuracy` joins the metrics.
  sample(params, key, n, labels=None): Algorithm 2, rounded to the levels, decoded to bin centres
    shaped like the data (images: pixels in [0, 1]); conditional without labels: y ~ U{0..K-1}.
  """
  denoiser = lookup("denoiser", config.model)
  quantizer = quantize.for_dataset(dataset, config.quantize_bins)
  num_steps = config.diffusion_steps
  require(isinstance(num_steps, int) and num_steps >= 1, "diffusion_steps", num_steps,
          "an integer >= 1, e.g. 1000")
  require(config.noise_schedule in diffusion.SCHEDULES, "noise_schedule", config.noise_schedule,
          " or ".join(diffusion.SCHEDULES))
  require(config.reverse_variance in diffusion.REVERSE_VARIANCES, "reverse_variance",
          config.reverse_variance, " or ".join(diffusion.REVERSE_VARIANCES))
  by_levels = config.parameterization == "levels"
  require(config.parameterization in PARAMETERIZATIONS, "parameterization",
          config.parameterization, " or ".join(PARAMETERIZATIONS))
  conditional = config.conditional
  require(isinstance(conditional, bool), "conditional", conditional, "True or False")
  require(not conditional or dataset.y_train is not None, "conditional", conditional,
          f"False: dataset {dataset.name!r} has no training labels here")
  num_classes = dataset.num_classes if conditional else 0
  log_prior = bayes.class_log_prior(config, dataset)
  class_batch = bayes.class_batch(config, num_classes)
  classify_timesteps = config.classify_timesteps
  require(not conditional or (isinstance(classify_timesteps, int) and 1 <= classify_timesteps
                              <= num_steps and num_steps % classify_timesteps == 0),
          "classify_timesteps", classify_timesteps,
          f"a divisor of config.diffusion_steps={num_steps}, e.g. {math.gcd(num_steps, 50)}")
  levels = quantizer.num_bins
  try:
    network = denoiser(num_classes=num_classes, levels=levels if by_levels else 0,
                                      **config.model_kwargs.to_dict())
  except TypeError as e:
    raise ConfigError(f"config.model_kwargs do not fit the denoiser {config.model!r}: {e}") from None
  schedule = diffusion.SCHEDULES[config.noise_schedule](num_steps)
  variances = diffusion.reverse_variances(schedule, config.reverse_variance)
  num_dims = math.prod(dataset.example_shape)
  optimizer = optim.from_config(config)

  def to_levels(x):
    """Data -> x_0 = 2 k/(K - 1) - 1, k the value's bin."""
    return 2.0 * quantizer.unit(quantizer.tokens(x)) - 1.0

  def eps_fn(params, labels):
    """eps_theta(x_t, t) of the network `params` (for the labels of a conditional model)."""
    def eps(xt, t):
      out = network.apply({"params": params}, xt, t, labels)
      return diffusion.levels_eps(schedule, xt, t, out) if by_levels else out
    return eps

  def batch_labels(batch):
    return batch["y"] if conditional else None

  def init(key, x_example):
    labels = jnp.zeros(x_example.shape[:1], jnp.int32) if conditional else None
    params = network.init(key, x_example, jnp.ones(x_example.shape[:1], jnp.int32), labels)["params"]
    return params, optimizer.init(params)

  def simple_loss_one_t(params, x0, labels, key):
    """L_simple at one t ~ U{1..T} and eps ~ N(0, I) per example: [B]."""
    k_t, k_noise = jax.random.split(key)
    t = jax.random.randint(k_t, x0.shape[:1], 1, num_steps + 1)
    noise = jax.random.normal(k_noise, x0.shape)
    return diffusion.simple_loss(noise, eps_fn(params, labels)(
        diffusion.q_sample(schedule, x0, t, noise), t))

  def loss_fn(params, batch, key):
    loss = jnp.mean(simple_loss_one_t(params, to_levels(batch["x"]), batch_labels(batch), key))
    return loss, {"loss": loss}

  def update(params, opt_state, batch, key, hparams):
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, batch, key)
    return *optim.apply_gradients(params, opt_state, grads, optimizer, hparams), metrics

  def bound(params, x, labels, key):
    return diffusion.variational_bound(eps_fn(params, labels), schedule, variances, to_levels(x),
                                       key, levels)

  def predict(params, x, key):
    def class_log_likelihood(x, y, key):
      return -diffusion.stratified_bound(eps_fn(params, y), schedule, variances, to_levels(x), key,
                                         levels, classify_timesteps)
    return bayes.joint_log_probs(class_log_likelihood, x, key, log_prior, class_batch)

  def eval_metrics(params, batch, key):
    k_bound, k_simple = jax.random.split(key)
    labels = batch_labels(batch)
    nll = bound(params, batch["x"], labels, k_bound)
    metrics = {"nll": nll, "bits_per_dim": objectives.bits_per_dim(nll, num_dims),
               "simple_loss": simple_loss_one_t(params, to_levels(batch["x"]), labels, k_simple)}
    if conditional:
      metrics["accuracy"] = objectives.accuracy(predict(params, batch["x"], jax.random.fold_in(key, 1)),
                                             labels)
    return metrics

  def log_prob(params, x, key, labels=None):
    if labels is not None or not conditional:
      return -bound(params, x, labels, key)
    return bayes.marginal_log_prob(lambda x, y, k: -bound(params, x, y, k), x, key, num_classes,
                                   class_batch)

  def sample_given(params, key, n, labels):
    x0 = diffusion.ancestral_sample(eps_fn(params, labels), schedule, variances, key,
                                    (n, *dataset.example_shape), levels)
    return quantizer.values(quantizer.from_unit((x0 + 1.0) / 2.0))

  sample = bayes.sampler(sample_given, num_classes)

  sampling = (f"ancestral sampling T={num_steps} ({config.noise_schedule} schedule), rounded to "
              f"{levels} levels" + (", labels drawn uniformly" if conditional else ""))
  images = (shared.image_grids(config, sample, sampling=sampling) if dataset.kind == "image"
            else None)
  return Task(init=init, update=update, eval_metrics=eval_metrics, headline="test_nll",
              images=images, eval_splits=("test",), sample=sample, log_prob=log_prob,
              predict=predict if conditional else None)
