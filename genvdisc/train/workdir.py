"""What a workdir holds, and the operations on it that `train.run` makes.

  config.json         the run's config; a workdir refuses a different one (run-control fields
                      such as log_every excepted), but continues a finished or interrupted
                      run asked for more steps when its learning rate does not decay (`claim`)
  checkpoints/<step>  Orbax checkpoints of every seed group's TrainState
  corrupt_checkpoints/  unreadable checkpoints moved aside at restore
  curves.json         the curves so far, written during the run so that an interrupted run keeps
                      them; at the end they are results.json's "curves": a list sorted by step,
                      one {"step": int, "per_seed": {seed: {metric: value}}} per step, holding
                      every log step's `minibatch_loss` (the seed's mean training loss over
                      the steps since the previous log step, or since the step the run resumed
                      from, whatever the chunk length; None if not finite; at step 1, step 0's
                      own loss, the reference of the loss warning) and the evaluations (every
                      config.eval_every steps and at the end), merged when both fall on one
                      step; a continued run keeps the shorter run's, its final evaluation too
  curves.png          the curves as mean ± std bands (genvdisc.report.curves), at the end
  sweep.md, sweep.csv, sweep.png   a sweep's points side by side: every field's value, the
                      validation and test metrics over seeds, the selected point
                      (genvdisc.report.sweeps), at the end
  tensorboard/        TensorBoard event files, a run per seed and their mean (train.metric_writer)
  images/             PNG grids of tasks that draw pictures, per seed and step
  PREEMPTED           written when SIGTERM/SIGINT stopped the run (removed on resume)
  results.json, results.md   written atomically when every seed is evaluated
"""

from __future__ import annotations

import math
import os
import shutil

from genvdisc import config as config_lib
from genvdisc import distributed, optim
from genvdisc import results as results_lib
from genvdisc.checkpoint import Checkpointer
from genvdisc.errors import CheckpointError, ConfigError, WorkdirError
from genvdisc.report import curves as curves_lib
from genvdisc.report import plots
from genvdisc.report import runs as runs_report
from genvdisc.report import sweeps as sweeps_lib
from genvdisc.train import progress
from genvdisc.train.metric_writer import MetricWriter

RESULTS_JSON = "results.json"
RESULTS_MD = "results.md"
CONFIG_JSON = "config.json"
CURVES_JSON = "curves.json"
CURVES_PNG = "curves.png"
TENSORBOARD_DIR = "tensorboard"
MINIBATCH_LOSS = "minibatch_loss"
CHECKPOINT_DIR = "checkpoints"
IMAGES_DIR = "images"
CORRUPT_DIR = "corrupt_checkpoints"
PREEMPTED_MARKER = "PREEMPTED"
RUN_FILES = (RESULTS_JSON, RESULTS_MD, CONFIG_JSON, CURVES_JSON, CURVES_PNG, PREEMPTED_MARKER,
             CHECKPOINT_DIR, CORRUPT_DIR, IMAGES_DIR, TENSORBOARD_DIR, sweeps_lib.SWEEP_MD,
             sweeps_lib.SWEEP_CSV, sweeps_lib.SWEEP_PNG)


def checkpointer(workdir: str, config) -> Checkpointer:
  return Checkpointer(os.path.join(workdir, CHECKPOINT_DIR), config.keep_checkpoints)


def claim(workdir: str, config, overwrite: bool = False, log=lambda line: None) -> dict | None:
  """Creates `workdir` and records the config (process 0); returns stored results of a finished
  run, else None (train, resuming from its newest checkpoint if any).

  A stored run whose config differs only by a smaller num_steps is continued when its learning
  rate does not depend on num_steps (`optim.decays`): its results are removed and config.json
  records the new num_steps, so training resumes from its last checkpoint, bitwise as if the
  larger num_steps had been asked from the start. Any other difference is refused.
  """
  config_path = os.path.join(workdir, CONFIG_JSON)
  wanted = config_lib.to_json_dict(config)
  # Every process reads the stored config before process 0 may rewrite it.
  stored = results_lib.read_json(config_path) if os.path.exists(config_path) else None
  continued = stored is not None and not overwrite and _continues(workdir, stored, config)
  distributed.barrier("read_workdir_config")
  try:
    if distributed.is_primary():
      os.makedirs(workdir, exist_ok=True)
      removed = RUN_FILES if overwrite else (RESULTS_JSON, RESULTS_MD) if continued else ()
      for name in removed:
        path = os.path.join(workdir, name)
        if os.path.isdir(path):
          shutil.rmtree(path)
        elif os.path.exists(path):
          os.remove(path)
      if stored is None or overwrite or continued:
        results_lib.write_json_atomic(config_path, wanted)
  except OSError as e:
    raise WorkdirError(f"cannot write workdir {workdir!r} ({e.strerror or e}); "
                       "pass a writable --workdir") from None
  distributed.barrier("claim_workdir")
  if continued:
    log(f"[{config.name}] continuing the {stored['num_steps']}-step run in {workdir} to "
        f"{config.num_steps} steps")
  results_path = os.path.join(workdir, RESULTS_JSON)
  return results_lib.read_json(results_path) if os.path.exists(results_path) else None


