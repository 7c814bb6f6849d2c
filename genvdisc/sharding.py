"""The device mesh and the shardings of genvdisc's arrays. No other module places arrays on
devices (`genvdisc.distributed` only starts and synchronises the processes).

The mesh has axes ('seed', 'data'). Every leaf of a seed group's train state carries a leading
seed axis, sharded over 'seed' with NamedSharding; jit partitions the vmapped computation, so
each row of the mesh trains its own `config.seed_group` seeds (no pmap) and any device count
works. Each step's minibatch is drawn exactly as on one device, then its example axis is split
over 'data' (`shard_batch`, a sharding constraint under `vmap(spmd_axis_name='seed')`): XLA
partitions the forward and backward passes and all-reduces the gradients over 'data'. Datasets
held on the device are replicated.

Multi-process (`genvdisc.distributed`): arrays are global, built on every process with
`jax.make_array_from_process_local_data` (`put_global`); per-seed outputs come back to every
process with `to_host`.

Numerics: on a given mesh, a seed's run is bitwise the same whatever the other seeds are (tests).
Across device counts it agrees to float rounding, not bitwise: XLA fuses an SPMD-partitioned
program differently from the single-device one (measured on CPU, MLP on digits, 40 Adam steps:
params differ by <= 6e-8 between 4 simulated devices and 1, also with shard_map; on 8 devices,
6e-8 for mesh 8 x 1, 2e-7 for 2 x 4, 1.2e-7 for 1 x 8), and training can amplify such
differences over long runs.

Dispatch: the training loop stays at most `MAX_QUEUED_CALLS` jitted calls ahead of the devices
(`Pacer`). Unbounded, XLA:CPU deadlocks on any multi-device call with a collective once 32 calls
are queued (docs/cpu_collectives.md).
"""

from __future__ import annotations

import collections

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from genvdisc.errors import ConfigError

SEED_AXIS = "seed"
DATA_AXIS = "data"
# Below XLA:CPU's 32 executions queued per device (PjRt's max_inflight_computations_per_device),
# with room for the other calls a loop makes (evaluation, images).
MAX_QUEUED_CALLS = 16


