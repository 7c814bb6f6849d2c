"""Generative tasks on the engine: VAE / beta-VAE, IWAE, GAN (minimax or non-saturating), VAE-GAN,
and semi-supervised M2 (Kingma et al. 2014).

Each builder `(config, dataset) -> Task` checks its own fields (documented in
experiments/configs/generative.py) and raises a one-line `ConfigError`. The losses are the
formulas of `genvdisc.objectives.generative`; the networks come from
`models.GENERATIVE_MODELS[config.model]`. Images are [B, H, W, C] in [0, 1]; labels are unused.

Keys: the step key an `update` receives is split into named uses (binarisation, z samples, GAN
noise), so every step is a pure function of the state and the data, as for every task.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import optax

from genvdisc import objectives, semisupervised
from genvdisc.data import Dataset
from genvdisc.errors import ConfigError
from genvdisc.evaluate import frechet, judge as judge_lib
from genvdisc.evaluate.likelihood import importance_weighted_log_likelihood
from genvdisc.models.registry import build_generative, get_generative_family, get_model
from genvdisc.train import optim
from genvdisc.train.tasks import Task

LIKELIHOODS = ("bernoulli", "gaussian")
BINARIZATIONS = ("dynamic", "none")
RECONSTRUCTIONS = ("feature", "pixel")


def _require(condition: bool, field: str, value, valid: str) -> None:
  if not condition:
    raise ConfigError(f"config.{field}={value!r} is invalid; use {valid}")


def _check_images(config, dataset: Dataset) -> None:
  if dataset.kind != "image":
    raise ConfigError(f"config.task={config.task!r} needs an image dataset but {dataset.name!r} is "
                      f"{dataset.kind}; use e.g. --config.dataset=digits")


class Likelihood:
  """p(x|z) from decoder outputs: Bernoulli logits (C channels) or Gaussian mean and logvar (2 C)."""

  def __init__(self, kind: str, channels: int):
    self.kind, self.channels = kind, channels

  @property
  def out_per_pixel(self) -> int:
    return 1 if self.kind == "bernoulli" else 2

  def log_prob(self, outputs: jax.Array, x: jax.Array) -> jax.Array:
    if self.kind == "bernoulli":
      return objectives.bernoulli_log_likelihood(outputs, x)
    return objectives.gaussian_log_likelihood(x, outputs[..., :self.channels],
                                              outputs[..., self.channels:])

  def mean(self, outputs: jax.Array) -> jax.Array:
    """E[x|z], the picture of a decoded z."""
    if self.kind == "bernoulli":
      return jax.nn.sigmoid(outputs)
    return outputs[..., :self.channels]


def _standard_normal_log_density(z: jax.Array) -> jax.Array:
  """log N(z; 0, I) = -1/2 sum_j (log 2 pi + z_j^2). [..., L] -> [...]."""
  return -0.5 * jnp.sum(objectives.generative.LOG_2PI + z ** 2, axis=-1)


def _diagonal_normal_log_density(z, mean, logvar) -> jax.Array:
  """log N(z; mean, diag(exp(logvar))). [..., L] -> [...]."""
  return -0.5 * jnp.sum(objectives.generative.LOG_2PI + logvar
                        + (z - mean) ** 2 * jnp.exp(-logvar), axis=-1)


def _judge_metrics(config, dataset: Dataset, sample):
  """dataset_metrics(params, data, key) -> {classifier_fid, classifier_is} of `config.fid_samples`
  samples from `sample(params, key, n)` against the test split, or None without a judge."""
  if not config.get("judge", ""):
    return None
  judge = judge_lib.load(config.judge, config.dataset, config.judge_workdir)

  def dataset_metrics(params, data, key):
    _, real_features = judge.apply(data["x_test"])
    fake_logits, fake_features = judge.apply(sample(params, key, config.fid_samples))
    return {"classifier_fid": frechet.classifier_fid(real_features, fake_features),
            "classifier_is": frechet.classifier_inception_score(fake_logits)}

  return dataset_metrics


def _image_grids(config, sample, reconstruct=None):
  """images(params, data, key) -> {'samples': n samples, 'reconstructions': n/2 test images
  interleaved with their reconstructions}, n = config.image_grid; None when it is 0."""
  n = config.get("image_grid", 0)
  if not n:
    return None

  def images(params, data, key):
    out = {"samples": sample(params, key, n)}
    if reconstruct is not None:
      x = data["x_test"][:n // 2]
      pairs = jnp.stack([x, reconstruct(params, x, key)], axis=1)  # [n/2, 2, H, W, C]
      out["reconstructions"] = pairs.reshape(-1, *x.shape[1:])
    return out

  return images


# ----------------------------------------------------------------------------------- VAE / IWAE
def vae_from_config(config, dataset: Dataset) -> Task:
  """VAE trained on the ELBO (averaged over `train_samples` z) or, for config.task == 'iwae', on
  the IWAE bound with k = `train_samples`. Metrics: test/train `elbo` (beta = 1, one z, nats),
  `kl`, and `nll` = -(importance-weighted log p(x)) with `iw_samples` samples, in nats."""
  _check_images(config, dataset)
  family = get_generative_family(config.model)
  if family.encoder is None:
    raise ConfigError(f"config.model={config.model!r} has no encoder; use 'mlp' for a VAE")
  _require(config.likelihood in LIKELIHOODS, "likelihood", config.likelihood,
           " or ".join(LIKELIHOODS))
  _require(config.binarize in BINARIZATIONS, "binarize", config.binarize,
           " or ".join(BINARIZATIONS))
  _require(config.latent_dim >= 1, "latent_dim", config.latent_dim, "an integer >= 1, e.g. 16")
  _require(config.beta > 0, "beta", config.beta, "a value > 0, e.g. 1.0")
  _require(config.train_samples >= 1, "train_samples", config.train_samples, "an integer >= 1")
  _require(config.iw_chunk >= 1, "iw_chunk", config.iw_chunk, "an integer >= 1, e.g. 100")
  chunk = min(config.iw_chunk, config.iw_samples)
  _require(config.iw_samples >= 1 and config.iw_samples % chunk == 0, "iw_samples",
           config.iw_samples, f"a positive multiple of config.iw_chunk={config.iw_chunk}")
  eval_splits = tuple(config.eval_splits.split(","))
  _require(eval_splits in (("train", "test"), ("test",)), "eval_splits", config.eval_splits,
           "'train,test' or 'test'")
  binarize = config.likelihood == "bernoulli" and config.binarize == "dynamic"
  iwae = config.task == "iwae"
  likelihood = Likelihood(config.likelihood, dataset.example_shape[-1])
  out_shape = (*dataset.example_shape[:-1], dataset.example_shape[-1] * likelihood.out_per_pixel)
  kwargs = config.model_kwargs.to_dict()
  encoder = build_generative(family.encoder, config.model, config.latent_dim, **kwargs)
  decoder = build_generative(family.decoder, config.model, out_shape, **kwargs)
  optimizer = optim.from_config(config, config.learning_rate)
  latent = config.latent_dim

  def init(key, x_example):
    k_enc, k_dec = jax.random.split(key)
    params = {"encoder": encoder.init(k_enc, x_example),
              "decoder": decoder.init(k_dec, jnp.zeros((1, latent)))}
    return params, optimizer.init(params)

  def observe(x, key):
    """x ~ Bernoulli(pixels) with dynamic binarisation, else x itself."""
    return jax.random.bernoulli(key, x).astype(x.dtype) if binarize else x

  def decode_log_prob(params, z, x):
    """log p(x|z) for z [k, B, L] -> [k, B]."""
    k, b = z.shape[:2]
    outputs = decoder.apply(params["decoder"], z.reshape(k * b, latent))
    return likelihood.log_prob(outputs, jnp.tile(x, (k,) + (1,) * (x.ndim - 1))).reshape(k, b)

  def posterior_samples(mean, logvar, key, k):
    """z = mean + exp(logvar / 2) eps, eps ~ N(0, I): [k, B, L] (reparameterisation)."""
    return mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, (k, *mean.shape))

  def log_weights(params, x, mean, logvar, key, k):
    """log p(x, z) - log q(z|x) for k samples z ~ q(z|x): [k, B]."""
    z = posterior_samples(mean, logvar, key, k)
    return (decode_log_prob(params, z, x) + _standard_normal_log_density(z)
            - _diagonal_normal_log_density(z, mean, logvar))

  def loss_fn(params, x, key):
    mean, logvar = encoder.apply(params["encoder"], x)
    kl = objectives.gaussian_kl_to_standard(mean, logvar)
    if iwae:
      bound = objectives.importance_weighted_bound(
          log_weights(params, x, mean, logvar, key, config.train_samples))
    else:
      z = posterior_samples(mean, logvar, key, config.train_samples)
      bound = objectives.elbo(decode_log_prob(params, z, x).mean(0), kl, config.beta)
    loss = -jnp.mean(bound)
    return loss, {"loss": loss, "kl": jnp.mean(kl)}

  def update(params, opt_state, batch, key):
    k_bin, k_z = jax.random.split(key)
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, observe(batch["x"], k_bin), k_z)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, metrics

  def eval_metrics(params, batch, key):
    k_bin, k_z, k_iw = jax.random.split(key, 3)
    x = observe(batch["x"], k_bin)
    mean, logvar = encoder.apply(params["encoder"], x)
    kl = objectives.gaussian_kl_to_standard(mean, logvar)
    z = posterior_samples(mean, logvar, k_z, 1)
    log_px = importance_weighted_log_likelihood(
        lambda k, c: log_weights(params, x, mean, logvar, k, c), k_iw, config.iw_samples,
        config.iw_chunk)
    return {"elbo": objectives.elbo(decode_log_prob(params, z, x)[0], kl), "kl": kl,
            "nll": -log_px}

  def sample(params, key, n):
    z = jax.random.normal(key, (n, latent))
    return likelihood.mean(decoder.apply(params["decoder"], z))

  def reconstruct(params, x, key):
    mean, _ = encoder.apply(params["encoder"], x)
    return likelihood.mean(decoder.apply(params["decoder"], mean))

  return Task(init=init, update=update, eval_metrics=eval_metrics, uses_conv=family.uses_conv,
              dataset_metrics=_judge_metrics(config, dataset, sample),
              images=_image_grids(config, sample, reconstruct), eval_splits=eval_splits)


def posterior_means(config, params, x: jax.Array) -> jax.Array:
  """E_q[z|x] of a trained VAE (config.task vae/iwae, its `params`): M1's features. [B, L]."""
  family = get_generative_family(config.model)
  encoder = build_generative(family.encoder, config.model, config.latent_dim,
                             **config.model_kwargs.to_dict())
  return encoder.apply(params["encoder"], x)[0]


