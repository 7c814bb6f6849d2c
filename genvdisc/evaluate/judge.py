"""The judge: a classifier genvdisc trains itself with its own engine, used for classifier-FID/IS.

`train_judge(config, workdir)` trains the classification `config` (seed 0 only, in a group of
one) into `workdir` with `train_and_evaluate` (a finished workdir is read back, not retrained)
and returns a `frechet.Judge` over its restored params. The caller picks the config and the
directory (experiments/judges.py: `<workdir or out>/judges/<name>`) and passes the judge to
the run or table that scores samples.
"""

from __future__ import annotations

import flax.linen as nn

from genvdisc import data
from genvdisc.errors import ConfigError
from genvdisc.evaluate.frechet import Judge
from genvdisc.models import get_spec
from genvdisc.train import run


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
  results = run.train_and_evaluate(config, workdir, log=log)
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
