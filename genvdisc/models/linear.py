"""Linear classifiers: one affine map from the flattened input to one score per class.

The model is the same for logistic regression and the linear SVM; the objective makes the
difference (see `genvdisc.objectives.classification`):

- logistic regression: scores s = W x + b trained with softmax cross-entropy;
- linear SVM, multi-class **Crammer–Singer** (one joint hinge over all classes, not
  one-vs-rest): s = W x + b trained with max(0, 1 + max_{j != y} s_j - s_y) plus the L2 term
  ||W||^2 / (2 C n), i.e. the primal 1/2 ||W||^2 + C sum_i xi_i divided by C n.
"""

import flax.linen as nn
import jax.numpy as jnp


class Linear(nn.Module):
  """s = W flatten(x) + b, with `num_classes` outputs."""
  num_classes: int

  @nn.compact
  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    return nn.Dense(self.num_classes)(x.reshape(x.shape[0], -1))
