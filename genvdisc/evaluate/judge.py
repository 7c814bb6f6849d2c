"""The judge: a classifier genvdisc trains itself with its own engine, used for classifier-FID/IS.

`load(judge, dataset, judge_workdir)` trains `experiments/configs/<judge>.py` (seed 0 only) into
`<judge_workdir>/<judge>` with `train_and_evaluate` (a finished workdir is reused, not retrained)
and restores its params with `restore_states`.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from typing import Callable

import flax.linen as nn
import jax

from genvdisc import data as data_lib
from genvdisc.errors import ConfigError
from genvdisc.models import get_spec


@dataclasses.dataclass(frozen=True)
class Judge:
  """apply(x [B, ...]) -> (logits [B, K], features [B, F]); features are the input of the
  classifier's final Dense layer (its last hidden representation)."""
  name: str
  test_accuracy: float
  apply: Callable[[jax.Array], tuple[jax.Array, jax.Array]]


def judge_config(judge: str):
  """experiments/configs/<judge>.py, reduced to seed 0 in a group of one."""
  try:
    config = importlib.import_module(f"experiments.configs.{judge}").get_config()
  except ModuleNotFoundError:
    raise ConfigError(f"config.judge={judge!r} is not a config in experiments/configs; use e.g. "
                      "'mlp_digits'") from None
  if config.get("task", "classification") != "classification":
    raise ConfigError(f"config.judge={judge!r} is not a classification config; use e.g. 'mlp_digits'")
  config.seeds, config.seed_group = "0", 1
  return config


def load(judge: str, dataset: str, judge_workdir: str, log=print) -> Judge:
  """Trains (once) and restores the judge classifier for `dataset`; see the module docstring."""
  from genvdisc.train import run  # the engine builds tasks, which load judges: import late
  config = judge_config(judge)
  if config.dataset != dataset:
    raise ConfigError(f"config.judge={judge!r} is trained on {config.dataset!r}, not on "
                      f"{dataset!r}; pick a judge config for the same dataset")
  workdir = os.path.join(judge_workdir, judge)
  results = run.train_and_evaluate(config, workdir, log=log)
  params = jax.tree.map(lambda a: a[0], run.restore_states(config, workdir)[0].params)
  num_classes = data_lib.load(config.dataset, split_seed=config.get("split_seed", 0),
                              data_dir=config.get("data_dir") or None).num_classes
  module = get_spec(config.model).build(num_classes=num_classes,
                                        **config.model_kwargs.to_dict())

  def apply(x):
    inputs = []

    def record_final_dense_input(next_fun, args, kwargs, context):
      if isinstance(context.module, nn.Dense) and context.method_name == "__call__":
        inputs.append(args[0])
      return next_fun(*args, **kwargs)

    with nn.intercept_methods(record_final_dense_input):
      logits = module.apply({"params": params}, x)
    return logits, inputs[-1]

  return Judge(judge, results["per_seed"]["0"]["test_accuracy"], apply)
