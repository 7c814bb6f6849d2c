"""`train_and_evaluate(config, workdir)`: the Python loop over chunks, checkpoints and results.

`make_train(config)` builds everything static without touching the disk; a config with `judge`
set needs `judge=`, a `frechet.Judge` its caller built (`experiments.judges.load_judge`).

Order of work, so that bad input costs nothing and leaves nothing behind:
  1. check the config, load the dataset, check they fit, build the mesh  (no files touched)
  2. claim the workdir: create it, write config.json (or check it equals the stored one)
  3. if results.json is already there, return it without training
  4. restore the newest checkpoint, if any, and train chunk by chunk, saving every
     `checkpoint_every` steps; the final state is saved too; tasks that draw pictures get
     `images/<name>_seed<seed>_step<step>.png` at every save; losses and periodic evaluations
     go to `workdir.Curves` (curves.json, TensorBoard), progress lines to `log` (train.progress)
  5. evaluate every seed; write curves.png, results.json and results.md atomically

Several processes (`genvdisc.distributed`) all run this same loop on their devices' shards and
all save and restore checkpoints; only process 0 writes files and log lines, and preemption is
agreed through Orbax's `reached_preemption`, so every process stops at the same step.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time

import jax
import numpy as np

from genvdisc import config as config_lib
from genvdisc import data as data_lib
from genvdisc import distributed, rng, sharding
from genvdisc import results as results_lib
from genvdisc.checkpoint import Checkpointer
from genvdisc.errors import ConfigError, DivergenceError, WorkdirError
from genvdisc.evaluate import frechet
from genvdisc.tasks.registry import from_config as task_from_config
from genvdisc.train import engine, progress
from genvdisc.train import stream as stream_lib
from genvdisc.train import workdir as workdir_lib
from genvdisc.train.preemption import Preempted, PreemptionGuard

@dataclasses.dataclass
class Experiment:
  """Everything built from a config before training starts."""
  config: object
  seeds: tuple[int, ...]
  dataset: data_lib.Dataset
  mesh: object
  chunk_steps: int
  trainer: engine.Trainer
  groups: list[np.ndarray]
  eval_splits: tuple[str, ...] = ("train", "test")

  @property
  def streams(self) -> bool:
    return isinstance(self.dataset.x_train, data_lib.Records)

  def device_data(self) -> dict:
    """The splits, replicated on every device; with streaming input, the test split and the
    first `config.stream_eval_examples` training examples (for the train-split metrics)."""
    d = self.dataset
    x_train, y_train = d.x_train, d.y_train
    if self.streams:
      x_train, y_train = d.x_train.read(
          np.arange(min(d.num_train, self.config.get("stream_eval_examples", 10_000))))
    return sharding.put_replicated({"x_train": x_train, "y_train": y_train,
                                    "x_test": d.x_test, "y_test": d.y_test}, self.mesh)

  def prefetcher(self, states: list, step: int) -> stream_lib.Prefetcher | None:
    """Streamed minibatches of every chunk from `step` on (None for on-device input)."""
    if not self.streams:
      return None
    starts = range(step, self.config.num_steps, self.chunk_steps)
    chunks = [(first, min(self.chunk_steps, self.config.num_steps - first)) for first in starts]
    keys = [sharding.to_host(s.key) for s in states]
    return stream_lib.Prefetcher(self.trainer, self.dataset.x_train, keys, chunks, self.mesh)

  def init_states(self) -> list:
    return [self.trainer.init(sharding.put_global(g, sharding.seed_sharding(self.mesh)))
            for g in self.groups]


def make_train(config, dataset: data_lib.Dataset | None = None,
               judge: frechet.Judge | None = None) -> Experiment:
  """Validates `config` against its dataset and devices and builds its seed groups and jitted
  trainer: `make_train(config).trainer.train_chunk(state, data, n)` runs n steps of every seed
  of a group (see `engine.make_trainer`). Nothing is written anywhere.

  dataset: trains on this instead of `data.load(config.dataset)` (e.g. a labelled subset, or
  learned features); the caller names it in the workdir and keeps it a function of the config.
  judge: the classifier named by config.judge; its scores of config.fid_samples samples join
  the evaluation (module docstring).
  """
  seeds = config_lib.validate(config)
  if dataset is None:
    dataset = data_lib.load(config.dataset, split_seed=config.get("split_seed", 0),
                            data_dir=config.get("data_dir") or None,
                            max_length=config.get("max_length", 256),
                            stream=config.get("input", "device") == "stream")
  config_lib.check_fits_dataset(config, dataset)
  task = task_from_config(config, dataset)
  dataset_metrics = None if judge is None else _judge_metrics(config, task, judge)
  mesh = sharding.make_mesh(seed=config.mesh.seed, data=config.mesh.data)
  sharding.check_batch(config.batch_size, mesh)
  chunk_steps = (engine.default_chunk_steps(jax.default_backend(), task.uses_conv)
                 if config.chunk_steps == -1 else config.chunk_steps)
  config_lib.check_chunking(config, chunk_steps)
  trainer = engine.make_trainer(task, dataset.example_shape, config.batch_size, mesh,
                                config.eval_batch_size, dataset.x_train.dtype, dataset_metrics)
  return Experiment(config, seeds, dataset, mesh, chunk_steps, trainer,
                    rng.seed_groups(seeds, sharding.group_width(config.seed_group, mesh)),
                    tuple(task.eval_splits))


def _judge_metrics(config, task, judge: frechet.Judge):
  """dataset_metrics(params, data, key): the judge's scores of config.fid_samples samples."""
  if judge.name != config.get("judge", ""):
    raise ConfigError(f"the judge passed in is {judge.name!r} but config.judge="
                      f"{config.get('judge', '')!r}; pass the judge the config names")
  if judge.dataset != config.dataset:
    raise ConfigError(f"config.judge={judge.name!r} is trained on {judge.dataset!r}, not on "
                      f"{config.dataset!r}; pick a judge config for the same dataset")
  if task.sample is None:
    raise ConfigError(f"config.task={config.task!r} draws no samples to judge; use "
                      "--config.judge=''")
  return frechet.sample_scores(judge, task.sample, config.fid_samples)


