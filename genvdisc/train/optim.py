"""Optimizers by config name."""

import optax

from genvdisc.errors import ConfigError

OPTIMIZERS = ("adam", "sgd")


def make_optimizer(name: str, learning_rate: float, momentum: float = 0.0, b1: float = 0.9,
                   ) -> optax.GradientTransformation:
  """`adam` (b1, optax defaults b2=0.999, eps=1e-8) or `sgd` with optional momentum."""
  if name == "adam":
    return optax.adam(learning_rate, b1=b1)
  if name == "sgd":
    return optax.sgd(learning_rate, momentum=momentum or None)
  raise ConfigError(f"unknown optimizer {name!r} (config.optimizer); valid: {', '.join(OPTIMIZERS)}")
