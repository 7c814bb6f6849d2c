"""Networks of the generative tasks (VAE, GAN, VAE-GAN) as flax.linen modules.

Shapes: x is an image batch [B, H, W, C]; z a latent batch [B, L].

- encoders: x -> (mean [B, L], logvar [B, L]) of q(z|x) = N(mean, diag(exp(logvar)));
- decoders / generators: z -> [B, H, W, C * out_per_pixel] unconstrained outputs (Bernoulli
  logits, or Gaussian mean and logvar stacked on the channel axis, or GAN pixel logits);
- discriminators: x -> (logits [B], features [B, F]); the features (last hidden layer) are the
  space of VAE-GAN's reconstruction term.

The MLP family with hidden_sizes=(200, 200), latent_dim=50 on MNIST is Burda et al. (2015)'s
1-stochastic-layer architecture 784-200-200-50 (tanh), decoder mirrored 50-200-200-784.
"""

from __future__ import annotations

import math
from typing import Sequence

import flax.linen as nn
import jax.numpy as jnp

ACTIVATIONS = {"tanh": nn.tanh, "relu": nn.relu, "leaky_relu": nn.leaky_relu}


def dense_stack(h: jnp.ndarray, sizes: Sequence[int], activation: str) -> jnp.ndarray:
  """[Dense(s) -> activation] for s in sizes, on the flattened input."""
  h = h.reshape(h.shape[0], -1)
  for size in sizes:
    h = ACTIVATIONS[activation](nn.Dense(size)(h))
  return h


class MLPEncoder(nn.Module):
  """flatten(x) -> dense_stack(hidden_sizes) -> Dense(2 L) split into (mean, logvar)."""
  latent_dim: int
  hidden_sizes: Sequence[int] = (200, 200)
  activation: str = "tanh"

  @nn.compact
  def __call__(self, x):
    out = nn.Dense(2 * self.latent_dim)(dense_stack(x, self.hidden_sizes, self.activation))
    return out[:, :self.latent_dim], out[:, self.latent_dim:]


class MLPDecoder(nn.Module):
  """z -> dense_stack(reversed hidden_sizes) -> Dense(prod(out_shape)) reshaped to out_shape.

  Mirrors `MLPEncoder` and is also the MLP family's GAN generator.
  """
  out_shape: Sequence[int]
  hidden_sizes: Sequence[int] = (200, 200)
  activation: str = "tanh"

  @nn.compact
  def __call__(self, z):
    h = dense_stack(z, tuple(reversed(self.hidden_sizes)), self.activation)
    return nn.Dense(math.prod(self.out_shape))(h).reshape(z.shape[0], *self.out_shape)


class MLPDiscriminator(nn.Module):
  """flatten(x) -> dense_stack(hidden_sizes, leaky ReLU) = features -> Dense(1) = logit."""
  hidden_sizes: Sequence[int] = (200, 200)
  activation: str = "leaky_relu"

  @nn.compact
  def __call__(self, x):
    features = dense_stack(x, self.hidden_sizes, self.activation)
    return nn.Dense(1)(features)[:, 0], features


class DCGANGenerator(nn.Module):
  """DCGAN-style (Radford et al. 2016, without batch norm, so params are the whole state):

  z -> Dense -> [H/4, W/4, 2 f] -> ConvT(f, 4x4, stride 2) -> ReLU -> ConvT(C, 4x4, stride 2),
  with features=(f, 2 f). H and W must be multiples of 4 (8x8 digits, 28x28 MNIST).
  """
  out_shape: Sequence[int]
  features: Sequence[int] = (32, 64)

  @nn.compact
  def __call__(self, z):
    height, width, channels = self.out_shape
    small, large = self.features
    h = nn.relu(nn.Dense(height // 4 * width // 4 * large)(z))
    h = h.reshape(z.shape[0], height // 4, width // 4, large)
    h = nn.relu(nn.ConvTranspose(small, (4, 4), strides=(2, 2), padding="SAME")(h))
    return nn.ConvTranspose(channels, (4, 4), strides=(2, 2), padding="SAME")(h)


class DCGANDiscriminator(nn.Module):
  """x -> Conv(f, 4x4, stride 2) -> LeakyReLU -> Conv(2 f, 4x4, stride 2) -> LeakyReLU -> flatten
  = features -> Dense(1) = logit, with features=(f, 2 f)."""
  features: Sequence[int] = (32, 64)

  @nn.compact
  def __call__(self, x):
    h = x
    for f in self.features:
      h = nn.leaky_relu(nn.Conv(f, (4, 4), strides=(2, 2), padding="SAME")(h))
    features = h.reshape(x.shape[0], -1)
    return nn.Dense(1)(features)[:, 0], features
