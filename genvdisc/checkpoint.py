"""Checkpoints of the whole vmapped train state. The only module that imports Orbax.

Orbax saves step N to `N.orbax-checkpoint-tmp` and renames it to `N` when complete (atomic on
POSIX), so a crash mid-save leaves the previous steps intact and the tmp dir is ignored.
With several processes, every process calls every method: each saves and restores the shards
of its own devices, and Orbax's primary process (0) finalises the directories.
"""

from __future__ import annotations

import os
import shutil

import jax
import orbax.checkpoint as ocp

from genvdisc import distributed


class Checkpointer:
  """Saves a pytree of arrays every time `save` is called and keeps the newest `keep` steps."""

  def __init__(self, directory: str, keep: int = 2):
    self._manager = ocp.CheckpointManager(
        os.path.abspath(directory),
        options=ocp.CheckpointManagerOptions(
            preservation_policy=ocp.checkpoint_managers.LatestN(n=keep), create=True))

  def latest_step(self) -> int | None:
    return self._manager.latest_step()

  def save(self, step: int, state) -> None:
    """Starts an asynchronous save (device arrays are copied before it returns)."""
    self._manager.save(step, args=ocp.args.StandardSave(state), force=True)

  def reached_preemption(self, sync_id: int) -> bool:
    """Whether the cluster asked every process to stop now (only under jax.distributed).

    Every process must call it at the same points with the same `sync_id`, rising by exactly 1
    per call: after a SIGTERM, JAX's preemption service picks (the largest id any process has
    passed) + 1 as the stopping point, so ids that skip (e.g. steps of 5-step chunks) never
    reach it."""
    return self._manager.reached_preemption(sync_id)

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
    self._manager.wait_until_finished()

  def close(self) -> None:
    self._manager.wait_until_finished()
    self._manager.close()