# ------------------------------------------------------------------------------------------ GAN
def _gan_parts(config, dataset: Dataset):
  """Checks the GAN fields; returns (family, generator loss, D optimizer)."""
  _check_images(config, dataset)
  family = get_generative_family(config.model)
  _require(config.generator_loss in objectives.GENERATOR_LOSSES, "generator_loss",
           config.generator_loss, " or ".join(objectives.GENERATOR_LOSSES))
  _require(config.latent_dim >= 1, "latent_dim", config.latent_dim, "an integer >= 1, e.g. 16")
  d_learning_rate = config.discriminator_learning_rate
  d_optimizer = optim.from_config(
      config, d_learning_rate if d_learning_rate > 0 else config.learning_rate)
  return family, objectives.GENERATOR_LOSSES[config.generator_loss], d_optimizer


def gan_from_config(config, dataset: Dataset) -> Task:
  """GAN: G(z) = sigmoid(generator(z)), z ~ N(0, I); one update = a D step on
  `gan_discriminator_loss`, then a G step on the generator loss against the updated D.

  params and opt_state: {'generator': ..., 'discriminator': ...}. Metrics: `d_real` = D(x) on
  real data per split; with a judge, `classifier_fid` / `classifier_is` of fid_samples samples.
  """
  family, generator_loss, d_optimizer = _gan_parts(config, dataset)
  kwargs = config.model_kwargs.to_dict()
  generator = build_generative(family.decoder, config.model, dataset.example_shape, **kwargs)
  discriminator = build_generative(family.discriminator, config.model, **kwargs)
  g_optimizer = optim.from_config(config, config.learning_rate)
  latent = config.latent_dim

  def generate(g_params, z):
    return jax.nn.sigmoid(generator.apply(g_params, z))

  def init(key, x_example):
    k_g, k_d = jax.random.split(key)
    params = {"generator": generator.init(k_g, jnp.zeros((1, latent))),
              "discriminator": discriminator.init(k_d, x_example)}
    return params, {"generator": g_optimizer.init(params["generator"]),
                    "discriminator": d_optimizer.init(params["discriminator"])}

  def d_loss_fn(d_params, real, fake):
    real_logits, _ = discriminator.apply(d_params, real)
    fake_logits, _ = discriminator.apply(d_params, fake)
    return jnp.mean(objectives.gan_discriminator_loss(real_logits, fake_logits))

  def g_loss_fn(g_params, d_params, z):
    fake_logits, _ = discriminator.apply(d_params, generate(g_params, z))
    return jnp.mean(generator_loss(fake_logits))

  def update(params, opt_state, batch, key):
    k_d, k_g = jax.random.split(key)
    x = batch["x"]
    fake = generate(params["generator"], jax.random.normal(k_d, (x.shape[0], latent)))
    d_loss, d_grads = jax.value_and_grad(d_loss_fn)(params["discriminator"], x, fake)
    d_updates, d_opt = d_optimizer.update(d_grads, opt_state["discriminator"],
                                          params["discriminator"])
    d_params = optax.apply_updates(params["discriminator"], d_updates)
    g_loss, g_grads = jax.value_and_grad(g_loss_fn)(
        params["generator"], d_params, jax.random.normal(k_g, (x.shape[0], latent)))
    g_updates, g_opt = g_optimizer.update(g_grads, opt_state["generator"], params["generator"])
    params = {"generator": optax.apply_updates(params["generator"], g_updates),
              "discriminator": d_params}
    return (params, {"generator": g_opt, "discriminator": d_opt},
            {"loss": d_loss + g_loss, "d_loss": d_loss, "g_loss": g_loss})

  def eval_metrics(params, batch, key):
    del key
    real_logits, _ = discriminator.apply(params["discriminator"], batch["x"])
    return {"d_real": jax.nn.sigmoid(real_logits)}

  def sample(params, key, n):
    return generate(params["generator"], jax.random.normal(key, (n, latent)))

  return Task(init=init, update=update, eval_metrics=eval_metrics, uses_conv=family.uses_conv,
              dataset_metrics=_judge_metrics(config, dataset, sample),
              images=_image_grids(config, sample))


