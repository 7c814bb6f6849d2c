"""VAE-GAN (Larsen et al. 2016): a VAE whose decoder is also a GAN generator."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from genvdisc import objectives, optim
from genvdisc.data.datasets import Dataset
from genvdisc.tasks import shared
from genvdisc.tasks.base import Task
from genvdisc.tasks.gan import adversarial_parts

RECONSTRUCTIONS = ("feature", "pixel")


def vaegan_from_config(config, dataset: Dataset) -> Task:
  """VAE-GAN: encoder q(z|x), decoder = generator, discriminator D.

  One update: (1) a D step on `gan_discriminator_loss` with real x against both reconstructions
  x~ = Dec(z), z ~ q(z|x), and samples Dec(z_p), z_p ~ N(0, I) (each fake weighted 1/2);
  (2) an encoder + decoder step on `vaegan_loss` = alpha L_GAN + beta KL + L_rec against the
  updated D, where L_GAN is the generator loss on both fakes (z of the reconstructions under
  stop_gradient, so, as in the paper, the GAN term trains only the decoder) and L_rec is
  `feature_reconstruction_loss` in D's last hidden layer (config.reconstruction='feature', the
  paper's choice) or -log p(x|z) with a Bernoulli decoder ('pixel').
  params: {'encoder', 'decoder', 'discriminator'}; opt_state: {'vae', 'discriminator'}.
  """
  generator_loss, d_optimizer = adversarial_parts(config, dataset)
  nets = shared.networks(config, dataset.example_shape, encoder=True, discriminator=True)
  shared.require(config.reconstruction in RECONSTRUCTIONS, "reconstruction",
                 config.reconstruction, " or ".join(RECONSTRUCTIONS))
  shared.require(config.beta > 0, "beta", config.beta, "a value > 0, e.g. 1.0")
  shared.require(config.alpha >= 0, "alpha", config.alpha, "a value >= 0, e.g. 1.0")
  encoder, decoder, discriminator = nets.encoder, nets.decoder, nets.discriminator
  vae_optimizer = optim.from_config(config)
  latent = config.latent_dim
  vae_part = lambda params: {"encoder": params["encoder"], "decoder": params["decoder"]}
  pixels = lambda params, z: jax.nn.sigmoid(decoder.apply(params["decoder"], z))

  def init(key, x_example):
    k_enc, k_dec, k_dis = jax.random.split(key, 3)
    params = {"encoder": encoder.init(k_enc, x_example),
              "decoder": decoder.init(k_dec, jnp.zeros((1, latent))),
              "discriminator": discriminator.init(k_dis, x_example)}
    return params, {"vae": vae_optimizer.init(vae_part(params)),
                    "discriminator": d_optimizer.init(params["discriminator"])}

  def encode_sample(params, x, key):
    mean, logvar = encoder.apply(params["encoder"], x)
    return (shared.reparameterize(mean, logvar, key),
            objectives.gaussian_kl_to_standard(mean, logvar))

  def prior_samples(params, key, n):
    return pixels(params, jax.random.normal(key, (n, latent)))

  def d_loss_fn(d_params, x, recon, samples):
    real_logits, _ = discriminator.apply(d_params, x)
    return jnp.mean(sum(0.5 * objectives.gan_discriminator_loss(
        real_logits, discriminator.apply(d_params, fake)[0]) for fake in (recon, samples)))

  def vae_loss_fn(vae_params, d_params, x, k_z, k_p, alpha, beta):
    params = {**vae_params, "discriminator": d_params}
    z, kl = encode_sample(params, x, k_z)
    recon_logits = decoder.apply(params["decoder"], z)
    recon_for_gan = pixels(params, jax.lax.stop_gradient(z))
    samples = prior_samples(params, k_p, x.shape[0])
    gan_term = sum(0.5 * generator_loss(discriminator.apply(d_params, fake)[0])
                   for fake in (recon_for_gan, samples))
    if config.reconstruction == "feature":
      rec = objectives.feature_reconstruction_loss(
          discriminator.apply(d_params, x)[1],
          discriminator.apply(d_params, jax.nn.sigmoid(recon_logits))[1])
    else:
      rec = -objectives.bernoulli_log_likelihood(recon_logits, x)
    loss = jnp.mean(objectives.vaegan_loss(gan_term, kl, rec, alpha, beta))
    return loss, {"kl": jnp.mean(kl), "reconstruction": jnp.mean(rec), "g_loss": jnp.mean(gan_term)}

  def update(params, opt_state, batch, key, hparams):
    k_z, k_p = jax.random.split(key)
    x = batch["x"]
    z, _ = encode_sample(params, x, k_z)
    recon = pixels(params, z)
    samples = prior_samples(params, k_p, x.shape[0])
    d_loss, d_grads = jax.value_and_grad(d_loss_fn)(params["discriminator"], x, recon, samples)
    d_params, d_opt = optim.apply_gradients(params["discriminator"], opt_state["discriminator"],
                                            d_grads, d_optimizer, hparams)
    vae_params = vae_part(params)
    (vae_loss, metrics), grads = jax.value_and_grad(vae_loss_fn, has_aux=True)(
        vae_params, d_params, x, k_z, k_p, hparams["alpha"], hparams["beta"])
    vae_params, vae_opt = optim.apply_gradients(vae_params, opt_state["vae"], grads, vae_optimizer,
                                                hparams)
    metrics = {**metrics, "loss": vae_loss + d_loss, "vae_loss": vae_loss, "d_loss": d_loss}
    return ({**vae_params, "discriminator": d_params}, {"vae": vae_opt, "discriminator": d_opt},
            metrics)

  def eval_metrics(params, batch, key):
    x = batch["x"]
    z, kl = encode_sample(params, x, key)
    recon = pixels(params, z)
    return {"kl": kl, "pixel_mse": jnp.mean((recon - x).reshape(x.shape[0], -1) ** 2, axis=-1)}

  def sample(params, key, n, labels=None):
    del labels  # unconditional
    return prior_samples(params, key, n)

  def encode(params, x):
    return encoder.apply(params["encoder"], x)[0]

  def reconstruct(params, x):
    return pixels(params, encode(params, x))

  return Task(init=init, update=update, eval_metrics=eval_metrics, headline="classifier_fid",
              uses_conv=nets.uses_conv,
              images=shared.image_grids(config, sample, reconstruct), sample=sample, encode=encode)
