"""Seed scaling: S seeds vmapped in one seed group against the same S runs one after another.

Both sides run the real engine (`make_train` on the experiment configs, fewer steps): vmapped
is one trainer with `seed_group = S`; sequential is one trainer with `seed_group = 1` whose
seed groups (seeds 0, 1, ...) are trained one after the other with the same compiled function.
A repeat of the sequential side times `sequential_max` runs in a row, and the time of the
first S of them is that repeat's figure for S.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

from bench.report import Section, Stat, Target, fmt, time_it
from genvdisc.report.format import markdown_table
from genvdisc.train import run
from experiments.configs import get_config

LINEAR = ("logreg_digits", "svm_digits")


_TRAINERS: dict = {}


def experiment(name: str, seeds: int, group: int, chunk: int = -1) -> run.Experiment:
  """`make_train` of experiments/configs/<name>.py with seeds 0..seeds-1 in groups of `group`.

  The jitted trainer depends on the group width only, so every section reuses one per
  (config, width, chunk) and nothing is compiled twice.
  """
  config = get_config(name)
  config.seeds = ",".join(str(s) for s in range(seeds))
  config.seed_group = group
  config.eval_every = 0
  config.chunk_steps = chunk
  exp = run.make_train(config)
  exp.trainer = _TRAINERS.setdefault((name, group, chunk), exp.trainer)
  return exp


class Runs:
  """The seed groups of an experiment, trained on: `train(steps, groups)` runs `steps` more steps
  of the first `groups` groups, one group after another, and blocks until they are done."""

  def __init__(self, exp: run.Experiment):
    self.exp = exp
    self.data = exp.device_data()
    self.states = exp.init_states()

  def train(self, steps: int, groups: int | None = None) -> None:
    for i in range(len(self.states) if groups is None else groups):
      self._train_group(i, steps)
    jax.block_until_ready(self.states)

  def _train_group(self, i: int, steps: int) -> None:
    for start in range(0, steps, self.exp.chunk_steps):
      n = min(self.exp.chunk_steps, steps - start)
      self.states[i], _ = self.exp.trainer.train_chunk(self.states[i], self.data, n)

  def timed(self, steps: int, repeats: int, groups: int | None = None) -> Stat:
    """Seconds per `steps` steps of the groups (median of repeats after a warm-up)."""
    return time_it(lambda: self.train(steps, groups), repeats)

  def one_after_another(self, steps: int, repeats: int) -> np.ndarray:
    """`[repeats, groups]`: seconds from the start of a repeat until the end of each group's run
    of `steps` steps, the groups trained one after another (after a warm-up run of group 0)."""
    self.train(steps, groups=1)
    seconds = np.zeros((repeats, len(self.states)))
    for r in range(repeats):
      start = time.perf_counter()
      for i in range(len(self.states)):
        self._train_group(i, steps)
        jax.block_until_ready(self.states[i])
        seconds[r, i] = time.perf_counter() - start
    return seconds

  def test_accuracy(self) -> list[float]:
    """Test accuracy of every real seed, in seed order."""
    out = []
    for state in self.states:
      out += jax.device_get(self.exp.trainer.evaluate(state, self.data)["test_accuracy"]).tolist()
    return out[:len(self.exp.runs)]


def scaling(name: str, suite) -> tuple[str, dict[int, float], float]:
  """The markdown table of one config, {S: vmapped / sequential seeds·steps/s} and the seconds
  per step of one sequential run."""
  steps = suite.seed_steps[name]
  sequential = Runs(experiment(name, suite.sequential_max, 1, suite.chunk)).one_after_another(
      steps, suite.repeats)
  rows, ratios = [], {}
  for s in suite.seed_counts:
    seq = Stat.of(sequential[:, s - 1]) if s <= suite.sequential_max else None
    # S = 1 vmapped is the same trainer (seed_group = 1) as the sequential runs.
    vmapped = seq if s == 1 else Runs(experiment(name, s, s, suite.chunk)).timed(steps,
                                                                                suite.repeats)
    row = [s, vmapped, vmapped.rate(s * steps)]
    if seq is None:
      row += ["-", "-", "-"]
    else:
      ratios[s] = seq.median / vmapped.median
      row += [seq, seq.rate(s * steps), f"{ratios[s]:.2f}×"]
    rows.append(row)
  header = ["S", "vmapped s", "vmapped seeds·steps/s", "sequential s", "sequential seeds·steps/s",
            "vmapped / sequential"]
  one_step = float(np.median(sequential[:, 0])) / steps
  return f"**{name}** ({steps} steps per run)\n\n" + markdown_table(header, rows), ratios, one_step


def linear_forward_seconds(exp: run.Experiment, seeds: int, steps: int, repeats: int) -> Stat:
  """Seconds per step of the linear model's forward matmul alone, `seeds` seeds batched:
  [S, batch, features] @ [S, features, classes] in a `steps`-step scan (a floor under the
  vmapped training step, which also draws, gathers, backpropagates and updates)."""
  d = exp.dataset
  features = int(np.prod(d.example_shape))
  x = jnp.ones((steps, seeds, exp.config.batch_size, features), jnp.float32)
  w = jnp.zeros((seeds, features, d.num_classes), jnp.float32)
  forward = jax.jit(lambda w, x: jax.lax.scan(
      lambda w, xs: (w + 1e-6 * jnp.einsum("sbf,sfc->sbc", xs, w).mean(1)[:, None, :], None),
      w, x)[0])
  return time_it(lambda: forward(w, x).block_until_ready(), repeats)


def linear_bound(name: str, suite, sequential_step: float) -> str:
  """Why the linear models cannot reach 10x here: the batched forward matmul alone, measured."""
  s = max(suite.seed_counts)
  steps = suite.seed_steps[name]
  forward = linear_forward_seconds(experiment(name, 1, 1, suite.chunk), s, steps,
                                   suite.repeats).median / steps
  return (f"a whole 1-seed step takes {1e6 * sequential_step:.0f} µs here (scan chunks leave "
          f"little overhead to amortise), while the forward matmul alone of {s} seeds batched "
          f"takes {1e6 * forward:.0f} µs per step on this CPU (XLA:CPU runs small batched "
          f"matmuls at a few % of its matmul peak), so vmapping can give at most "
          f"{s * sequential_step / forward:.1f}×")


def sections(suite) -> list[Section]:
  texts, targets = [], []
  for name in suite.seed_configs:
    text, ratios, one_step = scaling(name, suite)
    texts.append(text)
    top = max(ratios)
    if suite.name == "gpu" and top == 32:
      targets.append(Target(f"GPU: {name}, 32 seeds vmapped ≥ 10× 32 sequential runs",
                            f"{fmt(ratios[32])}×", ratios[32] >= 10))
    elif name in LINEAR and top == 32:
      met = ratios[32] >= 10
      targets.append(Target(f"{name}: ≥ 10× seeds·steps/s at 32 seeds (vmapped vs sequential)",
                            f"{fmt(ratios[32])}×", met,
                            "" if met else linear_bound(name, suite, one_step)))
  intro = ("Wall time of S runs of `steps` steps each (median [min–max] of "
           f"{suite.repeats} repeats after a warm-up call that compiles), and seeds·steps/s = "
           "S × steps / wall time. Vmapped: one `seed_group = S` trainer; sequential: runs one "
           "after another (each waited for) with the compiled `seed_group = 1` trainer, "
           f"{suite.sequential_max} in a row per repeat, the first S of them timed for S.")
  return [Section("Seed scaling", "\n\n".join([intro] + texts), tuple(targets))]
