"""`train_runs(config, workdir)`: the Python loop over chunks, checkpoints and results of one
compiled group of runs (`train.sweep.train_and_evaluate`, the public entry, runs a sweep's
structural groups through it one after another).

`make_train(config)` (`train.experiment`) builds everything static without touching the disk: the
runs (sweep points x seeds), their groups and the jitted trainer; a config with `judge` set needs
`judge=`, a `frechet.Judge` its caller built (`experiments.judges.load_judge`).

Order of work, so that bad input costs nothing and leaves nothing behind:
  1. check the config, load the dataset, check they fit, build the mesh, check the run a task's
     params start from (its `WarmStart`, e.g. config.pretrained) (`warm_start_source`)
     (no files touched)
  2. claim the workdir: create it, write config.json (or check it equals the stored one, or
     continue the stored run to a larger num_steps: `workdir.claim`)
  3. if results.json is already there, return it without training
  4. start every seed from the task's init, or from its warm start: that run's params of the
     same seed, cut by the task (`warm_start_params`)
     print XLA's memory estimate of one compiled chunk (stop with one line if it cannot fit)
     restore the newest checkpoint, if any, and train chunk by chunk (`Experiment.chunks`),
     saving every `checkpoint_every` steps; the final state is saved too; tasks that draw
     pictures get `images/<name>_seed<seed>_step<step>.png` at every save; losses and periodic
     evaluations go to `workdir.Curves` (curves.json, TensorBoard), progress lines to `log`
     (train.progress)
  5. evaluate every run; write curves.png, results.json and results.md atomically (a sweep:
     a row and a summary per point, the point chosen by config.select on the validation split)

Several processes (`genvdisc.distributed`) all run this same loop on their devices' shards and
all save and restore checkpoints; only process 0 writes files and log lines, and preemption is
agreed through Orbax's `reached_preemption`, so every process stops at the same step.
"""

from __future__ import annotations

import contextlib
import os
import time

import jax
import numpy as np

from genvdisc import config as config_lib
from genvdisc import data as data_lib
from genvdisc import distributed, sharding
from genvdisc import results as results_lib
from genvdisc.checkpoint import Checkpointer
from genvdisc.errors import ConfigError, DivergenceError, WorkdirError
from genvdisc.evaluate import frechet
from genvdisc.train import memory, progress
from genvdisc.train import stream as stream_lib
from genvdisc.train import workdir as workdir_lib
from genvdisc.train.experiment import Experiment, make_train, rerun_command, validation_fraction
from genvdisc.train.preemption import Preempted, PreemptionGuard, pause_if_asked

def train_runs(config, workdir: str, log=print, overwrite: bool = False,
               dataset: data_lib.Dataset | None = None,
               judge: frechet.Judge | None = None) -> dict:
  """Trains every run of `config` in `workdir` (resuming if possible) and returns results.json.

  overwrite: discard whatever run `workdir` holds (checkpoints, results) and start afresh.
  dataset, judge: as in `make_train`; a config with `judge` set needs its judge.
  Raises `Preempted` after SIGTERM/SIGINT (checkpoint saved; rerun to resume).
  """
  config = config_lib.resolve(config)
  if config.judge and judge is None:
    raise ConfigError(f"config.judge={config.judge!r} needs its judge classifier: build it with "
                      "experiments.judges.load_judge and pass judge=, or set --config.judge=''")
  experiment = make_train(config, dataset, judge)
  source = warm_start_source(experiment)
  log = log if distributed.is_primary() else (lambda line: None)
  stored = workdir_lib.claim(workdir, config, overwrite, log)
  if stored is not None:
    log(f"[{config.name}] {workdir} already holds finished results; not retraining")
    return stored

  start_time = time.time()
  data = experiment.device_data()
  states = experiment.init_states(None if source is None else warm_start_params(experiment, source))
  checkpointer = workdir_lib.checkpointer(workdir, config)
  batches = curves = None
  try:
    start_step, states = workdir_lib.restore_newest(checkpointer, states, config, workdir, log)
    curves = workdir_lib.Curves(workdir, experiment.run_names, start_step)
    workdir_lib.clear_preempted(workdir)
    batches = experiment.prefetcher(states, start_step or 0)
    ticker = progress.Progress(config.name, config.num_steps, len(experiment.runs), log)
    estimate = {}
    # Several processes agree on preemption through Orbax (JAX's own SIGTERM handler), not here.
    with (PreemptionGuard() if jax.process_count() == 1 else contextlib.nullcontext()) as guard:
      states = _train(experiment, states, data, start_step or 0, checkpointer, curves, workdir,
                      ticker, guard, batches, estimate)
    if start_step != config.num_steps:
      checkpointer.save(config.num_steps, {"groups": states})
      _write_images(experiment, states, data, config.num_steps, workdir)
    per_seed = _evaluate(experiment, states, data, ticker, config.num_steps)
    curves.add(config.num_steps, per_seed)
    curves.save()  # with the final evaluation: what a continued run starts from
  finally:
    if batches is not None:
      batches.close()
    if curves is not None:
      curves.close()
    checkpointer.close()
  curves.flag_loss_increased(per_seed)
  results = results_lib.build(
      config_lib.to_json_dict(config), per_seed, time.time() - start_time,
      experiment.task.headline, experiment.runs, select=config.select,
      rerun=lambda run: rerun_command(config, run, workdir), seed_group=int(config.seed_group),
      chunk_steps=experiment.chunk_steps, mesh=sharding.describe(experiment.mesh),
      resumed_from_step=start_step, validation_fraction=validation_fraction(config),
      memory=estimate or None, curves=curves.points)
  workdir_lib.write_results(workdir, results)
  return results


