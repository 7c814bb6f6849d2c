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
from genvdisc.data import Dataset
from genvdisc.errors import ConfigError
from genvdisc.models import Model, get_model, get_spec
from genvdisc.train import optim

Batch = dict[str, jax.Array]
Metrics = dict[str, jax.Array]


@dataclasses.dataclass(frozen=True)
class Task:
  """init(key, x_example) -> (params, opt_state).

  update(params, opt_state, batch, key) -> (params, opt_state, metrics); metrics must hold the
    scalar 'loss' that divergence detection watches.
  eval_metrics(params, batch, key) -> {name: per-example values [B]}; the engine averages them
    over each split (key: a fixed evaluation key, for metrics that sample).
  uses_conv: its networks have convolutions (picks the CPU chunk default, see engine).
  dataset_metrics(params, data, key) -> {name: scalar}: optional metrics of the whole dataset
    (e.g. classifier-FID of generated samples against the test split); `data` is the engine's
    {'x_train', 'y_train', 'x_test', 'y_test'}. Stored per seed under their own names.
  images(params, data, key) -> {name: [N, H, W, C] in [0, 1]}: optional picture grids (samples,
    reconstructions) that `train.run` writes as PNG at checkpoints and at the end.
  eval_splits: the splits `eval_metrics` is averaged over (drop 'train' when it is costly).
  sample_batch(data, run_key, key, batch_size) -> batch: optional minibatch sampler replacing the
    engine's i.i.d. uniform indices, e.g. M2's labelled + unlabelled batches;
    run_key is the seed's constant key (`engine.seed_keys`), key the step's.
  """
  init: Callable[[jax.Array, jax.Array], tuple[Any, Any]]
  update: Callable[[Any, Any, Batch, jax.Array], tuple[Any, Any, Metrics]]
  eval_metrics: Callable[[Any, Batch, jax.Array], Metrics]
  uses_conv: bool = False
  dataset_metrics: Callable[[Any, dict, jax.Array], Metrics] | None = None
  images: Callable[[Any, dict, jax.Array], dict[str, jax.Array]] | None = None
  eval_splits: tuple[str, ...] = ("train", "test")
  sample_batch: Callable[[dict, jax.Array, jax.Array, int], Batch] | None = None


def random_shift(x: jax.Array, key: jax.Array, max_shift: int) -> jax.Array:
  """Images [B, H, W, C], each translated by its own (dy, dx) ~ U{-s..s}^2, s = max_shift, with
  zeros shifted in."""
  shifts = jax.random.randint(key, (x.shape[0], 2), 0, 2 * max_shift + 1)
  padded = jnp.pad(x, ((0, 0), (max_shift, max_shift), (max_shift, max_shift), (0, 0)))
  crop = lambda image, s: jax.lax.dynamic_slice(image, (s[0], s[1], 0), x.shape[1:])
  return jax.vmap(crop)(padded, shifts)


def classification(model: Model, data_loss: str, optimizer: optax.GradientTransformation,
                   C: float, num_train: int, uses_conv: bool = False, max_shift: int = 0) -> Task:
  """Supervised classification: minimise mean_i l(f(x_i), y_i) + ||W||^2 / (2 C n).

  l is `objectives.DATA_LOSSES[data_loss]` (softmax cross-entropy or the Crammer–Singer hinge);
  the L2 term is `objectives.l2_penalty` (off for C <= 0). max_shift > 0: classic augmentation,
  every training image shifted by `random_shift` with the step's key.
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
    if max_shift:
      batch = {**batch, "x": random_shift(batch["x"], key, max_shift)}
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, batch)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, metrics

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
  return classification(model, config.objective, optimizer, config.get("C", 0.0),
                        dataset.num_train, uses_conv=spec.uses_conv, max_shift=max_shift)


# config.task -> builder(config, dataset) -> Task. Builders check their own fields.
TASKS: dict[str, Callable[[Any, Dataset], Task]] = {
    "classification": classification_from_config,
}


def from_config(config, dataset: Dataset) -> Task:
  name = config.get("task", "classification")
  if name not in TASKS:
    raise ConfigError(f"unknown task {name!r} (config.task); valid: {', '.join(TASKS)}")
  return TASKS[name](config, dataset)


# The generative tasks (vae, iwae, gan, vaegan) live in their own module, which needs `Task`.
from genvdisc.train import generative_tasks  # noqa: E402

TASKS.update(generative_tasks.TASKS)
