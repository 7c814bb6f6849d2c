"""Pieces the generative tasks share: config checks, likelihoods (of binary, continuous or K-level
data), densities, reparameterisation, dynamic binarisation and uniform dequantisation, labels as
network inputs, their networks and picture grids."""

from __future__ import annotations

import dataclasses
import math
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc import objectives
from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.models.registry import Model, build_generative, lookup

LIKELIHOODS = ("bernoulli", "gaussian", "categorical", "discretized_logistic")
BINARIZATIONS = ("dynamic", "none")
DEQUANTIZATIONS = ("none", "uniform")
ON_LEVELS = ("categorical", "discretized_logistic")   # models of values at K levels k / (K - 1)


def require(condition: bool, field: str, value, valid: str) -> None:
  """A one-line `ConfigError` naming config.<field> and a valid value unless `condition`."""
  if not condition:
    raise ConfigError(f"config.{field}={value!r} is invalid; use {valid}")


def check_images(config, dataset: Dataset) -> None:
  if dataset.kind != "image":
    raise ConfigError(f"config.task={config.task!r} needs an image dataset but {dataset.name!r} is "
                      f"{dataset.kind}; use e.g. --config.dataset=digits")


def on_levels(x: np.ndarray, num_levels: int) -> bool:
  """Whether every value of x is k / (K - 1), k an integer in 0..K-1 (to 1e-3 of the spacing)."""
  scaled = np.asarray(x, np.float64) * (num_levels - 1)
  return bool(np.all((np.abs(scaled - np.round(scaled)) < 1e-3) & (scaled > -0.5)
                     & (scaled < num_levels - 0.5)))


def _levels_hint(arrays: list[np.ndarray], name: str) -> str:
  """The 'use ...' text of a levels error: the smallest K <= 256 that the data fit."""
  fits = (k for k in range(2, 257) if all(on_levels(a[:100], k) for a in arrays)
          and all(on_levels(a, k) for a in arrays))
  k = next(fits, None)
  return (f"{k}, the levels k/{k - 1} of dataset {name!r}" if k else
          f"config.likelihood='gaussian': dataset {name!r} is not on K <= 256 levels k/(K - 1)")


def _data_arrays(dataset: Dataset) -> list[np.ndarray]:
  """The splits held in memory (a streamed training split is not read for a check)."""
  return [a for a in (dataset.x_train, dataset.x_test) if isinstance(a, np.ndarray)]


def binarize(x: jax.Array, key: jax.Array) -> jax.Array:
  """Dynamic binarisation (Burda et al.): x ~ Bernoulli(pixels), drawn anew at every use."""
  return jax.random.bernoulli(key, x).astype(x.dtype)


def dequantize(x: jax.Array, key: jax.Array, bin_width: float) -> jax.Array:
  """y = x + (u - 1/2) w, u ~ U[0, 1) per value: uniform over the bin of width w centred on x."""
  return x + (jax.random.uniform(key, x.shape, x.dtype) - 0.5) * bin_width


def _dynamic_binarization(config) -> bool:
  require(config.binarize in BINARIZATIONS, "binarize", config.binarize, " or ".join(BINARIZATIONS))
  return config.likelihood == "bernoulli" and config.binarize == "dynamic"


