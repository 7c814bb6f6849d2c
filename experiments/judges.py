"""Judge classifiers for the runs and tables that score samples (classifier-FID/IS).

A judge is a classifier genvdisc trains itself with its own engine: `train_judge(config,
workdir)` trains the classification `config` (seed 0 only, in a group of one) into `workdir`
with `train_and_evaluate` (a finished workdir is read back, not retrained) and returns a
`frechet.Judge` over its restored params. It lives here, above the library, because it runs
training: `experiments.main` uses `<workdir>/judges/<name>` and `experiments.reproduce` uses
`<out>/judges/<name>`. Nothing goes to a path relative to where the command was started.
"""

from __future__ import annotations

import os

import flax.linen as nn

from experiments.configs import get_config
from genvdisc import data
from genvdisc.errors import ConfigError
from genvdisc.evaluate.frechet import Judge, check_judge_data
from genvdisc.models import get_spec
from genvdisc.train import run, sweep

JUDGES_DIR = "judges"


def judge_config(config):
  """`config` reduced to seed 0 in a group of one; it must be a classification config."""
  if config.get("task", "classification") != "classification":
    raise ConfigError(f"judge config {config.name!r} is not a classification config; use e.g. "
                      "'mlp_digits'")
  config = config.copy_and_resolve_references()
  config.seeds, config.seed_group = "0", 1
  return config


def train_judge(config, workdir: str, log=print) -> Judge:
  """Trains (once) and restores the judge classifier `config`; see the module docstring."""
  config = judge_config(config)
  results = run.train_runs(config, workdir, log=log)
  params = run.restore_seed_params(config, workdir)[0]
  split_seed = config.get("split_seed", 0)
  num_classes = data.load(config.dataset, split_seed=split_seed,
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

  return Judge(config.name, config.dataset, split_seed, results["per_seed"]["0"]["test_accuracy"],
               apply)


def load_judge(name: str, dataset: str, directory: str, log=print, split_seed: int = 0) -> Judge:
  """The judge `experiments/configs/<name>.py` for (`dataset`, `split_seed`), checked before it
  trains (`frechet.check_judge_data`), trained into `<directory>/<name>` (or read back)."""
  config = get_config(name)
  if config.get("task", "classification") != "classification":
    raise ConfigError(f"config.judge={name!r} is not a classification config; use e.g. 'mlp_digits'")
  check_judge_data(name, config.dataset, config.get("split_seed", 0), dataset, split_seed)
  return train_judge(config, os.path.join(directory, name), log=log)


def judge_for(config, directory: str, log=print) -> Judge | None:
  """The judge `config.judge` names (None when it names none), under `directory`. `config` is
  checked first (`train.sweep.check`), so its bad input fails before the judge trains."""
  name = config.get("judge", "")
  if not name:
    return None
  sweep.check(config)
  return load_judge(name, config.dataset, directory, log, config.get("split_seed", 0))