def train_and_evaluate(config, workdir: str, log=print, overwrite: bool = False,
                       dataset: data_lib.Dataset | None = None,
                       judge: frechet.Judge | None = None) -> dict:
  """Trains every seed of `config` in `workdir` (resuming if possible) and returns results.json.

  overwrite: discard whatever run `workdir` holds (checkpoints, results) and start afresh.
  dataset, judge: as in `make_train`; a config with `judge` set needs its judge.
  Raises `Preempted` after SIGTERM/SIGINT (checkpoint saved; rerun to resume).
  """
  if config.get("judge", "") and judge is None:
    raise ConfigError(f"config.judge={config.judge!r} needs its judge classifier: build it with "
                      "experiments.judges.load_judge and pass judge=, or set --config.judge=''")
  experiment = make_train(config, dataset, judge)
  log = log if distributed.is_primary() else (lambda line: None)
  stored = workdir_lib.claim(workdir, config, overwrite)
  if stored is not None:
    log(f"[{config.name}] {workdir} already holds finished results; not retraining")
    return stored

  start_time = time.time()
  data = experiment.device_data()
  states = experiment.init_states()
  checkpointer = workdir_lib.checkpointer(workdir, config)
  batches = curves = None
  try:
    start_step, states = workdir_lib.restore_newest(checkpointer, states, config, workdir, log)
    curves = workdir_lib.Curves(workdir, experiment.seeds, start_step)
    workdir_lib.clear_preempted(workdir)
    batches = experiment.prefetcher(states, start_step or 0)
    ticker = progress.Progress(config.name, config.num_steps, len(experiment.seeds), log)
    # Several processes agree on preemption through Orbax (JAX's own SIGTERM handler), not here.
    with (PreemptionGuard() if jax.process_count() == 1 else contextlib.nullcontext()) as guard:
      states = _train(experiment, states, data, start_step or 0, checkpointer, curves, workdir,
                      ticker, guard, batches)
    if start_step != config.num_steps:
      checkpointer.save(config.num_steps, {"groups": states})
      _write_images(experiment, states, data, config.num_steps, workdir)
    per_seed = _evaluate(experiment, states, data, ticker, config.num_steps)
    curves.add(config.num_steps, per_seed)
  finally:
    if batches is not None:
      batches.close()
    if curves is not None:
      curves.close()
    checkpointer.close()
  curves.flag_loss_increased(per_seed)
  wall = time.time() - start_time
  results = {
      "config": config_lib.to_json_dict(config),
      "seeds": list(experiment.seeds),
      "seed_group": int(config.seed_group),
      "chunk_steps": experiment.chunk_steps,
      "mesh": sharding.describe(experiment.mesh),
      "resumed_from_step": start_step,
      "per_seed": per_seed,
      "summary": results_lib.summarize(per_seed),
      "curves": curves.points,
      "versions": results_lib.package_versions(),
      "wall_time_s": wall,
  }
  workdir_lib.write_results(workdir, results)
  return results