# -------------------------------------------------------------------------------------- VAE-GAN
def vaegan_from_config(config, dataset: Dataset) -> Task:
  """VAE-GAN (Larsen et al. 2016): encoder q(z|x), decoder = generator, discriminator D.

  One update: (1) a D step on `gan_discriminator_loss` with real x against both reconstructions
  x~ = Dec(z), z ~ q(z|x), and samples Dec(z_p), z_p ~ N(0, I) (each fake weighted 1/2);
  (2) an encoder + decoder step on `vaegan_loss` = alpha L_GAN + beta KL + L_rec against the
  updated D, where L_GAN is the generator loss on both fakes (z of the reconstructions under
  stop_gradient, so, as in the paper, the GAN term trains only the decoder) and L_rec is
  `feature_reconstruction_loss` in D's last hidden layer (config.reconstruction='feature', the
  paper's choice) or -log p(x|z) with a Bernoulli decoder ('pixel').
  params: {'encoder', 'decoder', 'discriminator'}; opt_state: {'vae', 'discriminator'}.
  """
  family, generator_loss, d_optimizer = _gan_parts(config, dataset)
  if family.encoder is None:
    raise ConfigError(f"config.model={config.model!r} has no encoder; use 'mlp' for a VAE-GAN")
  _require(config.reconstruction in RECONSTRUCTIONS, "reconstruction", config.reconstruction,
           " or ".join(RECONSTRUCTIONS))
  _require(config.beta > 0, "beta", config.beta, "a value > 0, e.g. 1.0")
  _require(config.alpha >= 0, "alpha", config.alpha, "a value >= 0, e.g. 1.0")
  kwargs = config.model_kwargs.to_dict()
  encoder = build_generative(family.encoder, config.model, config.latent_dim, **kwargs)
  decoder = build_generative(family.decoder, config.model, dataset.example_shape, **kwargs)
  discriminator = build_generative(family.discriminator, config.model, **kwargs)
  vae_optimizer = optim.from_config(config, config.learning_rate)
  latent = config.latent_dim

  def init(key, x_example):
    k_enc, k_dec, k_dis = jax.random.split(key, 3)
    params = {"encoder": encoder.init(k_enc, x_example),
              "decoder": decoder.init(k_dec, jnp.zeros((1, latent))),
              "discriminator": discriminator.init(k_dis, x_example)}
    return params, {"vae": vae_optimizer.init(_vae_part(params)),
                    "discriminator": d_optimizer.init(params["discriminator"])}

  def encode_sample(params, x, key):
    mean, logvar = encoder.apply(params["encoder"], x)
    z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, mean.shape)
    return z, objectives.gaussian_kl_to_standard(mean, logvar)

  def d_loss_fn(d_params, x, recon, samples):
    real_logits, _ = discriminator.apply(d_params, x)
    return jnp.mean(sum(0.5 * objectives.gan_discriminator_loss(
        real_logits, discriminator.apply(d_params, fake)[0]) for fake in (recon, samples)))

  def vae_loss_fn(vae_params, d_params, x, k_z, k_p):
    params = {**vae_params, "discriminator": d_params}
    z, kl = encode_sample(params, x, k_z)
    recon_logits = decoder.apply(params["decoder"], z)
    recon_for_gan = jax.nn.sigmoid(decoder.apply(params["decoder"], jax.lax.stop_gradient(z)))
    samples = jax.nn.sigmoid(decoder.apply(params["decoder"],
                                           jax.random.normal(k_p, (x.shape[0], latent))))
    gan_term = sum(0.5 * generator_loss(discriminator.apply(d_params, fake)[0])
                   for fake in (recon_for_gan, samples))
    if config.reconstruction == "feature":
      rec = objectives.feature_reconstruction_loss(
          discriminator.apply(d_params, x)[1],
          discriminator.apply(d_params, jax.nn.sigmoid(recon_logits))[1])
    else:
      rec = -objectives.bernoulli_log_likelihood(recon_logits, x)
    loss = jnp.mean(objectives.vaegan_loss(gan_term, kl, rec, config.alpha, config.beta))
    return loss, {"kl": jnp.mean(kl), "reconstruction": jnp.mean(rec), "g_loss": jnp.mean(gan_term)}

  def update(params, opt_state, batch, key):
    k_z, k_p = jax.random.split(key)
    x = batch["x"]
    z, _ = encode_sample(params, x, k_z)
    recon = jax.nn.sigmoid(decoder.apply(params["decoder"], z))
    samples = jax.nn.sigmoid(decoder.apply(params["decoder"],
                                           jax.random.normal(k_p, (x.shape[0], latent))))
    d_loss, d_grads = jax.value_and_grad(d_loss_fn)(params["discriminator"], x, recon, samples)
    d_updates, d_opt = d_optimizer.update(d_grads, opt_state["discriminator"],
                                          params["discriminator"])
    d_params = optax.apply_updates(params["discriminator"], d_updates)
    vae_params = _vae_part(params)
    (vae_loss, metrics), grads = jax.value_and_grad(vae_loss_fn, has_aux=True)(
        vae_params, d_params, x, k_z, k_p)
    updates, vae_opt = vae_optimizer.update(grads, opt_state["vae"], vae_params)
    params = {**optax.apply_updates(vae_params, updates), "discriminator": d_params}
    metrics = {**metrics, "loss": vae_loss + d_loss, "vae_loss": vae_loss, "d_loss": d_loss}
    return params, {"vae": vae_opt, "discriminator": d_opt}, metrics

  def eval_metrics(params, batch, key):
    x = batch["x"]
    z, kl = encode_sample(params, x, key)
    recon = jax.nn.sigmoid(decoder.apply(params["decoder"], z))
    return {"kl": kl, "pixel_mse": jnp.mean((recon - x).reshape(x.shape[0], -1) ** 2, axis=-1)}

  def sample(params, key, n):
    return jax.nn.sigmoid(decoder.apply(params["decoder"], jax.random.normal(key, (n, latent))))

  def reconstruct(params, x, key):
    mean, _ = encoder.apply(params["encoder"], x)
    return jax.nn.sigmoid(decoder.apply(params["decoder"], mean))

  return Task(init=init, update=update, eval_metrics=eval_metrics, uses_conv=family.uses_conv,
              dataset_metrics=_judge_metrics(config, dataset, sample),
              images=_image_grids(config, sample, reconstruct))


