"""Supervised classification: a model's scores under cross-entropy or the multi-class hinge, + L2."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from genvdisc import objectives, optim
from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.models import Model, get_model, get_spec
from genvdisc.tasks.base import Task


def random_shift(x: jax.Array, key: jax.Array, max_shift: int) -> jax.Array:
  """Images [B, H, W, C], each translated by its own (dy, dx) ~ U{-s..s}^2, s = max_shift, with
  zeros shifted in."""
  shifts = jax.random.randint(key, (x.shape[0], 2), 0, 2 * max_shift + 1)
  padded = jnp.pad(x, ((0, 0), (max_shift, max_shift), (max_shift, max_shift), (0, 0)))
  crop = lambda image, s: jax.lax.dynamic_slice(image, (s[0], s[1], 0), x.shape[1:])
  return jax.vmap(crop)(padded, shifts)


def classification(model: Model, data_loss: str, optimizer: optim.Optimizer, num_train: int,
                   uses_conv: bool = False, max_shift: int = 0) -> Task:
  """Supervised classification: minimise mean_i l(f(x_i), y_i) + ||W||^2 / (2 C n), C = hparams["C"].

  l is `objectives.DATA_LOSSES[data_loss]` (softmax cross-entropy or the Crammer–Singer hinge);
  the L2 term is `objectives.l2_penalty` (off for C <= 0). max_shift > 0: classic augmentation,
  every training image shifted by `random_shift` with the step's key.
  """
  per_example_loss = objectives.DATA_LOSSES[data_loss]

  def init(key, x_example):
    params = model.init(key, x_example)
    return params, optimizer.init(params)

  def loss_fn(params, batch, C):
    data_term = jnp.mean(per_example_loss(model.apply(params, batch["x"]), batch["y"]))
    total = data_term + objectives.l2_penalty(params, C, num_train)
    return total, {"loss": total, "data_loss": data_term}

  def update(params, opt_state, batch, key, hparams):
    if max_shift:
      batch = {**batch, "x": random_shift(batch["x"], key, max_shift)}
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, batch, hparams["C"])
    return *optim.apply_gradients(params, opt_state, grads, optimizer, hparams), metrics

  def eval_metrics(params, batch, key):
    del key  # deterministic metrics
    scores = model.apply(params, batch["x"])
    return {"accuracy": objectives.accuracy(scores, batch["y"]),
            "loss": per_example_loss(scores, batch["y"])}

  return Task(init=init, update=update, eval_metrics=eval_metrics, uses_conv=uses_conv)


def classification_from_config(config, dataset: Dataset) -> Task:
  """`classification` for config.model / objective / C / optimizer, checked against the data."""
  spec = get_spec(config.model)
  if config.objective not in objectives.DATA_LOSSES:
    raise ConfigError(f"config.objective={config.objective!r} is invalid; use one of "
                      f"{', '.join(objectives.DATA_LOSSES)}")
  if spec.objectives is not None and config.objective not in spec.objectives:
    raise ConfigError(f"config.objective={config.objective!r} is invalid; use "
                      f"{' or '.join(spec.objectives)} for model {config.model!r}")
  if dataset.kind not in spec.input_kinds:
    raise ConfigError(f"model {config.model!r} needs {' or '.join(spec.input_kinds)} inputs but "
                      f"dataset {dataset.name!r} is {dataset.kind} {dataset.example_shape}; "
                      "pick another config.model, e.g. 'mlp'")
  max_shift = config.get("random_shift", 0)
  if max_shift < 0 or (max_shift and dataset.kind != "image"):
    raise ConfigError(f"config.random_shift={max_shift!r} is invalid; use 0, or pixels >= 1 "
                      "with an image dataset")
  model = get_model(config.model, dataset.num_classes, **config.model_kwargs.to_dict())
  optimizer = optim.from_config(config)
  return classification(model, config.objective, optimizer, dataset.num_train,
                        uses_conv=spec.uses_conv, max_shift=max_shift)
