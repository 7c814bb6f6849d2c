"""Pieces the generative tasks share: config checks, likelihoods, densities, reparameterisation,
dynamic binarisation, their networks and picture grids."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from genvdisc import objectives
from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.models.registry import Model, build_generative, get_generative_family

LIKELIHOODS = ("bernoulli", "gaussian")
BINARIZATIONS = ("dynamic", "none")


def require(condition: bool, field: str, value, valid: str) -> None:
  """A one-line `ConfigError` naming config.<field> and a valid value unless `condition`."""
  if not condition:
    raise ConfigError(f"config.{field}={value!r} is invalid; use {valid}")


def check_images(config, dataset: Dataset) -> None:
  if dataset.kind != "image":
    raise ConfigError(f"config.task={config.task!r} needs an image dataset but {dataset.name!r} is "
                      f"{dataset.kind}; use e.g. --config.dataset=digits")


class Likelihood:
  """p(x|z) from decoder outputs: Bernoulli logits (C channels) or Gaussian mean and logvar (2 C)."""

  def __init__(self, kind: str, channels: int):
    self.kind, self.channels = kind, channels

  @classmethod
  def from_config(cls, config, dataset: Dataset) -> "Likelihood":
    require(config.likelihood in LIKELIHOODS, "likelihood", config.likelihood,
            " or ".join(LIKELIHOODS))
    return cls(config.likelihood, dataset.example_shape[-1])

  def output_shape(self, example_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The decoder's output shape for examples of `example_shape`."""
    per_pixel = 1 if self.kind == "bernoulli" else 2
    return (*example_shape[:-1], example_shape[-1] * per_pixel)

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


def binarizer(config):
  """observe(x, key): x ~ Bernoulli(pixels) with a Bernoulli likelihood and dynamic binarisation
  (Burda et al.), else x itself."""
  require(config.binarize in BINARIZATIONS, "binarize", config.binarize, " or ".join(BINARIZATIONS))
  dynamic = config.likelihood == "bernoulli" and config.binarize == "dynamic"
  return lambda x, key: jax.random.bernoulli(key, x).astype(x.dtype) if dynamic else x


def reparameterize(mean: jax.Array, logvar: jax.Array, key: jax.Array,
                   k: int | None = None) -> jax.Array:
  """z = mean + exp(logvar / 2) eps, eps ~ N(0, I): shaped like mean, or [k, *mean.shape]."""
  shape = mean.shape if k is None else (k, *mean.shape)
  return mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, shape)


def standard_normal_log_density(z: jax.Array) -> jax.Array:
  """log N(z; 0, I) = -1/2 sum_j (log 2 pi + z_j^2). [..., L] -> [...]."""
  return -0.5 * jnp.sum(objectives.generative.LOG_2PI + z ** 2, axis=-1)


def diagonal_normal_log_density(z, mean, logvar) -> jax.Array:
  """log N(z; mean, diag(exp(logvar))). [..., L] -> [...]."""
  return -0.5 * jnp.sum(objectives.generative.LOG_2PI + logvar
                        + (z - mean) ** 2 * jnp.exp(-logvar), axis=-1)


class Networks(NamedTuple):
  decoder: Model
  encoder: Model | None
  discriminator: Model | None
  uses_conv: bool


def networks(config, decoder_shape: tuple[int, ...], *, encoder: bool = False,
             discriminator: bool = False) -> Networks:
  """The networks of `models.GENERATIVE_MODELS[config.model]` with config.model_kwargs: a decoder
  (generator) from config.latent_dim to `decoder_shape`, and on request an encoder x -> (mean,
  logvar) of z and a discriminator x -> (logit, features)."""
  family = get_generative_family(config.model)
  if encoder and family.encoder is None:
    raise ConfigError(f"config.model={config.model!r} has no encoder; use 'mlp' for "
                      f"config.task={config.task!r}")
  require(config.latent_dim >= 1, "latent_dim", config.latent_dim, "an integer >= 1, e.g. 16")
  kwargs = config.model_kwargs.to_dict()
  build = lambda fn, *args: build_generative(fn, config.model, *args, **kwargs)
  return Networks(decoder=build(family.decoder, decoder_shape),
                  encoder=build(family.encoder, config.latent_dim) if encoder else None,
                  discriminator=build(family.discriminator) if discriminator else None,
                  uses_conv=family.uses_conv)


def image_grids(config, sample, reconstruct=None):
  """images(params, data, key) -> {'samples': n samples, 'reconstructions': n/2 test images
  interleaved with their reconstructions}, n = config.image_grid; None when it is 0."""
  n = config.get("image_grid", 0)
  if not n:
    return None

  def images(params, data, key):
    out = {"samples": sample(params, key, n)}
    if reconstruct is not None:
      x = data["x_test"][:n // 2]
      pairs = jnp.stack([x, reconstruct(params, x)], axis=1)  # [n/2, 2, H, W, C]
      out["reconstructions"] = pairs.reshape(-1, *x.shape[1:])
    return out

  return images
