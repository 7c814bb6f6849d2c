"""`load(workdir)` (also `genvdisc.load`): a workdir's trained models, restored with Orbax.

  trained = genvdisc.load("runs/mlp_digits")        # the newest checkpoint; step= picks another
  model = trained.seed(0)                           # a sweep: runs["learning_rate=0.01,seed=0"]
  scores = model.predict(model.dataset.x_test)      # [B, K] class scores (tasks with predict)
  trained.evaluate()                                # {run: metrics}; at the end, results.json's

The workdir's config.json rebuilds the experiment (`make_train`: dataset, task, run groups;
nothing is trained or written), its checkpoint is restored into the seed groups, and every run's
params are cut out of its group, without the padding and the run axis. `runs` is keyed by
results.json's run names ('0' alone; 'learning_rate=0.01,seed=0' in a sweep), and each run
carries its seed and its sweep point. A sweep with structural fields loads every group of
WORKDIR/<field=value>/, its runs named as in WORKDIR/results.json
('batch_size=32,learning_rate=0.01,seed=0'). An unfinished run loads its newest checkpoint.

A run trained on a dataset its caller built (the features and pretrain tables' learned
features, genclf's subsets) needs that `dataset=`; a config with a judge loads without it
(`evaluate` then lacks the judge's metrics) unless `judge=` is given.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import jax
import ml_collections

from genvdisc import config as config_lib
from genvdisc import data as data_lib
from genvdisc import hyperparams, rng, sharding
from genvdisc import results as results_lib
from genvdisc.errors import ConfigError, WorkdirError
from genvdisc.evaluate import frechet
from genvdisc.tasks.base import Task
from genvdisc.train import run as run_lib
from genvdisc.train import sweep as sweep_lib
from genvdisc.train import workdir as workdir_lib
from genvdisc.train.experiment import Experiment, make_train


@dataclasses.dataclass(frozen=True)
class TrainedRun:
  """One trained model: `name` keys it in results.json, `point` holds its swept values ({}
  without a sweep), `params` its parameters at `step`; `config` is its group's config, `task`
  the objective that trained it (`Task`: predict, sample, log_prob, encode where it has them)
  and `dataset` what it trained on (a sweep's validation split held out)."""
  name: str
  seed: int
  point: dict
  step: int
  params: Any
  config: ml_collections.ConfigDict
  task: Task
  dataset: data_lib.Dataset

  def predict(self, x, key: jax.Array | None = None) -> jax.Array:
    """Class scores [B, K] of inputs x [B, ...] (argmax: the class) by the task's `predict`;
    key: for tasks that sample (default: the run's evaluation key, `rng.eval_key`)."""
    if self.task.predict is None:
      raise ConfigError(f"config.task={self.config.task!r} gives no class scores; use its "
                        "task.sample, task.log_prob or task.encode with the run's params")
    key = rng.eval_key(rng.seed_keys(self.seed)[1]) if key is None else key
    return jax.jit(self.task.predict)(self.params, x, key)


@dataclasses.dataclass(frozen=True)
class Trained:
  """A workdir's `config` (its config.json) and its `runs`, {name: TrainedRun}."""
  config: ml_collections.ConfigDict
  runs: dict[str, TrainedRun]
  groups: list[tuple[str, Experiment, list]] = dataclasses.field(repr=False)
  # (structural label or '', the group's experiment, its restored seed-group states)

  def seed(self, seed: int) -> TrainedRun:
    """The run of `seed`, in a workdir without a sweep (a sweep's runs: `runs[name]`)."""
    found = [run for run in self.runs.values() if run.seed == seed]
    if len(found) != 1:
      fix = (f" (a sweep); pick one of runs[name]: {', '.join(r.name for r in found)}" if found
             else f"; its seeds: {self.config.seeds}")
      raise WorkdirError(f"seed {seed} has {len(found)} runs here{fix}")
    return found[0]

  def evaluate(self) -> dict[str, dict]:
    """{run name: metrics} of the loaded params, computed as `train.run` computes results.json's
    per_seed (without `loss_increased`): at the final step, bitwise equal to them."""
    out = {}
    for label, experiment, states in self.groups:
      metrics = run_lib._evaluate(experiment, states, experiment.device_data())
      out.update({sweep_lib.run_name(label, name) if label else name: m
                  for name, m in metrics.items()})
    return out


def read_config(workdir: str) -> ml_collections.FrozenConfigDict:
  """The config a workdir's run was trained with (its config.json), resolved (a field added to
  the schema since reads back as its default)."""
  path = os.path.join(workdir, workdir_lib.CONFIG_JSON)
  if not os.path.exists(path):
    raise WorkdirError(f"{workdir!r} holds no run ({workdir_lib.CONFIG_JSON}); pass the workdir "
                       "of a trained run")
  return config_lib.resolve(results_lib.read_json(path))


def load(workdir: str, step: int | None = None, dataset: data_lib.Dataset | None = None,
         judge: frechet.Judge | None = None) -> Trained:
  """Every run of `workdir` at checkpoint `step` (default: the newest), see the module
  docstring; dataset, judge: as in `make_train`."""
  config = read_config(workdir)
  runs, restored = {}, []
  for point, group in sweep_lib.group_configs(config) or [({}, config)]:
    label = hyperparams.label(point) if point else ""
    experiment = make_train(group, dataset, judge)
    group_workdir = os.path.join(workdir, label) if label else workdir
    states = run_lib.restore_groups(experiment, group_workdir, step)
    at_step = int(sharding.to_host(states[0].step)[0])
    by_name = {run.name: run for run in experiment.runs}
    for name, params in run_lib.run_params(experiment, states).items():
      full = sweep_lib.run_name(label, name) if label else name
      runs[full] = TrainedRun(full, by_name[name].seed, {**point, **by_name[name].point}, at_step,
                              params, group, experiment.task, experiment.dataset)
    restored.append((label, experiment, states))
  return Trained(config, runs, restored)
