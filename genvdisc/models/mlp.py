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
