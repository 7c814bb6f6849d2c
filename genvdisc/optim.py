"""Optimizers and learning-rate schedules by config name, and the one update every objective uses."""

import optax

from genvdisc.errors import ConfigError

OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("constant", "cosine")


def make_schedule(name: str, learning_rate: float, num_steps: int) -> optax.Schedule:
  """`constant`: lr at every step. `cosine`: lr · (1 + cos(π t / num_steps)) / 2, from lr to 0."""
  if name == "constant":
    return optax.constant_schedule(learning_rate)
  if name == "cosine":
    return optax.cosine_decay_schedule(learning_rate, decay_steps=num_steps)
  raise ConfigError(f"config.lr_schedule={name!r} is invalid; use one of {', '.join(SCHEDULES)}")


def make_optimizer(name: str, learning_rate: float, momentum: float = 0.0, b1: float = 0.9,
                   schedule: str = "constant", num_steps: int = 1,
                   ) -> optax.GradientTransformation:
  """`adam` (b1, optax defaults b2=0.999, eps=1e-8) or `sgd` with optional momentum."""
  lr = make_schedule(schedule, learning_rate, num_steps)
  if name == "adam":
    return optax.adam(lr, b1=b1)
  if name == "sgd":
    return optax.sgd(lr, momentum=momentum or None)
  raise ConfigError(f"unknown optimizer {name!r} (config.optimizer); valid: {', '.join(OPTIMIZERS)}")


def from_config(config, learning_rate: float | None = None) -> optax.GradientTransformation:
  """The optimizer of config.optimizer / learning_rate (unless given) / momentum / adam_b1 /
  lr_schedule / num_steps."""
  return make_optimizer(config.optimizer, learning_rate or config.learning_rate,
                        momentum=config.get("momentum", 0.0), b1=config.get("adam_b1", 0.9),
                        schedule=config.get("lr_schedule", "constant"), num_steps=config.num_steps)


def apply_gradients(params, opt_state, grads, optimizer: optax.GradientTransformation):
  """One optimizer step: (params + optimizer.update(grads), new opt_state)."""
  updates, opt_state = optimizer.update(grads, opt_state, params)
  return optax.apply_updates(params, updates), opt_state
