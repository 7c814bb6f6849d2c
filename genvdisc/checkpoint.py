"""Checkpoints of the whole vmapped train state. The only module that imports Orbax.

Orbax saves step N to `N.orbax-checkpoint-tmp` and renames it to `N` when complete (atomic on
POSIX), so a crash mid-save leaves the previous steps intact; the tmp dir is ignored, and
removed when the next `Checkpointer` of the directory starts. A save that fails for an OS reason
(disk full, permissions) is raised as an `OSError` naming the step's directory and the errno,
whichever call it surfaces in (saves are asynchronous), after its tmp dir is removed; the
tracebacks Orbax logs and tensorstore prints for it are dropped (`_quiet_failed_saves`).
With several processes, every process calls every method: each saves and restores the shards
of its own devices, and Orbax's primary process (0) finalises the directories.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import shutil
import sys
import threading

import jax
import orbax.checkpoint as ocp

from genvdisc import distributed

TMP_SUFFIX = ".orbax-checkpoint-tmp"
# Tensorstore, which writes the arrays, reports a failed write as a ValueError ending in this.
_TENSORSTORE_ERRNO = re.compile(r"os_error_code='?(\d+)")
_QUOTED_PATH = re.compile(r'"(/[^"]*)"')


class _DropOrbaxErrors(logging.Filter):
  """Drops Orbax's ERROR log records (tracebacks of a failed save): `Checkpointer` raises the
  failure itself, as one line."""

  def filter(self, record: logging.LogRecord) -> bool:
    return not (record.levelno >= logging.ERROR and f"{os.sep}orbax{os.sep}" in record.pathname)


def os_error(e: BaseException, default_path: str) -> OSError | None:
  """The OSError behind `e` (itself, its cause or context, or a tensorstore errno in its message),
  naming the checkpoint step it was writing (its tmp suffix cut) or `default_path`; None if
  `e` is no OS error."""
  seen = e
  while seen is not None and not isinstance(seen, OSError):
    seen = seen.__cause__ or seen.__context__
  if seen is not None:
    code, text, path = seen.errno, seen.strerror or str(seen), seen.filename
  else:
    match = _TENSORSTORE_ERRNO.search(str(e))
    if match is None:
      return None
    code = int(match.group(1))
    text, path = os.strerror(code), next(iter(_QUOTED_PATH.findall(str(e))), None)
  path = str(path) if path is not None else default_path
  if TMP_SUFFIX in path:
    path = path[:path.index(TMP_SUFFIX)]
  return OSError(code, text, path)


class Checkpointer:
  """Saves a pytree of arrays every time `save` is called and keeps the newest `keep` steps."""

  def __init__(self, directory: str, keep: int = 2):
    _quiet_failed_saves()
    self._manager = ocp.CheckpointManager(
        os.path.abspath(directory),
        options=ocp.CheckpointManagerOptions(
            preservation_policy=ocp.checkpoint_managers.LatestN(n=keep), create=True,
            cleanup_tmp_directories=True))

  def latest_step(self) -> int | None:
    return self._manager.latest_step()

  def save(self, step: int, state) -> None:
    """Starts an asynchronous save (device arrays are copied before it returns); raises the
    OSError of a previous save that failed."""
    with self._os_errors():
      self._manager.save(step, args=ocp.args.StandardSave(state), force=True)

  def reached_preemption(self, first_step: int, last_step: int) -> bool:
    """Whether the cluster asked every process to stop at one of the steps first_step ..
    last_step (only under jax.distributed); every process calls it after every chunk.

    After a SIGTERM, JAX's preemption service picks (the largest id any process has passed) + 1
    as the stopping point, and Orbax's `save` passes its step as an id too. So the ids are the
    steps, every one in turn: ids that skip (steps of 5-step chunks, or chunk counts beside the
    saves' steps) can miss the stopping point, and the run would not stop."""
    return any(self._manager.reached_preemption(step)
               for step in range(first_step, last_step + 1))

  def restore(self, step: int, like):
    """Restores `step` with the structure, dtypes and shardings of `like`."""
    abstract = jax.tree.map(
        lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=x.sharding), like)
    return self._manager.restore(step, args=ocp.args.StandardRestore(abstract))

  def newest_readable(self, like) -> tuple[int | None, object, list[tuple[int, Exception]]]:
    """(step, state) of the newest step that restores, plus the newer steps that did not.

    Orbax does not fall back by itself: a truncated or garbled file makes restore raise
    (ValueError and others). Nothing is changed on disk; see `quarantine`.
    """
    unreadable = []
    for step in sorted(self._manager.all_steps(), reverse=True):
      try:
        return step, self.restore(step, like), unreadable
      except Exception as e:  # pylint: disable=broad-except -- any failure means unreadable
        unreadable.append((step, e))
    return None, None, unreadable

  def quarantine(self, steps, directory: str) -> None:
    """Moves the given steps out of the checkpoint directory (so new saves can reuse them)."""
    if distributed.is_primary():
      os.makedirs(directory, exist_ok=True)
      for step in steps:
        shutil.move(os.path.join(self.directory, str(step)), os.path.join(directory, str(step)))
    distributed.barrier("quarantine")
    self._manager.reload()

  @property
  def directory(self) -> str:
    return str(self._manager.directory)

  def wait(self) -> None:
    """Waits for the save under way; raises its OSError if it failed."""
    with self._os_errors():
      self._manager.wait_until_finished()

  def close(self) -> None:
    try:
      self.wait()
    finally:
      self._manager.close()

  @contextlib.contextmanager
  def _os_errors(self):
    """A save's OS failure, however Orbax wraps it, becomes one OSError (module docstring)."""
    try:
      yield
    except Exception as e:  # pylint: disable=broad-except -- re-raised unless an OS error
      error = os_error(e, self.directory)
      if error is None:
        raise
      self._remove_unfinished()
      raise error from None

  def _remove_unfinished(self) -> None:
    """Removes the tmp dirs of saves that did not finish (process 0)."""
    if distributed.is_primary():
      for path in glob.glob(os.path.join(glob.escape(self.directory), f"*{TMP_SUFFIX}*")):
        shutil.rmtree(path, ignore_errors=True)