def restore_states(config, workdir: str, step: int | None = None,
                   dataset: data_lib.Dataset | None = None) -> list:
  """The seed-group train states saved in `workdir` at `step` (default: the newest)."""
  return _restore_groups(make_train(config, dataset), workdir, step)


def restore_seed_params(config, workdir: str, dataset: data_lib.Dataset | None = None) -> dict:
  """{seed: params} of the newest checkpoint in `workdir` (padded repeats dropped)."""
  experiment = make_train(config, dataset)
  states = _restore_groups(experiment, workdir)
  return {seed: jax.tree.map(lambda a: a[slot], states[g].params)
          for g, slot, seed in _seed_slots(experiment)}


def _restore_groups(experiment: Experiment, workdir: str, step: int | None = None) -> list:
  checkpointer = workdir_lib.checkpointer(workdir, experiment.config)
  try:
    step = checkpointer.latest_step() if step is None else step
    if step is None:
      raise WorkdirError(f"no checkpoint in {workdir}/{workdir_lib.CHECKPOINT_DIR}; train there first")
    return checkpointer.restore(step, {"groups": experiment.init_states()})["groups"]
  finally:
    checkpointer.close()


def _train(experiment: Experiment, states: list, data: dict, step: int,
           checkpointer: Checkpointer, curves: workdir_lib.Curves, workdir: str,
           ticker: progress.Progress, guard: PreemptionGuard | None,
           batches: stream_lib.Prefetcher | None) -> list:
  """Runs chunks from `step` to config.num_steps, adding losses and periodic evaluations to
  `curves`; batches: every chunk's streamed minibatches (None: sampled on the device)."""
  config, trainer = experiment.config, experiment.trainer
  num_steps, chunk = config.num_steps, experiment.chunk_steps
  metrics = [None] * len(states)
  chunks_done = 0  # the preemption sync id: JAX agrees on (max id seen) + 1, so ids rise by 1
  while step < num_steps:
    n = min(chunk, num_steps - step)
    with ticker.compiling(step, n) if chunks_done == 0 else contextlib.nullcontext():
      for i, state in enumerate(states):
        if batches is None:
          states[i], metrics[i] = trainer.train_chunk(state, data, n)
        else:
          states[i], metrics[i] = trainer.train_batches(state, batches.next())
      if chunks_done == 0:
        jax.block_until_ready(metrics)
    if step == 0:  # the curves' first entry: step 0's own loss (the loss warnings' reference)
      curves.add_losses(1, _seed_values(experiment, metrics, "first_step_loss"))
      curves.save()
    step += n
    logged = step % config.log_every == 0 or step == num_steps
    if logged:
      _check_divergence(experiment, states)
      losses = curves.add_losses(step, _seed_values(experiment, metrics, "loss"))
      ticker.report(step, losses, [s for s, up in curves.loss_increased().items() if up])
    eval_every = config.get("eval_every", 0)
    evaluated = eval_every and step % eval_every == 0 and step < num_steps
    if evaluated:
      curves.add(step, _evaluate(experiment, states, data, ticker, step))
    if logged or evaluated:
      curves.save()
    checkpoint_due = step % config.checkpoint_every == 0 and step < num_steps
    if checkpoint_due:
      checkpointer.save(step, {"groups": states})
      _write_images(experiment, states, data, step, workdir)
    chunks_done += 1
    stop = guard.requested if guard is not None else checkpointer.reached_preemption(chunks_done)
    if stop and step < num_steps:
      if not checkpoint_due:
        checkpointer.save(step, {"groups": states})
      checkpointer.wait()
      workdir_lib.mark_preempted(workdir, step)
      raise Preempted(step, workdir)
  return states