def restore_states(config, workdir: str, step: int | None = None,
                   dataset: data_lib.Dataset | None = None) -> list:
  """The seed-group train states saved in `workdir` at `step` (default: the newest)."""
  return restore_groups(make_train(config, dataset), workdir, step)


def restore_seed_params(config, workdir: str, dataset: data_lib.Dataset | None = None) -> dict:
  """{seed: params} of the newest checkpoint in `workdir` (padded repeats dropped; not for
  sweeps: `genvdisc.load` reads any workdir)."""
  config = config_lib.resolve(config)
  if config.sweep:
    raise ConfigError("restore_seed_params reads one run per seed; load a sweep's runs with "
                      "genvdisc.load(workdir)")
  experiment = make_train(config, dataset)
  params = run_params(experiment, restore_groups(experiment, workdir))
  return {run.seed: params[run.name] for run in experiment.runs}


def run_params(experiment: Experiment, states: list) -> dict:
  """{run name: params} cut out of the seed groups' `states` (no run axis, padding dropped)."""
  return {run.name: jax.tree.map(lambda a: a[slot], states[g].params)
          for g, slot, run in experiment.run_slots()}


def warm_start_source(experiment: Experiment) -> dict | None:
  """The config.json of the run the task's params start from (None without a `WarmStart`),
  checked before anything is written or restored: a finished run (results.json) of every seed
  of the experiment that fits the task (`WarmStart.check`)."""
  warm = experiment.task.warm_start
  if warm is None:
    return None
  where = f"{warm.field}={warm.workdir!r}"
  if not os.path.exists(os.path.join(warm.workdir, workdir_lib.RESULTS_JSON)):
    raise ConfigError(f"{where} holds no finished run ({workdir_lib.RESULTS_JSON}); train it "
                      "there first, or use '' (from scratch)")
  source = results_lib.read_json(os.path.join(warm.workdir, workdir_lib.CONFIG_JSON))
  warm.check(source)
  missing = sorted({run.seed for run in experiment.runs}
                   - set(config_lib.parse_seeds(source["seeds"])))
  if missing:
    raise ConfigError(f"{where} trained seeds {source['seeds']}, not "
                      f"{','.join(map(str, missing))}; use config.seeds among them")
  return source


def warm_start_params(experiment: Experiment, source: dict) -> dict[int, dict]:
  """{seed: params it starts from}: each seed's params restored from the warm start's run (its
  newest checkpoint, restored with `source`, its config.json), cut by `WarmStart.start`."""
  warm = experiment.task.warm_start
  restored = restore_seed_params(source, warm.workdir)
  return {seed: warm.start(params) for seed, params in restored.items()}