def _vae_part(params) -> dict[str, Any]:
  return {"encoder": params["encoder"], "decoder": params["decoder"]}


TASKS = {
    "vae": vae_from_config,
    "iwae": vae_from_config,
    "gan": gan_from_config,
    "vaegan": vaegan_from_config,
}


# ------------------------------------------------------------------------------------------- M2
class M2(NamedTuple):
  """M2's networks (Kingma et al. 2014) as pure functions of params {'classifier', 'encoder',
  'decoder'}: q(y|x) an MLP on x, q(z|x,y) an encoder on [x, onehot(y)], p(x|y,z) a decoder on
  [z, onehot(y)]."""
  init: Callable[[jax.Array, jax.Array], dict]
  class_logits: Callable[[dict, jax.Array], jax.Array]              # (params, x) -> [B, K]
  labelled_bound: Callable[[dict, jax.Array, jax.Array, jax.Array], jax.Array]  # -L(x, y): [B]
  generate: Callable[[dict, jax.Array, jax.Array], jax.Array]      # (params, key, y) -> E[x|y,z]


def m2_networks(config, dataset: Dataset) -> M2:
  """M2 for config.model ('mlp'), latent_dim, likelihood, model_kwargs and
  classifier_hidden_sizes, on `dataset` (images or tabular features, e.g. M1's latents)."""
  family = get_generative_family(config.model)
  if family.encoder is None:
    raise ConfigError(f"config.model={config.model!r} has no encoder; use 'mlp' for M2")
  _require(config.likelihood in LIKELIHOODS, "likelihood", config.likelihood,
           " or ".join(LIKELIHOODS))
  _require(config.latent_dim >= 1, "latent_dim", config.latent_dim, "an integer >= 1, e.g. 16")
  num_classes, latent = dataset.num_classes, config.latent_dim
  likelihood = Likelihood(config.likelihood, dataset.example_shape[-1])
  out_shape = (*dataset.example_shape[:-1], dataset.example_shape[-1] * likelihood.out_per_pixel)
  kwargs = config.model_kwargs.to_dict()
  encoder = build_generative(family.encoder, config.model, latent, **kwargs)
  decoder = build_generative(family.decoder, config.model, out_shape, **kwargs)
  classifier = get_model("mlp", num_classes, hidden_sizes=tuple(config.classifier_hidden_sizes))
  with_label = lambda a, y: jnp.concatenate(
      [a.reshape(a.shape[0], -1), jax.nn.one_hot(y, num_classes, dtype=a.dtype)], axis=-1)

  def init(key, x_example):
    k_cls, k_enc, k_dec = jax.random.split(key, 3)
    y = jnp.zeros((x_example.shape[0],), jnp.int32)
    return {"classifier": classifier.init(k_cls, x_example),
            "encoder": encoder.init(k_enc, with_label(x_example, y)),
            "decoder": decoder.init(k_dec, with_label(jnp.zeros((x_example.shape[0], latent)), y))}

  def labelled_bound(params, x, y, key):
    mean, logvar = encoder.apply(params["encoder"], with_label(x, y))
    z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, mean.shape)
    log_px = likelihood.log_prob(decoder.apply(params["decoder"], with_label(z, y)), x)
    return objectives.m2_labelled_bound(log_px, -jnp.log(num_classes),
                                        objectives.gaussian_kl_to_standard(mean, logvar))

  def generate(params, key, y):
    z = jax.random.normal(key, (y.shape[0], latent))
    return likelihood.mean(decoder.apply(params["decoder"], with_label(z, y)))

  return M2(init=init, class_logits=lambda params, x: classifier.apply(params["classifier"], x),
            labelled_bound=labelled_bound, generate=generate)