def _quiet_failed_saves() -> None:
  """Installs (once) the filters that keep a failed save to the one line `Checkpointer` raises:
  Orbax's ERROR log records, and the 'Event loop is closed' errors that tensorstore's threads
  raise when the writes still in flight finish after Orbax gave up on the save (whichever hook
  Python reports them through: sys.excepthook, sys.unraisablehook or threading.excepthook)."""
  logger = logging.getLogger("absl")
  if not any(isinstance(f, _DropOrbaxErrors) for f in logger.filters):
    logger.addFilter(_DropOrbaxErrors())
  if not getattr(sys.excepthook, "drops_late_writes", False):
    sys.excepthook = _drop_late_writes(sys.excepthook, lambda *a: a)
    sys.unraisablehook = _drop_late_writes(
        sys.unraisablehook, lambda u: (u.exc_type, u.exc_value, u.exc_traceback))
    threading.excepthook = _drop_late_writes(
        threading.excepthook, lambda a: (a.exc_type, a.exc_value, a.exc_traceback))


def is_late_write(kind, value, traceback) -> bool:
  """Whether an exception is asyncio's call_soon_threadsafe on a closed loop (a tensorstore
  write finishing after its save was abandoned)."""
  frames = []
  while traceback is not None:
    frames.append(traceback.tb_frame.f_code.co_name)
    traceback = traceback.tb_next
  return kind is RuntimeError and str(value) == "Event loop is closed" and (
      "call_soon_threadsafe" in frames)


def _drop_late_writes(report, exception_of):
  """`report` (an exception hook) that stays silent for `is_late_write` exceptions."""
  def hook(*args):
    if not is_late_write(*exception_of(*args)):
      report(*args)
  hook.drops_late_writes = True
  return hook
