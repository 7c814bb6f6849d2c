"""The device mesh and the shardings of genvdisc's arrays. No other module touches devices.

The mesh has axes ('seed', 'data'). Every leaf of a seed group's train state carries a leading
seed axis, sharded over 'seed' with NamedSharding; jit partitions the vmapped computation, so
each device trains its own `config.seed_group` seeds (no pmap) and any device count works.
Datasets held on the device are replicated. The 'data' axis (batch parallelism) must be 1 for now.

Numerics: on a given mesh, a seed's run is bitwise the same whatever the other seeds are (tests).
Across device counts it agrees to float rounding, not bitwise: XLA fuses an SPMD-partitioned
program differently from the single-device one (measured on CPU, MLP on digits, 40 Adam steps:
params differ by <= 6e-8 between 4 simulated devices and 1, also with shard_map), and training
can amplify such differences over long runs.
"""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from genvdisc.errors import ConfigError

SEED_AXIS = "seed"
DATA_AXIS = "data"


def make_mesh(seed: int = -1, data: int = 1, devices=None) -> Mesh:
  """A ('seed', 'data') mesh over `devices` (default: all); -1 on one axis means 'the rest'."""
  devices = list(jax.devices() if devices is None else devices)
  n = len(devices)
  if data != 1:
    raise ConfigError(f"config.mesh.data={data}: batch-parallel meshes are not supported yet; "
                      "use --config.mesh.data=1 (seeds are spread over devices by mesh.seed)")
  if seed == -1:
    seed = n // data
  if seed < 1 or seed * data != n:
    raise ConfigError(f"config.mesh asks for seed={seed} x data={data} = {seed * data} devices but "
                      f"{n} {devices[0].platform} device(s) were found; use --config.mesh.seed=-1 "
                      f"or a divisor of {n}")
  return Mesh(np.asarray(devices).reshape(seed, data), (SEED_AXIS, DATA_AXIS))


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


def put_replicated(tree, mesh: Mesh):
  return jax.device_put(tree, replicated(mesh))


def describe(mesh: Mesh) -> dict:
  """JSON-ready summary of the mesh for results files."""
  return {"axes": dict(mesh.shape), "platform": mesh.devices.flat[0].platform,
          "devices": int(mesh.devices.size)}