def _continues(workdir: str, stored: dict, config) -> bool:
  """Whether the run stored in `workdir` (its config.json, `stored`) is continued to
  config.num_steps (False: the same run); raises a one-line WorkdirError for any other config."""
  wanted = config_lib.to_json_dict(config_lib.resolve(config))
  try:  # a field added to the schema since reads back as its default
    stored = config_lib.to_json_dict(config_lib.resolve(stored))
  except ConfigError:  # a field since removed: the diff names it
    pass
  diff = sorted(k for k in set(stored) | set(wanted)
                if stored.get(k) != wanted.get(k) and k not in config_lib.RUN_CONTROL_FIELDS)
  fix = "use a new --workdir, or --overwrite to discard it"
  if diff != ["num_steps"]:
    if diff:
      raise WorkdirError(f"workdir {workdir!r} holds a run with a different config (fields: "
                         f"{', '.join(diff)}); {fix}")
    return False
  steps, schedule = stored["num_steps"], config.lr_schedule
  if config.num_steps < steps:
    raise WorkdirError(f"workdir {workdir!r} holds a {steps}-step run, longer than "
                       f"config.num_steps={config.num_steps}; {fix}")
  if optim.decays(schedule):
    raise WorkdirError(f"workdir {workdir!r} holds a {steps}-step run whose learning rate decays "
                       f"over num_steps (config.lr_schedule={schedule!r}), so continuing it would "
                       f"not equal a {config.num_steps}-step run; {fix}")
  return True


def restore_newest(checkpointer: Checkpointer, states: list, config, workdir: str, log):
  """(step, states) from the newest readable checkpoint, or (None, states) for a fresh run.

  Unreadable newer steps are moved to workdir/corrupt_checkpoints with a warning. If steps exist
  but none is readable, that is an error unless config.allow_fresh_start.
  """
  step, restored, unreadable = checkpointer.newest_readable({"groups": states})
  if unreadable:
    names = ", ".join(f"{s} ({type(e).__name__})" for s, e in unreadable)
    if step is None and not config.allow_fresh_start:
      raise CheckpointError(
          f"no readable checkpoint in {checkpointer.directory} (unreadable steps: {names}); "
          "repair or remove them, or pass --config.allow_fresh_start=True to train from step 0")
    quarantine = os.path.join(workdir, CORRUPT_DIR)
    checkpointer.quarantine([s for s, _ in unreadable], quarantine)
    log(f"[{config.name}] warning: unreadable checkpoint step(s) {names} moved to {quarantine}; "
        + (f"falling back to step {step}" if step is not None else "training from step 0"))
  if step is None:
    return None, states
  log(f"[{config.name}] resumed from step {step} ({workdir})")
  return step, restored["groups"]


def mark_preempted(workdir: str, step: int) -> None:
  """Writes the PREEMPTED marker (process 0) when SIGTERM/SIGINT stopped the run at `step`."""
  if distributed.is_primary():
    results_lib.write_json_atomic(os.path.join(workdir, PREEMPTED_MARKER), {"step": step})


def clear_preempted(workdir: str) -> None:
  """Removes the PREEMPTED marker (process 0) as a run resumes."""
  path = os.path.join(workdir, PREEMPTED_MARKER)
  if distributed.is_primary() and os.path.exists(path):
    os.remove(path)