def restore_groups(experiment: Experiment, workdir: str, step: int | None = None) -> list:
  """Every seed group's TrainState saved in `workdir` at `step` (default: the newest)."""
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
           batches: stream_lib.Prefetcher | None, estimate: dict) -> list:
  """Runs the chunks of `experiment.chunks(step)` to config.num_steps, adding losses and
  periodic evaluations to `curves`; batches: every chunk's streamed minibatches (None: sampled
  on the device). The loss logged at a log step is each run's mean training loss over the
  steps since the previous log step (or since `step`, for the first), from every step's loss."""
  config, trainer = experiment.config, experiment.trainer
  num_steps = config.num_steps
  metrics = [None] * len(states)
  unlogged = []  # per chunk since the last log step, every group's step losses [W, n]
  pace = sharding.Pacer()  # bounded run-ahead: XLA:CPU collectives deadlock past 32 queued calls
  chunks_done = 0
  for _, n in experiment.chunks(step):
    with ticker.compiling(step, n) if chunks_done == 0 else contextlib.nullcontext():
      if chunks_done == 0 and batches is None:  # compiles the chunk the loop then reuses
        estimate.update(memory.check_chunk(experiment, states[0], data, step, ticker.log) or {})
      for i, state in enumerate(states):
        if batches is None:
          states[i], metrics[i] = trainer.train_chunk(state, data, n)
        else:
          states[i], metrics[i] = trainer.train_batches(state, batches.next())
        pace(metrics[i])
      if chunks_done == 0:
        jax.block_until_ready(metrics)
    if step == 0:  # the curves' first entry: step 0's own loss (the loss warnings' reference)
      curves.add_losses(1, _run_values(experiment, metrics, "first_step_loss"))
      curves.save()
    step += n
    unlogged.append([m["step_losses"] for m in metrics])
    logged = step % config.log_every == 0 or step == num_steps
    if logged:
      _check_divergence(experiment, states)
      losses = curves.add_losses(step, _mean_losses(experiment, unlogged))
      unlogged = []
      ticker.report(step, losses, [s for s, up in curves.loss_increased().items() if up])
    evaluated = config.eval_every and step % config.eval_every == 0 and step < num_steps
    if evaluated:
      curves.add(step, _evaluate(experiment, states, data, ticker, step))
    if logged or evaluated:
      curves.save()
    checkpoint_due = step % config.checkpoint_every == 0 and step < num_steps
    if checkpoint_due:
      checkpointer.save(step, {"groups": states})
      _write_images(experiment, states, data, step, workdir)
    chunks_done += 1
    pause_if_asked(step, workdir, guard, checkpointer)  # test hook: GENVDISC_PAUSE_AT_STEP
    stop = (guard.requested if guard is not None
            else checkpointer.reached_preemption(step - n + 1, step))  # every step: see there
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
    workdir_lib.write_images(workdir, step, group_images,
                             [(g, slot, run.name) for g, slot, run in experiment.run_slots()],
                             experiment.config.name, experiment.image_captions)


def _run_values(experiment: Experiment, group_metrics: list, name: str) -> dict[str, float]:
  """{run name: float} of metric `name` of every group's [W] metrics."""
  values = [sharding.to_host(m[name]) for m in group_metrics]
  return {run.name: float(values[g][slot]) for g, slot, run in experiment.run_slots()}


def _mean_losses(experiment: Experiment, chunks: list[list]) -> dict[str, float]:
  """{run name: mean of its step losses over `chunks`}, each chunk every group's [W, n] step
  losses, averaged in float64 on the host: the same value however the steps were chunked."""
  per_group = [np.concatenate([sharding.to_host(chunk[g]) for chunk in chunks], axis=1)
               for g in range(len(experiment.groups))]
  return {run.name: float(np.mean(per_group[g][slot], dtype=np.float64))
          for g, slot, run in experiment.run_slots()}


def _check_divergence(experiment: Experiment, states: list) -> None:
  if not experiment.config.halt_on_divergence:
    return
  diverged_at = [sharding.to_host(s.diverged_at) for s in states]
  for g, slot, run in experiment.run_slots():
    if diverged_at[g][slot] >= 0:
      raise DivergenceError(
          f"{'run' if run.point else 'seed'} {run.name} diverged (NaN/Inf) at step {diverged_at[g][slot]}; lower "
          "config.learning_rate, or set --config.halt_on_divergence=False to freeze it")


def _evaluate(experiment: Experiment, states: list, data: dict,
              ticker: progress.Progress | None = None, step: int = 0) -> dict[str, dict]:
  """Per-run metrics at `step` (progress lines from `ticker`); `diverged_at_step` is None for
  runs that stayed finite."""
  sizes = {split: data[f"x_{split}"].shape[0] for split in experiment.eval_splits}
  names = [[experiment.runs[i].name for i in group.tolist()] for group in experiment.groups]
  done = (ticker.evaluating(step, experiment.config, names, sizes) if ticker
          else lambda g, metrics: metrics)
  group_metrics = [done(g, sharding.to_host(experiment.trainer.evaluate(state, data)))
                   for g, state in enumerate(states)]
  diverged_at = [sharding.to_host(s.diverged_at) for s in states]
  per_seed = {}
  for g, slot, run in experiment.run_slots():
    metrics = {k: float(v[slot]) for k, v in group_metrics[g].items()}
    diverged = int(diverged_at[g][slot])
    metrics["diverged_at_step"] = None if diverged < 0 else diverged
    per_seed[run.name] = metrics
  return per_seed