def m2_from_config(config, dataset: Dataset) -> Task:
  """Semi-supervised M2 (Kingma et al. 2014): each seed keeps the labels of `num_labels` training
  examples (`semisupervised.labelled_subset` of its run key, n / K per class) and uses every
  training image unlabelled. Minimises `objectives.m2_loss` on a batch of `batch_size` images
  from the whole training split (the unlabelled term) and one of `labelled_batch_size` of the
  seed's labelled examples per step, classifier_weight = alpha / N. Dynamic binarisation feeds
  the Bernoulli decoder; q(y|x) sees x itself. Metrics (test split): `accuracy` and
  `class_loss` of q(y|x), `bound` = -U(x) in nats."""
  m2 = m2_networks(config, dataset)
  num_labels = config.num_labels
  semisupervised.check_num_labels(dataset.y_train, dataset.num_classes, num_labels)
  _require(config.labelled_batch_size >= 1, "labelled_batch_size", config.labelled_batch_size,
           "an integer >= 1, e.g. 50")
  _require(config.classifier_weight >= 0, "classifier_weight", config.classifier_weight,
           "a value >= 0 (alpha / N; the paper's 0.1)")
  binarize = config.likelihood == "bernoulli" and config.binarize == "dynamic"
  num_classes, labelled_fraction = dataset.num_classes, num_labels / dataset.num_train
  optimizer = optim.from_config(config, config.learning_rate)

  def init(key, x_example):
    params = m2.init(key, x_example)
    return params, optimizer.init(params)

  def observe(x, key):
    return jax.random.bernoulli(key, x).astype(x.dtype) if binarize else x

  def bounds_per_class(params, x, key):
    """-L(x, y) for all K classes at once (x tiled K times): [B, K]."""
    b = x.shape[0]
    ys = jnp.repeat(jnp.arange(num_classes), b)
    x_tiled = jnp.tile(x, (num_classes,) + (1,) * (x.ndim - 1))
    return m2.labelled_bound(params, x_tiled, ys, key).reshape(num_classes, b).T

  def loss_fn(params, batch, key):
    k_bin_l, k_bin_u, k_l, k_u = jax.random.split(key, 4)
    x_l, y_l = batch["x_labelled"], batch["y_labelled"]
    labelled = m2.labelled_bound(params, observe(x_l, k_bin_l), y_l, k_l)
    unlabelled = objectives.m2_unlabelled_bound(
        bounds_per_class(params, observe(batch["x"], k_bin_u), k_u),
        m2.class_logits(params, batch["x"]))
    log_q = jnp.take_along_axis(jax.nn.log_softmax(m2.class_logits(params, x_l)), y_l[:, None],
                                axis=1)[:, 0]
    loss = objectives.m2_loss(labelled, unlabelled, log_q, labelled_fraction,
                              config.classifier_weight)
    return loss, {"loss": loss, "labelled_bound": jnp.mean(labelled),
                  "unlabelled_bound": jnp.mean(unlabelled), "class_loss": -jnp.mean(log_q)}

  def update(params, opt_state, batch, key):
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, batch, key)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, metrics

  def sample_batch(data, run_key, key, batch_size):
    """`batch_size` images i.i.d. from the whole training split, `labelled_batch_size` from the
    seed's labelled examples (both with replacement)."""
    k_u, k_l = jax.random.split(key)
    labelled = semisupervised.labelled_subset(run_key, data["y_train"], num_classes, num_labels)
    u = jax.random.randint(k_u, (batch_size,), 0, data["x_train"].shape[0])
    l = labelled[jax.random.randint(k_l, (config.labelled_batch_size,), 0, num_labels)]
    return {"x": data["x_train"][u], "y": data["y_train"][u],
            "x_labelled": data["x_train"][l], "y_labelled": data["y_train"][l]}

  def eval_metrics(params, batch, key):
    k_bin, k_z = jax.random.split(key)
    logits = m2.class_logits(params, batch["x"])
    bound = objectives.m2_unlabelled_bound(
        bounds_per_class(params, observe(batch["x"], k_bin), k_z), logits)
    return {"accuracy": objectives.accuracy(logits, batch["y"]),
            "class_loss": objectives.softmax_cross_entropy(logits, batch["y"]), "bound": bound}

  return Task(init=init, update=update, eval_metrics=eval_metrics, eval_splits=("test",),
              sample_batch=sample_batch)


TASKS["m2"] = m2_from_config
