"""XLA's memory estimate of one compiled training chunk, checked against the device before training.

The estimate is the compiled executable's own memory analysis (arguments + outputs + temporaries
- donated aliases, per device), so it covers everything the chunk holds at once: the group's
train states, the replicated data, and the activations of `seed_group` runs' steps.
"""

from __future__ import annotations

import os

import jax

from genvdisc.errors import ConfigError

MIB = 2 ** 20


def device_limit_bytes() -> int | None:
  """Memory of one local device: the accelerator's `bytes_limit`, or on CPU the host's physical
  memory shared by its local devices (None if unknown)."""
  device = jax.local_devices()[0]
  stats = device.memory_stats() if hasattr(device, "memory_stats") else None
  if stats and stats.get("bytes_limit"):
    return int(stats["bytes_limit"])
  try:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // jax.local_device_count()
  except (ValueError, OSError):
    return None


def estimate(compiled) -> dict | None:
  """{argument, output, temp, alias, peak}_bytes of a compiled executable (None if the backend
  gives no analysis); peak = argument + output + temp - alias."""
  stats = compiled.memory_analysis()
  if stats is None:
    return None
  out = {"argument_bytes": int(stats.argument_size_in_bytes),
         "output_bytes": int(stats.output_size_in_bytes),
         "temp_bytes": int(stats.temp_size_in_bytes),
         "alias_bytes": int(stats.alias_size_in_bytes)}
  out["peak_bytes"] = (out["argument_bytes"] + out["output_bytes"] + out["temp_bytes"]
                       - out["alias_bytes"])
  return out


def check_chunk(experiment, state, data: dict, step: int, log) -> dict | None:
  """Compiles the first chunk from `step` (the training loop reuses the executable), logs its
  estimate and raises a one-line ConfigError naming config.seed_group when it cannot fit."""
  config = experiment.config
  n = next(experiment.chunks(step))[1]
  found = estimate(experiment.trainer.train_chunk.lower(state, data, n).compile())
  limit = device_limit_bytes()
  if found is None:
    log(f"[{config.name}] no XLA memory estimate on this backend")
    return None
  found.update(device_limit_bytes=limit, chunk_steps=n, seed_group=int(config.seed_group))
  log(f"[{config.name}] XLA memory estimate of one {n}-step chunk, per device: "
      f"{found['peak_bytes'] / MIB:.1f} MiB (arguments {found['argument_bytes'] / MIB:.1f}, "
      f"temporaries {found['temp_bytes'] / MIB:.1f}) for seed_group={config.seed_group}"
      + (f"; device memory {limit / MIB:.0f} MiB" if limit else ""))
  if limit and found["peak_bytes"] > limit:
    data_bytes = sum(x.nbytes for x in jax.tree.leaves(data))  # replicated: a copy per device
    per_run = max(1, (found["peak_bytes"] - data_bytes) // config.seed_group)
    fits = max(0, (limit - data_bytes) // per_run)
    raise ConfigError(
        f"config.seed_group={config.seed_group} needs ~{found['peak_bytes'] / MIB:.0f} MiB per "
        f"device but it has {limit / MIB:.0f} MiB; use --config.seed_group={fits}"
        + ("" if fits else " (one run alone does not fit: shrink the model or batch)"))
  return found