def _write_images(experiment: Experiment, states: list, data: dict, step: int, workdir: str):
  """PNG grids of the task's pictures, one file per picture, seed and step."""
  if experiment.trainer.images is not None:
    group_images = [sharding.to_host(experiment.trainer.images(s, data)) for s in states]
    workdir_lib.write_images(workdir, step, group_images, _seed_slots(experiment))


def _seed_slots(experiment: Experiment):
  """Yields (group index, slot, seed) for every real seed; padded repeats are skipped."""
  seen = set()
  for g, group in enumerate(experiment.groups):
    for slot, seed in enumerate(group.tolist()):
      if seed not in seen:
        seen.add(seed)
        yield g, slot, seed


def _seed_values(experiment: Experiment, group_metrics: list, name: str) -> dict[str, float]:
  """{seed: float} of metric `name` of every seed group's [W] metrics."""
  values = [sharding.to_host(m[name]) for m in group_metrics]
  return {str(seed): float(values[g][slot]) for g, slot, seed in _seed_slots(experiment)}


def _check_divergence(experiment: Experiment, states: list) -> None:
  if not experiment.config.get("halt_on_divergence", False):
    return
  diverged_at = [sharding.to_host(s.diverged_at) for s in states]
  for g, slot, seed in _seed_slots(experiment):
    if diverged_at[g][slot] >= 0:
      raise DivergenceError(
          f"seed {seed} diverged (NaN/Inf) at step {diverged_at[g][slot]}; lower "
          "config.learning_rate, or set --config.halt_on_divergence=False to freeze it")


def _evaluate(experiment: Experiment, states: list, data: dict,
              ticker: progress.Progress | None = None, step: int = 0) -> dict[str, dict]:
  """Per-seed metrics at `step` (progress lines from `ticker`); `diverged_at_step` is None for
  seeds that stayed finite."""
  sizes = {split: data[f"x_{split}"].shape[0] for split in experiment.eval_splits}
  done = (ticker.evaluating(step, experiment.config, experiment.groups, sizes) if ticker
          else lambda g, metrics: metrics)
  group_metrics = [done(g, sharding.to_host(experiment.trainer.evaluate(state, data)))
                   for g, state in enumerate(states)]
  diverged_at = [sharding.to_host(s.diverged_at) for s in states]
  per_seed = {}
  for g, slot, seed in _seed_slots(experiment):
    metrics = {k: float(v[slot]) for k, v in group_metrics[g].items()}
    diverged = int(diverged_at[g][slot])
    metrics["diverged_at_step"] = None if diverged < 0 else diverged
    per_seed[str(seed)] = metrics
  return per_seed
