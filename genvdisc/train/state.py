"""The train state: everything a seed's run is, as one pytree."""

from typing import Any

import flax.struct
import jax
import jax.numpy as jnp


@flax.struct.dataclass
class TrainState:
  """One seed's run (the engine stacks a leading seed axis onto every leaf).

  params, opt_state: the objective's own structure; a GAN keeps one entry per network in each.
  step: int32, number of updates done.
  key: the seed's base PRNG key; step t uses fold_in(key, t), so any step is reproducible.
  hparams: {field: float32} the run's continuous hyperparameters (`genvdisc.hyperparams`), read
    by every step: the run axis of a sweep.
  diverged_at: int32, -1 while every loss and parameter is finite, else the step whose update
    first produced NaN/Inf; from then on params and opt_state stay frozen at their last finite
    values.
  """
  params: Any
  opt_state: Any
  step: jax.Array
  key: jax.Array
  hparams: dict
  diverged_at: jax.Array


def new_state(params, opt_state, key: jax.Array, hparams: dict) -> TrainState:
  return TrainState(params=params, opt_state=opt_state, step=jnp.zeros((), jnp.int32), key=key,
                    hparams=hparams, diverged_at=jnp.full((), -1, jnp.int32))
