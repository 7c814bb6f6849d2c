"""Multi-process runs: starting `jax.distributed`, which process writes, and barriers.

One process per host (or per GPU); every process runs the same command. `initialize` decides
whether the run spans several processes, in this order:

  1. explicit: `coordinator_address` (flag `--coordinator_address` or env
     JAX_COORDINATOR_ADDRESS), with `num_processes` and `process_id` (flags or env
     JAX_NUM_PROCESSES / JAX_PROCESS_ID; JAX detects them itself where it can);
  2. detected: `auto=True` (flag `--multihost`, for TPU pods and other clusters JAX knows) or a
     SLURM job with more than one task (SLURM_NTASKS > 1): `jax.distributed.initialize()`
     with no arguments, which reads the cluster's environment;
  3. otherwise one process, and nothing is called.

Every process loads the data, trains its devices' shards, and saves its shards of each Orbax
checkpoint; only process 0 (`is_primary`) writes config.json, results, curves, pictures and
logs.
"""

from __future__ import annotations

import os

import jax
from jax.experimental import multihost_utils

from genvdisc.errors import ConfigError


def initialize(coordinator_address: str | None = None, num_processes: int | None = None,
               process_id: int | None = None, auto: bool = False) -> bool:
  """Starts `jax.distributed` if the run spans several processes; returns whether it did."""
  env = os.environ
  coordinator_address = coordinator_address or env.get("JAX_COORDINATOR_ADDRESS") or None
  num_processes = num_processes if num_processes is not None else _env_int("JAX_NUM_PROCESSES")
  process_id = process_id if process_id is not None else _env_int("JAX_PROCESS_ID")
  if coordinator_address:
    if num_processes is not None and not (process_id is not None and 0 <= process_id < num_processes):
      raise ConfigError(f"--process_id={process_id} must be in [0, --num_processes={num_processes}); "
                        "e.g. --process_id=0 on the coordinator's host")
    jax.distributed.initialize(coordinator_address, num_processes, process_id)
    return True
  if num_processes not in (None, 1) or process_id not in (None, 0):
    raise ConfigError(f"--num_processes={num_processes} --process_id={process_id} need "
                      "--coordinator_address=HOST:PORT (process 0's host), or --multihost on a TPU pod")
  if auto or _env_int("SLURM_NTASKS", 1) > 1:
    jax.distributed.initialize()
    return True
  return False


def is_primary() -> bool:
  """Whether this process writes files and logs (process 0)."""
  return jax.process_index() == 0


def barrier(name: str) -> None:
  """Every process waits here until all have arrived (a no-op for one process)."""
  if jax.process_count() > 1:
    multihost_utils.sync_global_devices(name)


def _env_int(name: str, default: int | None = None) -> int | None:
  value = os.environ.get(name)
  return default if value in (None, "") else int(value)
