"""Supervised classification: a model's scores under cross-entropy or the multi-class hinge, + L2."""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import optax
from genvdisc import objectives, optim
from genvdisc.config import to_json_dict
from genvdisc.data import quantize, subsets
from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.models import Model, get_model, get_spec
from genvdisc.models.autoregressive import backbone_params
from genvdisc.tasks.base import Task, WarmStart
from genvdisc.tasks.shared import require


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

  def predict(params, x, key):
    del key  # deterministic
    return model.apply(params, x)

  return Task(init=init, update=update, eval_metrics=eval_metrics, headline="test_accuracy",
              uses_conv=uses_conv, predict=predict)


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
  max_shift = config.random_shift
  if max_shift < 0 or (max_shift and dataset.kind != "image"):
    raise ConfigError(f"config.random_shift={max_shift!r} is invalid; use 0, or pixels >= 1 "
                      "with an image dataset")
  model, optimizer = model_and_optimizer(config, dataset)
  num_train = subsets.label_budget(dataset, config.labels_per_class).size
  task = classification(model, config.objective, optimizer, num_train,
                        uses_conv=spec.uses_conv, max_shift=max_shift)
  if not config.pretrained:
    return task
  warm = WarmStart("config.pretrained", config.pretrained,
                   functools.partial(check_pretrained, config), pretrained_start)
  return dataclasses.replace(task, warm_start=warm)


# ------------------------------------------ the autoregressive Transformer as a classifier (16.4)
BACKBONE_MODEL = "ar_transformer"   # the model whose params[BACKBONE] config.pretrained fills
BACKBONE = "backbone"
FINETUNES = ("all", "head")
# Fields of config.pretrained's run that must equal the classifier's: its data, their split and
# tokens, the network's sizes.
ARCHITECTURE_FIELDS = ("dataset", "split_seed", "quantize_bins", "model_kwargs")


def model_and_optimizer(config, dataset: Dataset) -> tuple[Model, optim.Optimizer]:
  """config.model's network and config.optimizer. 'ar_transformer' reads the inputs as the
  autoregressive task's tokens (`data.quantize.for_dataset`, raster order), its network being
  `models.autoregressive.autoregressive_classifier`; with config.finetune='head' (a linear
  probe) the optimizer leaves its backbone fixed (`freeze`)."""
  finetune, pretrained = config.finetune, config.pretrained
  require(finetune in FINETUNES, "finetune", finetune,
          "'all' (every parameter trained) or 'head' (a linear probe: the backbone fixed)")
  require(config.model == BACKBONE_MODEL or (finetune == "all" and not pretrained), "model",
          config.model, f"{BACKBONE_MODEL!r} with config.pretrained or config.finetune='head' "
          "(the model with a backbone)")
  optimizer = optim.from_config(config)
  kwargs = config.model_kwargs.to_dict()
  if config.model != BACKBONE_MODEL:
    return get_model(config.model, dataset.num_classes, **kwargs), optimizer
  require(not {"vocab_size", "length"} & kwargs.keys(), "model_kwargs", kwargs,
          "the network's sizes only (vocab_size and length come from the data)")
  quantizer = quantize.for_dataset(dataset, config.quantize_bins)
  length = math.prod(dataset.example_shape)
  network = get_model(config.model, dataset.num_classes, vocab_size=quantizer.num_bins,
                      length=length, **kwargs)
  tokens = lambda x: quantizer.tokens(x.reshape(x.shape[0], length))
  model = Model(init=lambda key, x: network.init(key, tokens(x)),
                apply=lambda params, x: network.apply(params, tokens(x)))
  return model, freeze(optimizer, BACKBONE) if finetune == "head" else optimizer


def freeze(optimizer: optim.Optimizer, name: str) -> optim.Optimizer:
  """`optimizer` with params[name] fixed: its gradient and its update are replaced by zeros (the
  gradient so that XLA drops the backward pass through it, the update so that the params stay
  bitwise equal whatever the optimizer adds, e.g. weight decay); the state keeps its structure."""
  zero = lambda tree: {**tree, name: jax.tree.map(jnp.zeros_like, tree[name])}
  inner = optimizer.transform

  def update(grads, state, params=None):
    updates, state = inner.update(zero(grads), state, params)
    return zero(updates), state

  return dataclasses.replace(optimizer, transform=optax.GradientTransformation(inner.init, update))


def check_pretrained(config, source: dict) -> None:
  """One ConfigError line unless `source`, the config.json of config.pretrained's run, is an
  unconditional autoregressive model whose network is this classifier's backbone (the same
  ARCHITECTURE_FIELDS)."""
  where = f"config.pretrained={config.pretrained!r}"
  if source.get("task") != "autoregressive" or source.get("conditional"):
    raise ConfigError(f"{where} holds a {source.get('task')!r} run (conditional: "
                      f"{source.get('conditional')}); use the workdir of an unconditional "
                      "autoregressive run, e.g. of experiments/configs/ar_digits.py")
  mine = to_json_dict(config)
  differ = [f for f in ARCHITECTURE_FIELDS if source.get(f) != mine.get(f)]
  if differ:
    raise ConfigError(f"{where} was trained with " + ", ".join(
        f"{f}={source.get(f)!r}" for f in differ) + " but this config has " + ", ".join(
        f"{f}={mine.get(f)!r}" for f in differ) + "; use a run with the same "
        + ", ".join(ARCHITECTURE_FIELDS))


def pretrained_start(params: dict) -> dict:
  """The part of the classifier's params that a trained autoregressive model's `params` give:
  {BACKBONE: all of them but the logits layer}."""
  return {BACKBONE: backbone_params(params)}
