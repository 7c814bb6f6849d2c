"""Hardware efficiency: achieved FLOP/s of training steps against the measured matmul peak.

FLOPs per step come from XLA's cost analysis of the compiled one-step `train_chunk` (forward,
backward, optimizer, batch gather; at the seed-group width S); achieved FLOP/s = that x steps/s
measured with the config's default chunk length. The peak is an n x n float32 matmul
(2 n^3 FLOPs) timed in the same process, at JAX's default precision like the training steps
(on NVIDIA GPUs that lets float32 matmuls use TF32).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bench.report import Section, Stat, fmt, time_it
from bench.seeds import Runs, experiment
from genvdisc.report.format import markdown_table


def step_flops(runs: Runs) -> float:
  """XLA's FLOP count of one training step of the whole seed group."""
  compiled = runs.exp.trainer.train_chunk.lower(runs.states[0], runs.data, 1).compile()
  cost = compiled.cost_analysis()
  cost = cost[0] if isinstance(cost, (list, tuple)) else cost  # a list in older jax
  return float(cost["flops"])


def matmul_peak(n: int, repeats: int) -> Stat:
  """FLOP/s of an n x n float32 matmul."""
  a = jax.random.normal(jax.random.PRNGKey(0), (n, n), jnp.float32)
  b = jax.random.normal(jax.random.PRNGKey(1), (n, n), jnp.float32)
  matmul = jax.jit(jnp.matmul)
  return time_it(lambda: matmul(a, b).block_until_ready(), repeats).rate(2.0 * n**3)


def sections(suite) -> list[Section]:
  peak = matmul_peak(suite.matmul_size, suite.repeats)
  rows = []
  for name in suite.flops_configs:
    for s in suite.flops_seeds:
      runs = Runs(experiment(name, s, s, suite.chunk))
      flops = step_flops(runs)
      steps = runs.timed(suite.flops_steps, suite.repeats).rate(suite.flops_steps)
      achieved = flops * steps.median
      rows.append([name, s, runs.exp.chunk_steps, f"{flops / 1e6:,.1f}", steps,
                   f"{achieved / 1e9:.2f}", f"{100 * achieved / peak.median:.1f} %"])
  text = (f"Peak: {suite.matmul_size}² float32 matmul, {fmt(peak.median / 1e9)} "
          f"[{fmt(peak.low / 1e9)}–{fmt(peak.high / 1e9)}] GFLOP/s (median [min–max] of "
          f"{suite.repeats}). MFLOP per step: XLA's cost analysis of one step of the whole "
          "seed group; steps/s with the default chunk length (median [min–max]); achieved "
          "GFLOP/s = MFLOP per step x median steps/s.\n\n"
          + markdown_table(["config", "seeds", "chunk", "MFLOP / step", "steps/s",
                            "achieved GFLOP/s", "of peak"], rows))
  return [Section("Hardware efficiency", text)]
