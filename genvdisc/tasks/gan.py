"""GAN (Goodfellow et al. 2014), minimax or non-saturating generator loss, on images."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from genvdisc import objectives, optim
from genvdisc.data.datasets import Dataset
from genvdisc.tasks import shared
from genvdisc.tasks.base import Task


def adversarial_parts(config, dataset: Dataset):
  """Checks the fields a GAN and a VAE-GAN share; returns (generator loss, D optimizer)."""
  shared.check_images(config, dataset)
  shared.require(config.generator_loss in objectives.GENERATOR_LOSSES, "generator_loss",
                 config.generator_loss, " or ".join(objectives.GENERATOR_LOSSES))
  d_optimizer = optim.from_config(config, "discriminator_learning_rate")
  return objectives.GENERATOR_LOSSES[config.generator_loss], d_optimizer


def gan_from_config(config, dataset: Dataset) -> Task:
  """GAN: G(z) = sigmoid(generator(z)), z ~ N(0, I); one update = a D step on
  `gan_discriminator_loss`, then a G step on the generator loss against the updated D.

  params and opt_state: {'generator': ..., 'discriminator': ...}. Metrics: `d_real` = D(x) on
  real data per split. Sample quality (classifier-FID/IS) is the caller's judge's business.
  """
  generator_loss, d_optimizer = adversarial_parts(config, dataset)
  nets = shared.networks(config, dataset.example_shape, discriminator=True)
  generator, discriminator, latent = nets.decoder, nets.discriminator, config.latent_dim
  g_optimizer = optim.from_config(config)

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

  def update(params, opt_state, batch, key, hparams):
    k_d, k_g = jax.random.split(key)
    x = batch["x"]
    fake = generate(params["generator"], jax.random.normal(k_d, (x.shape[0], latent)))
    d_loss, d_grads = jax.value_and_grad(d_loss_fn)(params["discriminator"], x, fake)
    d_params, d_opt = optim.apply_gradients(params["discriminator"], opt_state["discriminator"],
                                            d_grads, d_optimizer, hparams)
    g_loss, g_grads = jax.value_and_grad(g_loss_fn)(
        params["generator"], d_params, jax.random.normal(k_g, (x.shape[0], latent)))
    g_params, g_opt = optim.apply_gradients(params["generator"], opt_state["generator"], g_grads,
                                            g_optimizer, hparams)
    return ({"generator": g_params, "discriminator": d_params},
            {"generator": g_opt, "discriminator": d_opt},
            {"loss": d_loss + g_loss, "d_loss": d_loss, "g_loss": g_loss})

  def eval_metrics(params, batch, key):
    del key
    real_logits, _ = discriminator.apply(params["discriminator"], batch["x"])
    return {"d_real": jax.nn.sigmoid(real_logits)}

  def sample(params, key, n, labels=None):
    del labels  # unconditional
    return generate(params["generator"], jax.random.normal(key, (n, latent)))

  return Task(init=init, update=update, eval_metrics=eval_metrics, headline="classifier_fid",
              uses_conv=nets.uses_conv, images=shared.image_grids(config, sample), sample=sample)
