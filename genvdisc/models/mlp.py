"""Multi-layer perceptron on the flattened input."""

from typing import Sequence

import flax.linen as nn
import jax.numpy as jnp


class MLP(nn.Module):
  """flatten(x) -> [Dense(h) -> ReLU] for h in hidden_sizes -> Dense(num_classes).

  The MNIST-1D paper's MLP is hidden_sizes=(100, 100).
  """
  num_classes: int
  hidden_sizes: Sequence[int] = (100, 100)

  @nn.compact
  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    h = x.reshape(x.shape[0], -1)
    for width in self.hidden_sizes:
      h = nn.relu(nn.Dense(width)(h))
    return nn.Dense(self.num_classes)(h)


class ResidualMLP(nn.Module):
  """The DDPM denoiser's backbone (models.denoiser.MLPDenoiser) as a classifier, without its time
  and label conditioning: flatten(x) -> Dense(width) -> num_blocks blocks
  h <- h + Dense(width)(SiLU(Dense(width)(SiLU(h)))) -> SiLU -> Dense(num_classes).
  The discriminative twin of the conditional DDPM in the genclf table."""
  num_classes: int
  width: int = 256
  num_blocks: int = 2

  @nn.compact
  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    h = nn.Dense(self.width)(x.reshape(x.shape[0], -1))
    for _ in range(self.num_blocks):
      h = h + nn.Dense(self.width)(nn.silu(nn.Dense(self.width)(nn.silu(h))))
    return nn.Dense(self.num_classes)(nn.silu(h))
