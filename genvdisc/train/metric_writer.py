"""TensorBoard event files of a run: `tensorboard serve --logdir=<workdir>/tensorboard`.

  <workdir>/tensorboard/seed_<s>/   one run per seed
  <workdir>/tensorboard/mean/       the mean over seeds (finite values of seeds not diverged)

A sweep's runs are 'seed_<point>,seed=<s>' and each point has its own mean, 'mean_<point>' (e.g.
mean_learning_rate=0.01): seeds are averaged within a point, never across points.

Each run has one scalar tag per metric: `minibatch_loss` every config.log_every steps, every
evaluation metric every config.eval_every steps and at the end (results.json's "curves").

Written with tensorboardX's event protos and record writer (TensorBoard's own file format, pure
Python, no TensorFlow), synchronously and flushed at every write. A writer that resumes at step S
starts its files with TensorBoard's purge marker (a SessionLog START event at step S), so the
steps >= S that an interrupted run had already written are dropped and the series continues
without duplicate steps; `read_scalars` reads the files back with the same rule.
"""

from __future__ import annotations

import os
import struct
import time

from tensorboardX.record_writer import masked_crc32c
from tensorboardX.event_file_writer import EventsWriter
from tensorboardX.proto.event_pb2 import Event, SessionLog
from tensorboardX.proto.summary_pb2 import Summary

from genvdisc import results

MEAN_RUN = "mean"


def seed_run(seed) -> str:
  return f"seed_{seed}"


def mean_run(point: str) -> str:
  """The mean series of a sweep point's seeds ('' without a sweep: `MEAN_RUN`)."""
  return f"{MEAN_RUN}_{point}" if point else MEAN_RUN


def is_plotted(name: str, value) -> bool:
  """A finite metric value (not a flag, not `diverged_at_step`)."""
  return name != "diverged_at_step" and results.is_finite_number(value)


def mean_over_seeds(per_seed: dict[str, dict], name: str) -> float | None:
  """The mean of metric `name` over seeds that have a finite value and have not diverged."""
  values = [m[name] for m in per_seed.values()
            if m.get("diverged_at_step") is None and is_plotted(name, m.get(name))]
  return sum(values) / len(values) if values else None


class MetricWriter:
  """Scalars per seed (run name) and their mean per sweep point into `directory` (None: writes
  nothing, e.g. on the processes other than 0); `start_step` is where this run (re)starts: the
  purge step."""

  def __init__(self, directory: str | None, seeds, start_step: int):
    self._writers = {}
    if directory is None:
      return
    points = results.by_point(str(s) for s in seeds)
    for run in [seed_run(s) for s in seeds] + [mean_run(p) for p in points]:
      os.makedirs(os.path.join(directory, run), exist_ok=True)
      # the suffix orders the files of one second by start step (file names start with the time)
      writer = EventsWriter(os.path.join(directory, run, "events"), f".from{start_step:012d}")
      writer.write_event(Event(step=start_step, wall_time=time.time(),
                               session_log=SessionLog(status=SessionLog.START)))
      self._writers[run] = writer

  def write(self, step: int, per_seed: dict[str, dict]) -> None:
    """Every finite numeric metric of every seed at `step`, and each point's means; then
    flushes."""
    if not self._writers:
      return
    runs = {seed_run(seed): metrics for seed, metrics in per_seed.items()}
    for point, members in results.by_point(per_seed).items():
      mine = {seed: per_seed[seed] for seed in members}
      names = sorted({k for m in mine.values() for k in m})
      runs[mean_run(point)] = {name: mean_over_seeds(mine, name) for name in names}
    now = time.time()
    for run, metrics in runs.items():
      values = [Summary.Value(tag=name, simple_value=float(v))
                for name, v in sorted(metrics.items()) if is_plotted(name, v)]
      if values:
        self._writers[run].write_event(Event(step=step, wall_time=now,
                                             summary=Summary(value=values)))
      self._writers[run].flush()

  def close(self) -> None:
    for writer in self._writers.values():
      writer.close()
    self._writers = {}


def read_scalars(directory: str) -> dict[str, dict[str, list[tuple[int, float]]]]:
  """{run: {tag: [(step, value), ...]}} as TensorBoard shows `directory`: each run's files in
  name order, and a purge marker at step S drops the steps >= S read before it. A truncated last
  record (a killed writer) ends its file."""
  scalars = {}
  for run in sorted(os.listdir(directory)):
    series: dict[str, list[tuple[int, float]]] = {}
    for name in sorted(f for f in os.listdir(os.path.join(directory, run)) if "tfevents" in f):
      for event in _events(os.path.join(directory, run, name)):
        if event.HasField("session_log") and event.session_log.status == SessionLog.START:
          series = {tag: [p for p in points if p[0] < event.step] for tag, points in series.items()}
        for value in event.summary.value:
          series.setdefault(value.tag, []).append((event.step, value.simple_value))
    scalars[run] = series
  return scalars


def _events(path: str):
  """The Event protos of one file (TFRecord framing: length, its CRC, data, its CRC)."""
  with open(path, "rb") as f:
    data = f.read()
  offset = 0
  while offset + 12 <= len(data):
    header = data[offset:offset + 8]
    end = offset + 12 + struct.unpack("<Q", header)[0]
    crc = lambda at: struct.unpack("<I", data[at:at + 4])[0]
    if (end + 4 > len(data) or crc(offset + 8) != masked_crc32c(header)
        or crc(end) != masked_crc32c(data[offset + 12:end])):
      return
    yield Event.FromString(data[offset + 12:end])
    offset = end + 4
