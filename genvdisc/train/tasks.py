"""Tasks: the objective-specific part of training, as pure functions the engine vmaps and scans.

A `Task` knows how to initialise params and optimizer state, how to do one update on a batch,
and which per-example metrics to evaluate. The engine (`train.engine`) owns everything shared:
per-step keys, batch sampling, divergence freezing, `lax.scan` chunks, seed vmapping, jit and
sharding. A GAN's task keeps `{'generator': ..., 'discriminator': ...}` in params and opt_state
and uses the step key its `update` receives.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import jax
import jax.numpy as jnp
import optax

from genvdisc import objectives
from genvdisc.models import Model

Batch = dict[str, jax.Array]
Metrics = dict[str, jax.Array]


@dataclasses.dataclass(frozen=True)
class Task:
  """init(key, x_example) -> (params, opt_state).

  update(params, opt_state, batch, key) -> (params, opt_state, metrics); metrics must hold the
    scalar 'loss' that divergence detection watches.
  eval_metrics(params, batch) -> {name: per-example values [B]}; the engine averages them.
  """
  init: Callable[[jax.Array, jax.Array], tuple[Any, Any]]
  update: Callable[[Any, Any, Batch, jax.Array], tuple[Any, Any, Metrics]]
  eval_metrics: Callable[[Any, Batch], Metrics]


def classification(model: Model, data_loss: str, optimizer: optax.GradientTransformation,
                   C: float, num_train: int) -> Task:
  """Supervised classification: minimise mean_i l(f(x_i), y_i) + ||W||^2 / (2 C n).

  l is `objectives.DATA_LOSSES[data_loss]` (softmax cross-entropy or the Crammer–Singer hinge);
  the L2 term is `objectives.l2_penalty` (off for C <= 0).
  """
  per_example_loss = objectives.DATA_LOSSES[data_loss]

  def init(key, x_example):
    params = model.init(key, x_example)
    return params, optimizer.init(params)

  def loss_fn(params, batch):
    data_term = jnp.mean(per_example_loss(model.apply(params, batch["x"]), batch["y"]))
    total = data_term + objectives.l2_penalty(params, C, num_train)
    return total, {"loss": total, "data_loss": data_term}

  def update(params, opt_state, batch, key):
    del key  # deterministic objective
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, batch)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, metrics

  def eval_metrics(params, batch):
    scores = model.apply(params, batch["x"])
    return {"accuracy": objectives.accuracy(scores, batch["y"]),
            "loss": per_example_loss(scores, batch["y"])}

  return Task(init=init, update=update, eval_metrics=eval_metrics)