def make_mesh(seed: int = -1, data: int = 1, devices=None) -> Mesh:
  """A ('seed', 'data') mesh over `devices` (default: all); -1 on one axis means 'the rest'.

  Errors quote config.mesh as the user set it, the devices found and the values that fit them.
  """
  devices = list(jax.devices() if devices is None else devices)
  n = len(devices)
  asked = f"config.mesh.seed={_axis(seed)}, config.mesh.data={_axis(data)}"
  for axis, size in (("seed", seed), ("data", data)):
    if size != -1 and size < 1:
      raise ConfigError(f"{asked}: mesh.{axis} must be an integer >= 1, or -1 (the devices the "
                        f"other axis leaves); use --config.mesh.{axis}=-1")
  if seed == -1 and data == -1:
    raise ConfigError(f"{asked}: at most one axis can be -1 (auto); set the other, "
                      "e.g. --config.mesh.data=1")
  rows, columns = (n // data if seed == -1 else seed), (n // seed if data == -1 else data)
  if rows < 1 or columns < 1 or rows * columns != n:
    if -1 in (seed, data):
      axis, size = ("data", data) if seed == -1 else ("seed", seed)
      needs, fix = f"a multiple of {size}", f"--config.mesh.{axis}={_divisors(n)}"
    else:
      needs, fix = str(seed * data), f"--config.mesh.seed=-1 --config.mesh.data=1, or two factors of {n}"
    raise ConfigError(f"{asked} needs {needs} devices but {n} {devices[0].platform} device(s) "
                      f"were found; use {fix}")
  return Mesh(np.asarray(devices).reshape(rows, columns), (SEED_AXIS, DATA_AXIS))


def _axis(size: int) -> str:
  return f"{size} (auto)" if size == -1 else str(size)


def _divisors(n: int) -> str:
  """'1, 2 or 4' for 4."""
  divisors = [str(d) for d in range(1, n + 1) if n % d == 0]
  return " or ".join(filter(None, [", ".join(divisors[:-1]), divisors[-1]]))


def check_batch(batch_size: int, mesh: Mesh) -> None:
  """The minibatch is split evenly over the 'data' axis."""
  data = mesh.shape[DATA_AXIS]
  if batch_size % data:
    raise ConfigError(f"config.batch_size={batch_size} does not split over config.mesh.data={data} "
                      f"devices; use --config.batch_size={max(1, round(batch_size / data)) * data}")


def shard_batch(batch, mesh: Mesh):
  """Splits a minibatch's example axis over 'data' (inside `vmap(..., spmd_axis_name='seed')`).

  The identity when the mesh has one data shard, so seed-only meshes compile as before.
  """
  if mesh.shape[DATA_AXIS] == 1:
    return batch
  return jax.lax.with_sharding_constraint(batch, NamedSharding(mesh, P(DATA_AXIS)))


class Pacer:
  """Keeps the host at most `limit` jitted calls ahead of the devices: `pace(outputs)` after
  each call records its outputs (ones it does not donate, e.g. a chunk's metrics) and waits for
  the oldest recorded call once more than `limit` are pending.

  Why (docs/cpu_collectives.md): XLA:CPU launches each device's share of a multi-device call on
  a pool of max(cores, devices) threads, and a launch that finds 32 executions queued on its
  device waits on a pool thread. A queued execution that all-reduces (a 'data' mesh axis) then
  needs one pool thread per device at once and one is missing: the rendezvous never completes
  and XLA aborts after 40 s. With fewer than 32 calls queued no launch waits. Waiting for call
  c - limit, not c, keeps the devices busy while the host dispatches.
  """

  def __init__(self, limit: int = MAX_QUEUED_CALLS):
    if limit < 1:
      raise ValueError(f"limit={limit}: at least 1 call must be allowed ahead")
    self.limit = limit
    self._pending = collections.deque()

  def __call__(self, outputs):
    self._pending.append(outputs)
    while len(self._pending) > self.limit:
      jax.block_until_ready(self._pending.popleft())
    return outputs

  @property
  def pending(self) -> int:
    """Calls recorded and not yet waited for (some may have finished)."""
    return len(self._pending)


def seed_sharding(mesh: Mesh) -> NamedSharding:
  """Leading axis split over 'seed', the rest replicated; used as a prefix for whole pytrees."""
  return NamedSharding(mesh, P(SEED_AXIS))


def replicated(mesh: Mesh) -> NamedSharding:
  return NamedSharding(mesh, P())


def group_width(seeds_per_device: int, mesh: Mesh) -> int:
  """Seeds trained together: `seeds_per_device` on each device of the mesh's seed axis.

  Every device then runs the same program on a `[seeds_per_device, ...]` slice, whatever the
  device count, which is what makes a seed's numbers independent of the mesh.
  """
  return seeds_per_device * mesh.shape[SEED_AXIS]


def stream_batch_sharding(mesh: Mesh) -> NamedSharding:
  """Streamed minibatches `[seeds, steps, batch, ...]`: seeds over 'seed', examples over 'data'."""
  return NamedSharding(mesh, P(SEED_AXIS, None, DATA_AXIS))


def put_streamed(indices: np.ndarray, records, mesh: Mesh) -> dict:
  """Global {'x', 'y'} minibatches of the examples at `indices` [seeds, steps, batch].

  `records` is a `data.Records` (shape, dtype, read). Each process reads only the examples of
  its own devices' shards (`jax.make_array_from_callback`), each shard once.
  """
  sharding = stream_batch_sharding(mesh)
  cache = {}

  def shard(index, which):
    key = tuple((s.start, s.stop) for s in index[:3])
    if key not in cache:
      cache[key] = records.read(indices[index[:3]])
    return cache[key][which]

  return {"x": jax.make_array_from_callback(indices.shape + tuple(records.shape[1:]), sharding,
                                            lambda index: shard(index, 0), dtype=records.dtype),
          "y": jax.make_array_from_callback(indices.shape, sharding, lambda index: shard(index, 1),
                                            dtype=np.int32)}


def put_global(tree, sharding: NamedSharding):
  """Global arrays from numpy values every process holds in full (same values on each)."""
  return jax.tree.map(
      lambda x: jax.make_array_from_process_local_data(sharding, np.asarray(x), np.shape(x)), tree)


def put_replicated(tree, mesh: Mesh):
  return put_global(tree, replicated(mesh))


def to_host(tree):
  """Numpy copies of (possibly multi-process) global arrays, whole on every process."""
  return jax.tree.map(lambda x: np.asarray(
      x if x.is_fully_addressable else multihost_utils.process_allgather(x, tiled=True)), tree)


def describe(mesh: Mesh) -> dict:
  """JSON-ready summary of the mesh for results files."""
  return {"axes": dict(mesh.shape), "platform": mesh.devices.flat[0].platform,
          "devices": int(mesh.devices.size)}
