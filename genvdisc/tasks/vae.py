"""VAE / beta-VAE (Kingma & Welling 2014) and IWAE (Burda et al. 2015) on images, optionally
class-conditional (a CVAE: q(z|x,y), p(x|y,z), Sohn et al. 2015).

The step key an `update` receives is split into named uses (binarisation or dequantisation, z
samples), so every step is a pure function of the state and the data.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from genvdisc import objectives, optim
from genvdisc.data.datasets import Dataset
from genvdisc.evaluate.likelihood import importance_weighted_log_likelihood
from genvdisc.tasks import bayes, shared
from genvdisc.tasks.base import Task
from genvdisc.tasks.shared import require


def vae_from_config(config, dataset: Dataset) -> Task:
  """VAE trained on the ELBO (averaged over `train_samples` z) or, for config.task == 'iwae', on
  the IWAE bound with k = `train_samples`, of the data `shared.Likelihood` observes (binarised,
  dequantised or as they are). Metrics: test/train `elbo` (beta = 1, one z, nats), `kl`, and
  `nll` = -(importance-weighted log p(x)) with `iw_samples` samples, in nats; with a likelihood
  of discrete data (every one but a plain Gaussian density) also `bits_per_dim` = nll / (D ln 2).
  log_prob: that importance-weighted estimate (a lower bound in expectation).

  config.conditional: the encoder sees [x, onehot(y)] and the decoder [z, onehot(y)]
  (`shared.with_label`); the metrics are then of log p(x|y) with each example's label.
  log_prob(params, x, key, labels) is the importance-weighted log p(x|y); without labels, log p(x)
  = log (1/K) sum_y p^(x|y) (uniform p(y), the classes' estimates on the same draws). sample(params,
  key, n, labels) decodes z ~ N(0, I) given y (without labels, y ~ U{0..K-1}); no encode.
  predict(params, x, key): log p^(x|y) + log p(y) [B, K] with config.classify_samples importance
  samples per class, the same draws for every class; its per-example `accuracy` joins the metrics.
  """
  shared.check_images(config, dataset)
  likelihood = shared.Likelihood.from_config(config, dataset)
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
  conditional = config.conditional
  require(not conditional or dataset.y_train is not None, "conditional", conditional,
          f"False: dataset {dataset.name!r} has no training labels here")
  iwae = config.task == "iwae"
  require(not iwae or config.beta == 1.0, "beta", config.beta,
          "1.0 with config.task='iwae' (the IWAE bound has no KL weight; task='vae' takes beta)")
  encoder, decoder, latent = nets.encoder, nets.decoder, config.latent_dim
  num_classes, num_dims = dataset.num_classes, math.prod(dataset.example_shape)
  log_prior = bayes.class_log_prior(config, dataset)
  class_batch = bayes.class_batch(config, num_classes)
  classify_samples = min(config.classify_samples, config.iw_samples)
  require(not conditional or classify_samples % min(chunk, classify_samples) == 0,
          "classify_samples", classify_samples,
          f"a multiple of config.iw_chunk={config.iw_chunk} or a value below it")
  optimizer = optim.from_config(config)

  def condition(a, y):
    """The network input: a itself, or [flatten(a), onehot(y)] given labels y."""
    return a if y is None else shared.with_label(a, y, num_classes)

  def labels_of(batch):
    return batch["y"] if conditional else None

  def init(key, x_example):
    k_enc, k_dec = jax.random.split(key)
    y = jnp.zeros(x_example.shape[:1], jnp.int32) if conditional else None
    params = {"encoder": encoder.init(k_enc, condition(x_example, y)),
              "decoder": decoder.init(k_dec, condition(jnp.zeros((1, latent)), y))}
    return params, optimizer.init(params)

  def encode_q(params, x, y):
    """(mean, logvar) of q(z|x[, y])."""
    return encoder.apply(params["encoder"], condition(x, y))

  def decode(params, z, y):
    return decoder.apply(params["decoder"], condition(z, y))

  def decode_log_prob(params, z, x, y):
    """log p(x|z[, y]) for z [k, B, L] -> [k, B]."""
    k, b = z.shape[:2]
    outputs = decode(params, z.reshape(k * b, latent), None if y is None else jnp.tile(y, k))
    return likelihood.log_prob(outputs, jnp.tile(x, (k,) + (1,) * (x.ndim - 1))).reshape(k, b)

  def log_weights(params, x, y, mean, logvar, key, k):
    """log p(x, z[|y]) - log q(z|x[, y]) for k samples z ~ q: [k, B]."""
    z = shared.reparameterize(mean, logvar, key, k)
    return (decode_log_prob(params, z, x, y) + shared.standard_normal_log_density(z)
            - shared.diagonal_normal_log_density(z, mean, logvar))

  def loss_fn(params, x, y, key, beta):
    mean, logvar = encode_q(params, x, y)
    kl = objectives.gaussian_kl_to_standard(mean, logvar)
    if iwae:
      bound = objectives.importance_weighted_bound(
          log_weights(params, x, y, mean, logvar, key, config.train_samples))
    else:
      z = shared.reparameterize(mean, logvar, key, config.train_samples)
      bound = objectives.elbo(decode_log_prob(params, z, x, y).mean(0), kl, beta)
    loss = -jnp.mean(bound)
    return loss, {"loss": loss, "kl": jnp.mean(kl)}

  def update(params, opt_state, batch, key, hparams):
    k_observe, k_z = jax.random.split(key)
    grads, metrics = jax.grad(loss_fn, has_aux=True)(
        params, likelihood.observe(batch["x"], k_observe), labels_of(batch), k_z, hparams["beta"])
    return *optim.apply_gradients(params, opt_state, grads, optimizer, hparams), metrics

  def iw_log_likelihood(params, x, y, key, samples=config.iw_samples):
    """Importance-weighted log p(x[|y]) of observed x with `samples` samples: [B]."""
    mean, logvar = encode_q(params, x, y)
    return importance_weighted_log_likelihood(
        lambda k, c: log_weights(params, x, y, mean, logvar, k, c), key, samples,
        min(config.iw_chunk, samples))

  def predict_observed(params, x, key):
    return bayes.joint_log_probs(
        lambda x, y, k: iw_log_likelihood(params, x, y, k, classify_samples), x, key, log_prior,
        class_batch)

  def predict(params, x, key):
    k_observe, k_iw = jax.random.split(key)
    return predict_observed(params, likelihood.observe(x, k_observe), k_iw)

  def eval_metrics(params, batch, key):
    k_observe, k_z, k_iw = jax.random.split(key, 3)
    x, y = likelihood.observe(batch["x"], k_observe), labels_of(batch)
    mean, logvar = encode_q(params, x, y)
    kl = objectives.gaussian_kl_to_standard(mean, logvar)
    z = shared.reparameterize(mean, logvar, k_z, 1)
    nll = -iw_log_likelihood(params, x, y, k_iw)
    metrics = {"elbo": objectives.elbo(decode_log_prob(params, z, x, y)[0], kl), "kl": kl,
               "nll": nll}
    if likelihood.discrete:
      metrics["bits_per_dim"] = objectives.bits_per_dim(nll, num_dims)
    if conditional:
      metrics["accuracy"] = objectives.accuracy(
          predict_observed(params, x, jax.random.fold_in(k_iw, 1)), y)
    return metrics

  def log_prob(params, x, key, labels=None):
    k_observe, k_iw = jax.random.split(key)
    x = likelihood.observe(x, k_observe)
    if not conditional or labels is not None:
      return iw_log_likelihood(params, x, labels if conditional else None, k_iw)
    return bayes.marginal_log_prob(lambda x, y, k: iw_log_likelihood(params, x, y, k), x, k_iw,
                                   num_classes, class_batch)

  def sample_given(params, key, n, labels):
    return likelihood.mean(decode(params, jax.random.normal(key, (n, latent)), labels))

  sample = bayes.sampler(sample_given, num_classes if conditional else 0)

  def encode(params, x):
    return encode_q(params, x, None)[0]

  def reconstruct(params, x):
    return likelihood.mean(decode(params, encode(params, x), None))

  return Task(init=init, update=update, eval_metrics=eval_metrics, headline="test_nll",
              uses_conv=nets.uses_conv,
              images=shared.image_grids(config, sample, None if conditional else reconstruct),
              eval_splits=eval_splits, sample=sample, log_prob=log_prob,
              encode=None if conditional else encode, predict=predict if conditional else None)
