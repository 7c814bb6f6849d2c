"""Optimizers whose hyperparameters are data, and the one update every objective uses.

Every optimizer is wrapped in `optax.inject_hyperparams`: its learning rate, Adam b1 and SGD
momentum live in its state, and `apply_gradients` sets them each step from the run's
hyperparameters (`genvdisc.hyperparams`), so runs with different values share one compiled
program (a vmapped sweep) and a run alone computes what it computes inside a sweep.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
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


def decays(schedule: str) -> bool:
  """Whether `schedule`'s learning rate at a step depends on num_steps (every schedule but
  `constant`), so that a run continued past its num_steps would not equal a longer run."""
  return schedule != "constant"


@dataclasses.dataclass(frozen=True)
class Optimizer:
  """An injected-hyperparameter optax optimizer and the run hyperparameter that is its learning
  rate (`learning_rate_field`; a value <= 0 there falls back to `learning_rate`, as the GAN's
  discriminator_learning_rate does)."""
  name: str
  transform: optax.GradientTransformation
  learning_rate_field: str = "learning_rate"

  def init(self, params):
    return self.transform.init(params)

  def update(self, grads, opt_state, params):
    return self.transform.update(grads, opt_state, params)

  def with_hyperparams(self, opt_state, hparams: dict):
    """opt_state with its injected hyperparameters taken from the run's `hparams`."""
    lr = hparams[self.learning_rate_field]
    if self.learning_rate_field != "learning_rate":
      lr = jnp.where(lr > 0, lr, hparams["learning_rate"])
    injected = {"learning_rate": lr}
    injected.update({"b1": hparams["adam_b1"]} if self.name == "adam"
                    else {"momentum": hparams["momentum"]})
    cast = {k: jnp.asarray(v, opt_state.hyperparams[k].dtype) for k, v in injected.items()}
    return opt_state._replace(hyperparams={**opt_state.hyperparams, **cast})


def make_optimizer(name: str, schedule: str = "constant", num_steps: int = 1,
                   learning_rate_field: str = "learning_rate") -> Optimizer:
  """`adam` (injected learning_rate and b1; optax defaults b2=0.999, eps=1e-8) or `sgd`
  (injected learning_rate and momentum, a trace with decay = momentum) with the learning rate
  shaped by `schedule` over num_steps. The injected values are placeholders until
  `apply_gradients` sets them."""
  shape = make_schedule(schedule, 1.0, num_steps)
  scaled = lambda lr: lr if schedule == "constant" else (lambda count: lr * shape(count))
  if name == "adam":
    transform = optax.inject_hyperparams(
        lambda learning_rate, b1: optax.adam(scaled(learning_rate), b1=b1))(
            learning_rate=1.0, b1=0.9)
  elif name == "sgd":
    transform = optax.inject_hyperparams(
        lambda learning_rate, momentum: optax.chain(
            optax.trace(decay=momentum), optax.scale_by_learning_rate(scaled(learning_rate))))(
                learning_rate=1.0, momentum=0.0)
  else:
    raise ConfigError(f"unknown optimizer {name!r} (config.optimizer); valid: {', '.join(OPTIMIZERS)}")
  return Optimizer(name, transform, learning_rate_field)


def from_config(config, learning_rate_field: str = "learning_rate") -> Optimizer:
  """The optimizer of config.optimizer / lr_schedule / num_steps, its learning rate read from
  the run hyperparameter `learning_rate_field`."""
  return make_optimizer(config.optimizer, config.lr_schedule, config.num_steps,
                        learning_rate_field)


def apply_gradients(params, opt_state, grads, optimizer, hparams: dict | None = None):
  """One optimizer step: (params + optimizer.update(grads), new opt_state). With `hparams` (an
  `Optimizer`'s run hyperparameters) the injected values are set first; a plain optax
  transformation takes none."""
  if hparams is not None:
    opt_state = optimizer.with_hyperparams(opt_state, hparams)
  updates, opt_state = optimizer.update(grads, opt_state, params)
  return optax.apply_updates(params, updates), opt_state
