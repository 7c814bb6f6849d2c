"""VAE / beta-VAE (Kingma & Welling 2014) and IWAE (Burda et al. 2015) on images.

The step key an `update` receives is split into named uses (binarisation, z samples), so every
step is a pure function of the state and the data.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from genvdisc import objectives, optim
from genvdisc.data.datasets import Dataset
from genvdisc.evaluate.likelihood import importance_weighted_log_likelihood
from genvdisc.tasks import shared
from genvdisc.tasks.base import Task
from genvdisc.tasks.shared import require


def vae_from_config(config, dataset: Dataset) -> Task:
  """VAE trained on the ELBO (averaged over `train_samples` z) or, for config.task == 'iwae', on
  the IWAE bound with k = `train_samples`. Metrics: test/train `elbo` (beta = 1, one z, nats),
  `kl`, and `nll` = -(importance-weighted log p(x)) with `iw_samples` samples, in nats.
  log_prob: that importance-weighted estimate (a lower bound in expectation)."""
  shared.check_images(config, dataset)
  likelihood = shared.Likelihood.from_config(config, dataset)
  observe = shared.binarizer(config)
  nets = shared.networks(config, likelihood.output_shape(dataset.example_shape), encoder=True)
  require(config.beta > 0, "beta", config.beta, "a value > 0, e.g. 1.0")
  require(config.train_samples >= 1, "train_samples", config.train_samples, "an integer >= 1")
  require(config.iw_chunk >= 1, "iw_chunk", config.iw_chunk, "an integer >= 1, e.g. 100")
  chunk = min(config.iw_chunk, config.iw_samples)
  require(config.iw_samples >= 1 and config.iw_samples % chunk == 0, "iw_samples",
          config.iw_samples, f"a positive multiple of config.iw_chunk={config.iw_chunk}")
  eval_splits = tuple(config.eval_splits.split(","))
  require(eval_splits in (("train", "test"), ("test",)), "eval_splits", config.eval_splits,
          "'train,test' or 'test'")
  iwae = config.task == "iwae"
  encoder, decoder, latent = nets.encoder, nets.decoder, config.latent_dim
  optimizer = optim.from_config(config)

  def init(key, x_example):
    k_enc, k_dec = jax.random.split(key)
    params = {"encoder": encoder.init(k_enc, x_example),
              "decoder": decoder.init(k_dec, jnp.zeros((1, latent)))}
    return params, optimizer.init(params)

  def decode_log_prob(params, z, x):
    """log p(x|z) for z [k, B, L] -> [k, B]."""
    k, b = z.shape[:2]
    outputs = decoder.apply(params["decoder"], z.reshape(k * b, latent))
    return likelihood.log_prob(outputs, jnp.tile(x, (k,) + (1,) * (x.ndim - 1))).reshape(k, b)

  def log_weights(params, x, mean, logvar, key, k):
    """log p(x, z) - log q(z|x) for k samples z ~ q(z|x): [k, B]."""
    z = shared.reparameterize(mean, logvar, key, k)
    return (decode_log_prob(params, z, x) + shared.standard_normal_log_density(z)
            - shared.diagonal_normal_log_density(z, mean, logvar))

  def loss_fn(params, x, key, beta):
    mean, logvar = encoder.apply(params["encoder"], x)
    kl = objectives.gaussian_kl_to_standard(mean, logvar)
    if iwae:
      bound = objectives.importance_weighted_bound(
          log_weights(params, x, mean, logvar, key, config.train_samples))
    else:
      z = shared.reparameterize(mean, logvar, key, config.train_samples)
      bound = objectives.elbo(decode_log_prob(params, z, x).mean(0), kl, beta)
    loss = -jnp.mean(bound)
    return loss, {"loss": loss, "kl": jnp.mean(kl)}

  def update(params, opt_state, batch, key, hparams):
    k_bin, k_z = jax.random.split(key)
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, observe(batch["x"], k_bin), k_z,
                                                     hparams["beta"])
    return *optim.apply_gradients(params, opt_state, grads, optimizer, hparams), metrics

  def iw_log_likelihood(params, x, mean, logvar, key):
    return importance_weighted_log_likelihood(
        lambda k, c: log_weights(params, x, mean, logvar, k, c), key, config.iw_samples,
        config.iw_chunk)

  def eval_metrics(params, batch, key):
    k_bin, k_z, k_iw = jax.random.split(key, 3)
    x = observe(batch["x"], k_bin)
    mean, logvar = encoder.apply(params["encoder"], x)
    kl = objectives.gaussian_kl_to_standard(mean, logvar)
    z = shared.reparameterize(mean, logvar, k_z, 1)
    log_px = iw_log_likelihood(params, x, mean, logvar, k_iw)
    return {"elbo": objectives.elbo(decode_log_prob(params, z, x)[0], kl), "kl": kl,
            "nll": -log_px}

  def log_prob(params, x, key):
    mean, logvar = encoder.apply(params["encoder"], x)
    return iw_log_likelihood(params, x, mean, logvar, key)

  def sample(params, key, n, labels=None):
    del labels  # unconditional
    z = jax.random.normal(key, (n, latent))
    return likelihood.mean(decoder.apply(params["decoder"], z))

  def encode(params, x):
    return encoder.apply(params["encoder"], x)[0]

  def reconstruct(params, x):
    return likelihood.mean(decoder.apply(params["decoder"], encode(params, x)))

  return Task(init=init, update=update, eval_metrics=eval_metrics, uses_conv=nets.uses_conv,
              images=shared.image_grids(config, sample, reconstruct), eval_splits=eval_splits,
              sample=sample, encode=encode, log_prob=log_prob)
