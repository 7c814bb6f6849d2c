"""Streaming input (config.input='stream'): minibatches read from disk, a few chunks ahead.

For datasets too large for device memory. A background thread walks the run's chunks in
training order; for each (chunk, seed group) it computes the indices the on-device sampler
would draw (`Trainer.batch_indices`: the same `fold_in(key, step)` draws), reads those
examples from the TFDS data source (`data.Records`) and puts them on the devices
(`sharding.put_streamed`: each process reads only its own shards). So a streamed run is the
on-device run with the gather moved to the host, and it resumes exactly like one.
"""

from __future__ import annotations

import queue
import threading

import numpy as np

from genvdisc import sharding
from genvdisc.data import Records
from genvdisc.train.engine import Trainer

DEPTH = 2  # chunks read ahead


class Prefetcher:
  """`next()` returns the {'x', 'y'} minibatches of each (chunk, seed group), in training order.

  keys: every group's per-seed train keys, uint32 `[width, 2]` on the host.
  chunks: (first step, number of steps) of every chunk still to train.
  """

  def __init__(self, trainer: Trainer, records: Records, keys: list[np.ndarray],
               chunks: list[tuple[int, int]], mesh):
    self._queue = queue.Queue(maxsize=DEPTH * len(keys))
    self._stop = threading.Event()
    self._thread = threading.Thread(target=self._fill, args=(trainer, records, keys, chunks, mesh),
                                    daemon=True)
    self._thread.start()

  def _fill(self, trainer, records, keys, chunks, mesh):
    try:
      for first, num_steps in chunks:
        for group_keys in keys:
          indices = np.asarray(trainer.batch_indices(group_keys, first, num_steps,
                                                     records.shape[0]))
          self._put(sharding.put_streamed(indices, records, mesh))
    except Exception as e:  # pylint: disable=broad-except -- re-raised in the training thread
      self._put(e)

  def _put(self, item) -> None:
    while not self._stop.is_set():
      try:
        self._queue.put(item, timeout=0.1)
        return
      except queue.Full:
        continue

  def next(self) -> dict:
    item = self._queue.get()
    if isinstance(item, Exception):
      raise item
    return item

  def close(self) -> None:
    self._stop.set()
    self._thread.join()