class Likelihood:
  """p(x|z) from decoder outputs, per value of C-channel data (the outputs stacked on channels):

  | kind | outputs per value | p(x_d|z) |
  |---|---|---|
  | bernoulli | logit l | Bernoulli(sigmoid(l)) of x in {0, 1}; with dynamic binarisation, of
  |   |   | the binarised data (x ~ Bernoulli(pixels) at every use), not of the pixels |
  | gaussian | mean, logvar | N(mean, exp(logvar)), a density; dequantised: the density of
  |   |   | y = x + (u - 1/2) w (u ~ U[0, 1) at every use, training and evaluation, w = 1/(K - 1))
  |   |   | plus D log w, so it bounds log P(x) of the data at K levels (Theis et al. 2016) |
  | categorical | K logits | softmax over the K levels k / (K - 1) of x in [0, 1] |
  | discretized_logistic | mean, log scale | a logistic on 2x - 1 in [-1, 1] integrated over the
  |   |   | bin of x's level, width 2/(K - 1), the outer two open (Salimans et al. 2017) |

  `log_prob` is a log-probability in nats (`discrete`) for every kind but a plain Gaussian.
  """

  def __init__(self, kind: str, example_shape: tuple[int, ...], levels: int = 0,
               dynamic_binarization: bool = False, dequantized: bool = False):
    self.kind, self.example_shape, self.levels = kind, tuple(example_shape), levels
    self.channels = self.example_shape[-1]
    self.dynamic_binarization, self.dequantized = dynamic_binarization, dequantized

  @classmethod
  def from_config(cls, config, dataset: Dataset) -> "Likelihood":
    """config.likelihood, binarize, dequantize and levels for `dataset`, checked against its
    values: Bernoulli needs binary data or dynamic binarisation; a likelihood of levels (and
    dequantisation) needs data on config.levels levels."""
    kind = config.likelihood
    require(kind in LIKELIHOODS, "likelihood", kind, " or ".join(LIKELIHOODS))
    dynamic = _dynamic_binarization(config)
    arrays = _data_arrays(dataset)
    require(kind != "bernoulli" or dynamic or all(on_levels(a, 2) for a in arrays), "likelihood",
            kind, f"a likelihood of the levels of dataset {dataset.name!r}, which is not binary, "
            "e.g. 'categorical', or --config.binarize=dynamic (then of the binarised data)")
    dequantization = config.dequantize
    require(dequantization in DEQUANTIZATIONS, "dequantize", dequantization,
            " or ".join(DEQUANTIZATIONS))
    require(dequantization == "none" or kind == "gaussian", "dequantize", dequantization,
            f"'none' with config.likelihood={kind!r}; only a Gaussian density is dequantised")
    levels = 0
    if kind in ON_LEVELS or dequantization == "uniform":
      levels = config.levels
      require(isinstance(levels, int) and levels >= 2, "levels", levels,
              "an integer >= 2, e.g. 17 for digits")
      require(all(on_levels(a, levels) for a in arrays), "levels", levels,
              _levels_hint(arrays, dataset.name))
    return cls(kind, dataset.example_shape, levels, dynamic, dequantization == "uniform")

  @property
  def discrete(self) -> bool:
    """Whether `log_prob` is a log-probability (or its dequantisation bound), not a density."""
    return self.kind != "gaussian" or self.dequantized

  @property
  def bin_width(self) -> float:
    """w = 1 / (K - 1): the spacing of the levels k / (K - 1)."""
    return 1.0 / (self.levels - 1)

  def output_shape(self, example_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The decoder's output shape for examples of `example_shape`."""
    per_value = {"bernoulli": 1, "categorical": self.levels}.get(self.kind, 2)
    return (*example_shape[:-1], example_shape[-1] * per_value)

  def observe(self, x: jax.Array, key: jax.Array) -> jax.Array:
    """The data the likelihood is of: binarised or dequantised x (a fresh draw from `key`), else x."""
    if self.dynamic_binarization:
      return binarize(x, key)
    if self.dequantized:
      return dequantize(x, key, self.bin_width)
    return x

  def log_prob(self, outputs: jax.Array, x: jax.Array) -> jax.Array:
    """log p(x|z) [B] of observed data x [B, ...] (`observe`), in nats."""
    if self.kind == "bernoulli":
      return objectives.bernoulli_log_likelihood(outputs, x)
    if self.kind == "categorical":
      levels = jnp.round(x * (self.levels - 1)).astype(jnp.int32)
      return objectives.generative.categorical_log_likelihood(
          outputs.reshape(*x.shape, self.levels), levels)
    first, second = outputs[..., :self.channels], outputs[..., self.channels:]
    if self.kind == "discretized_logistic":
      return objectives.generative.discretized_logistic_log_likelihood(2.0 * x - 1.0, first,
                                                                       second, self.levels)
    log_density = objectives.gaussian_log_likelihood(x, first, second)
    if not self.dequantized:
      return log_density
    return objectives.generative.dequantized_log_likelihood_bound(
        log_density, self.bin_width, math.prod(self.example_shape))

  def level_log_probs(self, outputs: jax.Array) -> jax.Array:
    """log P(x_d = k / (K - 1)) of every level k: [B, ..., C, K] (likelihoods of levels only)."""
    if self.kind == "categorical":
      return jax.nn.log_softmax(outputs.reshape(*outputs.shape[:-1], self.channels, self.levels))
    values = jnp.linspace(-1.0, 1.0, self.levels)
    mean, log_scale = (a[..., None] for a in (outputs[..., :self.channels],
                                              outputs[..., self.channels:]))
    return objectives.generative.discretized_logistic_log_mass(values, mean, log_scale,
                                                               self.levels)

  def mean(self, outputs: jax.Array) -> jax.Array:
    """E[x|z], the picture of a decoded z."""
    if self.kind == "bernoulli":
      return jax.nn.sigmoid(outputs)
    if self.kind == "gaussian":
      return outputs[..., :self.channels]
    return jnp.exp(self.level_log_probs(outputs)) @ jnp.linspace(0.0, 1.0, self.levels)


def with_label(a: jax.Array, y: jax.Array, num_classes: int) -> jax.Array:
  """[flatten(a), onehot(y)]: an input [B, ...] conditioned on labels y [B] of K classes."""
  return jnp.concatenate([a.reshape(a.shape[0], -1), jax.nn.one_hot(y, num_classes, dtype=a.dtype)],
                         axis=-1)


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
  """The networks of `models.REGISTRY["generative"][config.model]` with config.model_kwargs: a decoder
  (generator) from config.latent_dim to `decoder_shape`, and on request an encoder x -> (mean,
  logvar) of z and a discriminator x -> (logit, features)."""
  family = lookup("generative", config.model)
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


@dataclasses.dataclass(frozen=True)
class ImageGrids:
  """A task's pictures (`Task.images`): called as images(params, data, key) -> {picture:
  [N, H, W, C]}; `captions[picture]` says what the picture shows (the PNG's caption)."""
  draw: Callable
  captions: dict[str, str]

  def __call__(self, params, data, key):
    return self.draw(params, data, key)


def image_grids(config, sample, reconstruct=None, sampling: str = "") -> ImageGrids | None:
  """{'samples': n samples, 'reconstructions': n/2 test images interleaved with their
  reconstructions}, n = config.image_grid (None when it is 0); `sampling` says how the samples
  are drawn, for their caption (e.g. 'ancestral sampling T=1000, rounded to 17 levels')."""
  n = config.image_grid
  if not n:
    return None
  captions = {"samples": f"{n} samples" + (f", {sampling}" if sampling else "")}
  if reconstruct is not None:
    captions["reconstructions"] = f"{n // 2} test images, each followed by its reconstruction"

  def images(params, data, key):
    out = {"samples": sample(params, key, n)}
    if reconstruct is not None:
      x = data["x_test"][:n // 2]
      pairs = jnp.stack([x, reconstruct(params, x)], axis=1)  # [n/2, 2, H, W, C]
      out["reconstructions"] = pairs.reshape(-1, *x.shape[1:])
    return out

  return ImageGrids(images, captions)