def write_results(workdir: str, results: dict) -> None:
  """curves.png (and of a sweep, sweep.md/.csv/.png), then results.json and results.md (whose
  presence marks the run finished), each atomically, by process 0."""
  if not distributed.is_primary():
    return
  curves_lib.plot(results["curves"], os.path.join(workdir, CURVES_PNG), results["config"]["name"])
  if "points" in results:
    sweeps_lib.write(results, workdir)
  results_lib.write_json_atomic(os.path.join(workdir, RESULTS_JSON), results)
  results_lib.write_text_atomic(os.path.join(workdir, RESULTS_MD), "\n".join(
      [runs_report.table_header(), *runs_report.markdown_rows(results)]) + "\n")


def write_images(workdir: str, step: int, group_images: list[dict], seed_slots, config_name: str,
                 captions: dict[str, str]) -> None:
  """images/<name>_seed<seed>_step<step>.png of every (group, slot, seed) (process 0), each
  captioned '<config_name> seed <seed>, step <step>: <captions[name]>'."""
  if not distributed.is_primary():
    return
  for g, slot, seed in seed_slots:
    for name, images in group_images[g].items():
      plots.save_grid(os.path.join(workdir, IMAGES_DIR, f"{name}_seed{seed}_step{step}.png"),
                      images[slot], caption=plots.grid_caption(
                          config_name, seed, step, captions.get(name, name)))


def load_curves(workdir: str, up_to_step: int) -> list[dict]:
  """The curves an interrupted run already wrote, up to the step it resumes from."""
  path = os.path.join(workdir, CURVES_JSON)
  if not up_to_step or not os.path.exists(path):
    return []
  return [point for point in results_lib.read_json(path) if point["step"] <= up_to_step]


class Curves:
  """The curves of a run under way (CURVES_JSON): in memory (`points`), in curves.json
  (`save`, process 0) and in TensorBoard (`metric_writer`, purged from the step the run starts
  at, so a resumed run continues the same series)."""

  def __init__(self, workdir: str, seeds, start_step: int | None):
    self.workdir = workdir
    self.points = load_curves(workdir, start_step or 0)
    self.writer = MetricWriter(os.path.join(workdir, TENSORBOARD_DIR) if distributed.is_primary()
                               else None, seeds, start_step or 0)
    for point in self.points[-1:]:
      if point["step"] == start_step:  # written before the interruption, purged: write it again
        self.writer.write(start_step, point["per_seed"])

  def add(self, step: int, per_seed: dict[str, dict]) -> None:
    """Merges per-seed metrics into the entry of `step`, appended if new (steps only grow)."""
    if not self.points or self.points[-1]["step"] != step:
      self.points.append({"step": step, "per_seed": {}})
    for seed, metrics in per_seed.items():
      self.points[-1]["per_seed"].setdefault(seed, {}).update(metrics)
    self.writer.write(step, per_seed)

  def add_losses(self, step: int, losses: dict[str, float]) -> dict[str, float | None]:
    """Adds each seed's logged loss (module docstring: curves.json) as its `minibatch_loss`
    (None if not finite) and returns them."""
    losses = {seed: loss if math.isfinite(loss) else None for seed, loss in losses.items()}
    self.add(step, {seed: {MINIBATCH_LOSS: loss} for seed, loss in losses.items()})
    return losses

  def save(self) -> None:
    if distributed.is_primary():
      results_lib.write_json_atomic(os.path.join(self.workdir, CURVES_JSON), self.points)

  def flag_loss_increased(self, per_seed: dict[str, dict]) -> None:
    """Sets every seed's `loss_increased` (see `loss_increased`)."""
    increased = self.loss_increased()
    for seed, metrics in per_seed.items():
      metrics["loss_increased"] = increased.get(seed, False)

  def loss_increased(self) -> dict[str, bool]:
    """Per seed: did its last logged minibatch loss rise past `progress.LOSS_INCREASE_FACTOR`
    times its first finite one? (`progress.loss_increased`)"""
    first, last = {}, {}
    for point in self.points:
      for seed, metrics in point["per_seed"].items():
        if MINIBATCH_LOSS in metrics:
          last[seed] = metrics[MINIBATCH_LOSS]
          if last[seed] is not None:
            first.setdefault(seed, last[seed])
    return {seed: progress.loss_increased(first.get(seed), loss) for seed, loss in last.items()}

  def close(self) -> None:
    self.writer.close()
