"""`make_train(config) -> Experiment`: everything static a training run needs, built from the
config without touching the disk.

A config trains *runs*: every point of `config.sweep`'s continuous fields crossed with every
seed of `config.seeds` (without a sweep, one run per seed). A run is its seed (init and
per-step keys, `rng.seed_keys`) and its continuous hyperparameters (`genvdisc.hyperparams`),
which travel as data in the train state. Runs are vmapped in groups of `seed_group` per device
of the mesh's seed axis, padded with repeats of the group's last run (dropped from results), so
a run's numbers depend on the group width only: a (point, seed) run alone with the same width is
bitwise the run inside the sweep.
"""

from __future__ import annotations

import dataclasses
import os
import runpy
import shlex

import jax
import ml_collections
import numpy as np

from genvdisc import config as config_lib
from genvdisc import data as data_lib
from genvdisc import hyperparams, rng, sharding
from genvdisc.data import subsets
from genvdisc.errors import ConfigError
from genvdisc.evaluate import frechet
from genvdisc.tasks.base import Task
from genvdisc.tasks.registry import from_config as task_from_config
from genvdisc.train import engine
from genvdisc.train import stream as stream_lib

SWEEP_VALIDATION_FRACTION = 0.1


@dataclasses.dataclass(frozen=True)
class Run:
  """One trained model: `name` keys its results ('3' alone, 'learning_rate=0.003,seed=3' in a
  sweep); `point` the swept values ({} without a sweep) and `label` their name
  ('learning_rate=0.003'); `hparams` every continuous field."""
  name: str
  seed: int
  point: dict
  label: str
  hparams: dict


def validation_fraction(config) -> float:
  """config.validation_fraction; its default -1 means 0.1 with a sweep and 0 without."""
  fraction = config.validation_fraction
  if fraction == -1.0:
    return SWEEP_VALIDATION_FRACTION if config.sweep else 0.0
  return fraction


def sweep_points(config) -> list[dict]:
  """The continuous points of config.sweep ([{}] without one); structural fields are refused
  here (`genvdisc.train.sweep` runs them as separate groups)."""
  fields = hyperparams.parse_sweep(config.sweep)
  structural = [f for f, _ in fields if f not in hyperparams.CONTINUOUS]
  if structural:
    raise ConfigError(f"config.sweep has structural field(s) {', '.join(structural)}: each value "
                      "compiles its own program; run it with genvdisc.train.sweep (experiments.main does)")
  return hyperparams.grid(fields) if fields else [{}]


RERUNS_DIR = "reruns"


def run_config(config, run: Run):
  """The config that trains `run` alone, bitwise: `config` with the run's point, its seed alone
  and, in a sweep, the validation fraction the sweep held out (the group width stays seed_group)."""
  alone = hyperparams.apply(config, run.point)
  with alone.unlocked():
    alone.seeds = str(run.seed)
    if config.sweep:
      alone.validation_fraction = validation_fraction(config)
  return alone


def flag_value(value) -> str:
  """A config value as a shell word that `--config.FIELD=` reads back to the same value."""
  return shlex.quote(repr(value) if isinstance(value, (tuple, float)) else str(value))


def differing_flags(config, base, prefix: str = "") -> list[str]:
  """`--config.FIELD=VALUE` for every field (dotted inside sub-configs) whose value in `config`
  differs from `base`'s, in name order; `config_file` names the source, it is not a setting."""
  flags = []
  for name in sorted(config.keys()):
    value, field = config[name], prefix + name
    if field == "config_file":
      continue
    if isinstance(value, ml_collections.ConfigDict) and isinstance(base.get(name),
                                                                   ml_collections.ConfigDict):
      flags += differing_flags(value, base[name], field + ".")
    elif name not in base or base[name] != value:
      flags.append(f"--config.{field}={flag_value(value)}")
  return flags


def load_config_file(spec: str):
  """get_config() of the config file `spec` ('path' or 'path:argument', as experiments.main's
  --config takes it)."""
  path, *argument = spec.split(":", 1)
  return runpy.run_path(path)["get_config"](*argument)


