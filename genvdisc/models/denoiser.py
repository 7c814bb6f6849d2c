"""The DDPM noise-prediction network eps_theta(x_t, t[, y]) for small inputs (8x8 digits, the
40-sample MNIST-1D signals), as a flax.linen module.

Chosen by measurement (2-core CPU, jax 0.10.2, digits, batch 64, 5 seeds vmapped, seeds·steps/s
of the L_simple step with eps outputs): this MLP with width 256 and 2 blocks (510k parameters)
268; width 512: 70; width 256, 3 blocks: 199; a tiny U-Net (3x3 convolutions, 32/64 channels,
one 2x down- and upsampling, 97k parameters, one jitted step per call, as the engine runs convs
on CPU): 19, and 70 with 16/32 channels (vmapped convolutions are slow on XLA:CPU,
docs/design.md). The levels head (ddpm_digits: 211 seeds·steps/s) was chosen by the test bound
of one seed, T = 1000, linear schedule, 5000 steps (nats per image): eps outputs 217.1; eps
plus the uniform-levels Bayes eps 104.8; levels logits from Dense(D K)(f) 96.2; with the rank-64
head and x_t beside it 93.9 (rank 16: 99.5, 32: 94.4, 128: 94.4; rank 64 without x_t: 95.1).
"""

from __future__ import annotations

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def sinusoidal_embedding(t: jax.Array, dim: int) -> jax.Array:
  """The Transformer's position encoding of the step t (Ho et al. sec. 4): [B] -> [B, dim],
  [sin(t w_i), cos(t w_i)] with w_i = 10000^(-i / (dim/2 - 1)), i = 0..dim/2 - 1."""
  half = dim // 2
  frequencies = jnp.exp(-math.log(10000.0) * jnp.arange(half) / max(half - 1, 1))
  angles = t.astype(jnp.float32)[:, None] * frequencies[None, :]
  return jnp.concatenate([jnp.sin(angles), jnp.cos(angles)], axis=-1)


class MLPDenoiser(nn.Module):
  """flatten(x_t) -> Dense(width) -> num_blocks residual blocks -> f = SiLU(h), then
  levels = 0: eps = Dense(D)(f) reshaped like x_t;
  levels = K: logits over the K levels of every value = Dense(D K)([Dense(head_rank)(f),
    flatten(x_t)]) reshaped to [*x_t.shape, K] (a low-rank head beside a linear map of x_t).

  Conditioning c = Dense(width)(SiLU(Dense(width)(sinusoidal(t)))) [+ Embed(num_classes)(y)];
  a block is h <- h + Dense(width)(SiLU(Dense(width)(SiLU(h)) + Dense(width)(c))).
  num_classes = 0: unconditional, labels ignored.
  """
  width: int = 256
  num_blocks: int = 2
  embedding_dim: int = 64
  num_classes: int = 0
  levels: int = 0
  head_rank: int = 64

  @nn.compact
  def __call__(self, x: jax.Array, t: jax.Array, labels: jax.Array | None = None) -> jax.Array:
    c = nn.Dense(self.width)(nn.silu(nn.Dense(self.width)(sinusoidal_embedding(t, self.embedding_dim))))
    if self.num_classes:
      c = c + nn.Embed(self.num_classes, self.width)(labels)
    h = nn.Dense(self.width)(x.reshape(x.shape[0], -1))
    for _ in range(self.num_blocks):
      u = nn.Dense(self.width)(nn.silu(h)) + nn.Dense(self.width)(c)
      h = h + nn.Dense(self.width)(nn.silu(u))
    features, num_values = nn.silu(h), math.prod(x.shape[1:])
    if not self.levels:
      return nn.Dense(num_values)(features).reshape(x.shape)
    head = jnp.concatenate([nn.Dense(self.head_rank)(features), x.reshape(x.shape[0], -1)], axis=-1)
    return nn.Dense(num_values * self.levels)(head).reshape(*x.shape, self.levels)
