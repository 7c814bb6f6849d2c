"""What a workdir holds, and the operations on it that `train.run` makes.

  config.json         the run's config; a workdir refuses a different one (run-control fields
                      such as log_every excepted)
  checkpoints/<step>  Orbax checkpoints of every seed group's TrainState
  corrupt_checkpoints/  unreadable checkpoints moved aside at restore
  curves.json         periodic evaluations (config.eval_every > 0) written during the run, so an
                      interrupted run keeps them; at the end they are results.json's "curves"
  images/             PNG grids of tasks that draw pictures, per seed and step
  PREEMPTED           written when SIGTERM/SIGINT stopped the run (removed on resume)
  results.json, results.md   written atomically when every seed is evaluated
"""

from __future__ import annotations

import os
import shutil

from genvdisc import config as config_lib
from genvdisc import distributed
from genvdisc import results as results_lib
from genvdisc.checkpoint import Checkpointer
from genvdisc.errors import CheckpointError, WorkdirError

RESULTS_JSON = "results.json"
RESULTS_MD = "results.md"
CONFIG_JSON = "config.json"
CURVES_JSON = "curves.json"
CHECKPOINT_DIR = "checkpoints"
IMAGES_DIR = "images"
CORRUPT_DIR = "corrupt_checkpoints"
PREEMPTED_MARKER = "PREEMPTED"
RUN_FILES = (RESULTS_JSON, RESULTS_MD, CONFIG_JSON, CURVES_JSON, PREEMPTED_MARKER, CHECKPOINT_DIR,
             CORRUPT_DIR, IMAGES_DIR)



def checkpointer(workdir: str, config) -> Checkpointer:
  return Checkpointer(os.path.join(workdir, CHECKPOINT_DIR), config.keep_checkpoints)


def claim(workdir: str, config, overwrite: bool = False) -> dict | None:
  """Creates `workdir` and records the config (process 0); returns stored results of a finished run."""
  config_path = os.path.join(workdir, CONFIG_JSON)
  wanted = config_lib.to_json_dict(config)
  try:
    if distributed.is_primary():
      os.makedirs(workdir, exist_ok=True)
      if overwrite:
        for name in RUN_FILES:
          path = os.path.join(workdir, name)
          if os.path.isdir(path):
            shutil.rmtree(path)
          elif os.path.exists(path):
            os.remove(path)
      if not os.path.exists(config_path):
        results_lib.write_json_atomic(config_path, wanted)
  except OSError as e:
    raise WorkdirError(f"cannot write workdir {workdir!r} ({e.strerror or e}); "
                       "pass a writable --workdir") from None
  distributed.barrier("claim_workdir")
  stored = results_lib.read_json(config_path)
  diff = sorted(k for k in set(stored) | set(wanted)
                if stored.get(k) != wanted.get(k) and k not in config_lib.RUN_CONTROL_FIELDS)
  if diff:
    raise WorkdirError(f"workdir {workdir!r} holds a run with a different config (fields: "
                       f"{', '.join(diff)}); use a new --workdir, or --overwrite to discard it")
  results_path = os.path.join(workdir, RESULTS_JSON)
  return results_lib.read_json(results_path) if os.path.exists(results_path) else None


def restore_newest(checkpointer: Checkpointer, states: list, config, workdir: str, log):
  """(step, states) from the newest readable checkpoint, or (None, states) for a fresh run.

  Unreadable newer steps are moved to workdir/corrupt_checkpoints with a warning. If steps exist
  but none is readable, that is an error unless config.allow_fresh_start.
  """
  step, restored, unreadable = checkpointer.newest_readable({"groups": states})
  if unreadable:
    names = ", ".join(f"{s} ({type(e).__name__})" for s, e in unreadable)
    if step is None and not config.get("allow_fresh_start", False):
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


def load_curves(workdir: str, up_to_step: int) -> list[dict]:
  """Evaluations an interrupted run already made, up to the step it resumes from."""
  path = os.path.join(workdir, CURVES_JSON)
  if not up_to_step or not os.path.exists(path):
    return []
  return [point for point in results_lib.read_json(path) if point["step"] <= up_to_step]