def rerun_command(config, run: Run, workdir: str) -> str:
  """What reruns `run` alone, bitwise, pasted as it is. A config loaded from a file
  (config.config_file, set by experiments.main): `python -m experiments.main --config=FILE` with
  every field where the run's config (`run_config`) differs from the file's defaults, i.e. the
  original command's overrides plus the run's point, seed and validation fraction, into
  WORKDIR/reruns/<run name>. A config built in Python (config_file ''): the flags that turn
  `config` into the run's. A config file that no longer loads is said so, not guessed around."""
  alone = run_config(config, run)
  spec = config.config_file
  if not spec:
    return " ".join(differing_flags(alone, config))
  try:
    defaults = load_config_file(spec)
  except Exception as e:  # pylint: disable=broad-except -- a finished run keeps its results
    return f"unknown: config file {spec} no longer loads ({type(e).__name__}: {e})"
  flags = differing_flags(alone, defaults)
  return " ".join(["python -m experiments.main", f"--config={shlex.quote(spec)}", *flags,
                   f"--workdir={shlex.quote(os.path.join(workdir, RERUNS_DIR, run.name))}"])


@dataclasses.dataclass
class Experiment:
  """Everything built from a config before training starts."""
  config: object
  runs: list[Run]
  dataset: data_lib.Dataset
  mesh: object
  chunk_steps: int
  task: Task
  trainer: engine.Trainer
  groups: list[np.ndarray]  # per group, the indices into `runs` of its W slots
  eval_splits: tuple[str, ...] = ("train", "test")

  @property
  def image_captions(self) -> dict:
    """picture name -> what it shows ({} for a task without pictures)."""
    return {} if self.task.images is None else self.task.images.captions

  @property
  def streams(self) -> bool:
    return isinstance(self.dataset.x_train, data_lib.Records)

  @property
  def run_names(self) -> list[str]:
    return [run.name for run in self.runs]

  def run_slots(self):
    """Yields (group index, slot, Run) of every run; padded repeats are skipped."""
    seen = set()
    for g, group in enumerate(self.groups):
      for slot, index in enumerate(group.tolist()):
        if index not in seen:
          seen.add(index)
          yield g, slot, self.runs[index]

  def device_data(self) -> dict:
    """The splits, replicated on every device; with streaming input, the test split and the
    first `config.stream_eval_examples` training examples (for the train-split metrics)."""
    d = self.dataset
    x_train, y_train = d.x_train, d.y_train
    if self.streams:
      x_train, y_train = d.x_train.read(
          np.arange(min(d.num_train, self.config.stream_eval_examples)))
    splits = {"x_train": x_train, "y_train": y_train, "x_test": d.x_test, "y_test": d.y_test}
    if d.x_val is not None:
      splits.update(x_val=d.x_val, y_val=d.y_val)
    return sharding.put_replicated(splits, self.mesh)

  def chunks(self, step: int):
    """Yields (first step, length) of every chunk from `step` to config.num_steps: at most
    chunk_steps long, cut at every multiple of log_every, eval_every and checkpoint_every, so
    any positive intervals work and a run logs, evaluates and saves at the same steps whatever
    its chunk length (its numbers do not depend on the chunking either: module engine)."""
    config = self.config
    intervals = [i for i in (config.log_every, config.eval_every,
                             config.checkpoint_every) if i > 0]
    while step < config.num_steps:
      end = min([step + self.chunk_steps, config.num_steps]
                + [(step // i + 1) * i for i in intervals])
      yield step, end - step
      step = end

  def prefetcher(self, states: list, step: int) -> stream_lib.Prefetcher | None:
    """Streamed minibatches of every chunk from `step` on (None for on-device input)."""
    if not self.streams:
      return None
    keys = [sharding.to_host(s.key) for s in states]
    return stream_lib.Prefetcher(self.trainer, self.dataset.x_train, keys,
                                 list(self.chunks(step)), self.mesh)

  def init_states(self, start: dict | None = None) -> list:
    """Every group's state at step 0. start: {seed: {name: params}} (`run.pretrained_params`):
    seed s's params[name] start from start[s][name] instead of the task's init (optimizer
    states do not depend on the params' values: Adam's and SGD's are zeros)."""
    shard = sharding.seed_sharding(self.mesh)
    states = []
    for group in self.groups:
      runs = [self.runs[i] for i in group.tolist()]
      seeds = np.asarray([run.seed for run in runs], np.int32)
      hparams = hyperparams.as_arrays([run.hparams for run in runs])
      state = self.trainer.init(*sharding.put_global((seeds, hparams), shard))
      if start is not None:
        stacked = jax.tree.map(lambda *leaves: np.stack(leaves),
                               *(start[s] for s in seeds.tolist()))
        state = state.replace(params={**state.params, **sharding.put_global(stacked, shard)})
      states.append(state)
    return states


def make_train(config, dataset: data_lib.Dataset | None = None,
               judge: frechet.Judge | None = None) -> Experiment:
  """Validates `config` (and every sweep point) against its dataset and devices and builds its
  run groups and jitted trainer: `make_train(config).trainer.train_chunk(state, data, n)` runs n
  steps of every run of a group (see `engine.make_trainer`). Nothing is written anywhere.

  dataset: trains on this instead of `data.load(config.dataset)` (e.g. a labelled subset, or
  learned features); the caller names it in the workdir and keeps it a function of the config.
  judge: the classifier named by config.judge; its scores of config.fid_samples samples join
  the evaluation.
  """
  config = config_lib.resolve(config)
  seeds = config_lib.parse_seeds(config.seeds)
  points = sweep_points(config)
  if dataset is None:
    dataset = data_lib.load(config.dataset, split_seed=config.split_seed,
                            data_dir=config.data_dir or None, max_length=config.max_length,
                            stream=config.input == "stream")
  fraction = validation_fraction(config)
  if fraction:
    dataset = subsets.hold_out_validation(dataset, fraction, config.split_seed)
  config_lib.check_fits_dataset(config, dataset)
  task = task_from_config(config, dataset)
  for point in points:
    if point:  # each point's values pass the same checks as a config holding them
      point_config = hyperparams.apply(config, point)
      config_lib.resolve(point_config)
      task_from_config(point_config, dataset)
  runs = [Run(name=str(seed) if not point else f"{hyperparams.label(point)},seed={seed}",
              seed=seed, point=point, label=hyperparams.label(point),
              hparams=hyperparams.values(hyperparams.apply(config, point)))
          for point in points for seed in seeds]
  dataset_metrics = None if judge is None else _judge_metrics(config, task, judge)
  mesh = sharding.make_mesh(seed=config.mesh.seed, data=config.mesh.data)
  sharding.check_batch(config.batch_size, mesh)
  chunk_steps = (engine.default_chunk_steps(jax.default_backend(), task.uses_conv)
                 if config.chunk_steps == -1 else config.chunk_steps)
  eval_splits = tuple(task.eval_splits) + (("val",) if dataset.x_val is not None else ())
  budget = subsets.label_budget(dataset, config.labels_per_class)
  if budget.per_class and task.sample_batch is not None:
    raise ConfigError(f"config.labels_per_class={budget.per_class} does not apply to "
                      f"task {config.task!r}, which draws its own minibatches; use 0")
  trainer = engine.make_trainer(task, dataset.example_shape, config.batch_size, mesh,
                                config.eval_batch_size, dataset.x_train.dtype, dataset_metrics,
                                eval_splits, budget)
  width = sharding.group_width(config.seed_group, mesh)
  groups = rng.seed_groups(tuple(range(len(runs))), width)  # run indices, padded like seeds
  return Experiment(config, runs, dataset, mesh, chunk_steps, task, trainer, groups, eval_splits)


def _judge_metrics(config, task, judge: frechet.Judge):
  """dataset_metrics(params, data, key): the judge's scores of config.fid_samples samples."""
  if judge.name != config.judge:
    raise ConfigError(f"the judge passed in is {judge.name!r} but config.judge="
                      f"{config.judge!r}; pass the judge the config names")
  frechet.check_judge_data(judge.name, judge.dataset, judge.split_seed, config.dataset,
                           config.split_seed)
  if task.sample is None:
    raise ConfigError(f"config.task={config.task!r} draws no samples to judge; use "
                      "--config.judge=''")
  return frechet.sample_scores(judge, task.sample, config.fid_samples)
