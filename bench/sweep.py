"""End to end: a learning rate x seeds sweep as one genvdisc command, against one process per run.

  python -m bench --suite=sweep --out BENCHMARKS.md [--repeats=3]

For each config and steps per run, the same rates (the first `suite.learning_rates` of
`experiments.tables.sweep_lr.learning_rates`, around the config's own) x seeds 0..`suite.seeds`-1
are trained three ways, each timed as whole processes from start to exit (interpreter, imports,
data loading, compilation, training, evaluation and, for genvdisc, its checkpoints and result
files), one process at a time:

  sweep       one `python -m experiments.main --config.sweep=learning_rate=a,b,..
              --config.seeds=0,.. --config.seed_group=<rates x seeds>`: every run in one
              vmapped, compiled program;
  separate    one `python -m experiments.main --config.learning_rate=a --config.seeds=s
              --config.seed_group=1 --config.validation_fraction=0.1` per (rate, seed);
  flax-style  one `python -m bench.flax_style --learning_rate=a --seed=s` per (rate, seed): one
              jitted step, a Python loop over host batches (bench/flax_style.py).

All three hold out the same 10 % of the training split (the sweep's default) and train the same
recipe from the same initial params and minibatches per seed, so each rate's test accuracy must
agree between them (`compare.same_accuracy` of the seed means). Compile share: the seconds of the
progress lines 'compiled in X s' (the training step's compilation with its first chunk, or the
flax-style first step) over the wall time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

from bench.compare import same_accuracy
from bench.report import Section, Stat, Target, percent
from genvdisc.report.format import markdown_table
from experiments.configs import get_config
from experiments.tables.sweep_lr import learning_rates

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAYS = ("sweep", "separate", "flax-style")
VALIDATION_FRACTION = 0.1   # what a sweep holds out by default (genvdisc.train.experiment)
COMPILED = re.compile(r"compiled in ([0-9.]+) s")
TARGETS = {("mlp_mnist1d", 1000): 10.0}   # (config, steps per run) -> flax-style / sweep wall
FULL_TARGET = 3.0                          # the same at every config's own step count


@dataclasses.dataclass
class Timing:
  """One way's repeats: wall and compile seconds per repeat, and per rate the test accuracy of
  each seed (the last repeat's; every repeat trains the same runs)."""
  walls: list[float] = dataclasses.field(default_factory=list)
  compiles: list[float] = dataclasses.field(default_factory=list)
  accuracy: dict[float, list[float]] = dataclasses.field(default_factory=dict)

  @property
  def wall(self) -> Stat:
    return Stat.of(self.walls)

  @property
  def compile_share(self) -> float:
    return float(np.median(np.asarray(self.compiles) / np.asarray(self.walls)))


def commands(way: str, name: str, rates, seeds, steps: int, workdir: str) -> list[list[str]]:
  """The processes of one way, in the order they run (module docstring)."""
  main = [sys.executable, "-m", "experiments.main", f"--config=experiments/configs/{name}.py",
          f"--config.num_steps={steps}"]
  if way == "sweep":
    return [main + [f"--workdir={workdir}", "--config.sweep=learning_rate=" + ",".join(map(
        repr, rates)), "--config.seeds=" + ",".join(map(str, seeds)),
        f"--config.seed_group={len(rates) * len(seeds)}"]]
  if way == "separate":
    return [main + [f"--workdir={workdir}/{rate!r}-{seed}", f"--config.learning_rate={rate!r}",
                    f"--config.seeds={seed}", "--config.seed_group=1",
                    f"--config.validation_fraction={VALIDATION_FRACTION}"]
            for rate in rates for seed in seeds]
  return [[sys.executable, "-m", "bench.flax_style", f"--config={name}", f"--seed={seed}",
           f"--learning_rate={rate!r}", f"--steps={steps}",
           f"--validation_fraction={VALIDATION_FRACTION}"] for rate in rates for seed in seeds]


def _results(path: str) -> dict:
  with open(os.path.join(path, "results.json")) as f:
    return json.load(f)


def accuracies(way: str, outputs: list[str], rates, seeds,
               workdir: str) -> dict[float, list[float]]:
  """{rate: test accuracy per seed} of one way's finished processes."""
  if way == "sweep":
    results = _results(workdir)
    found = {(run["point"]["learning_rate"], run["seed"]):
             results["per_seed"][name]["test_accuracy"] for name, run in results["runs"].items()}
  elif way == "separate":
    found = {(rate, seed): _results(f"{workdir}/{rate!r}-{seed}")["per_seed"][str(seed)][
        "test_accuracy"] for rate in rates for seed in seeds}
  else:
    lines = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    found = {(line["learning_rate"], line["seed"]): line["test_accuracy"] for line in lines}
  return {rate: [found[rate, seed] for seed in seeds] for rate in rates}


def run_way(way: str, name: str, rates, seeds, steps: int, timing: Timing,
            sampled_seeds: int = 0) -> None:
  """Runs one way's processes one after another; adds its wall and compile seconds to `timing`.
  sampled_seeds > 0: the one-process-per-run ways run only seeds[:sampled_seeds] of each rate
  and their seconds are scaled by len(seeds) / sampled_seeds (each process does the same work)."""
  scale = 1.0
  if way != "sweep" and sampled_seeds:
    scale, seeds = len(seeds) / sampled_seeds, seeds[:sampled_seeds]
  with tempfile.TemporaryDirectory(prefix=f"bench-sweep-{way}-") as workdir:
    outputs, wall = [], 0.0
    for command in commands(way, name, rates, seeds, steps, workdir):
      start = time.perf_counter()
      proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
      wall += time.perf_counter() - start
      if proc.returncode:
        raise RuntimeError(f"{' '.join(command[2:])} failed: {proc.stderr.strip()[-2000:]}")
      outputs.append(proc.stdout)
    timing.walls.append(wall * scale)
    timing.compiles.append(scale * sum(float(s) for out in outputs for s in COMPILED.findall(out)))
    timing.accuracy = accuracies(way, outputs, rates, seeds, workdir)


def measure(name: str, steps: int, rates, seeds, repeats: int,
            sampled_seeds: int = 0) -> dict[str, Timing]:
  """Every way's Timing, `repeats` rounds of the three ways in turn."""
  timings = {way: Timing() for way in WAYS}
  for _ in range(repeats):
    for way in WAYS:
      run_way(way, name, rates, seeds, steps, timings[way], sampled_seeds)
  return timings


def _target(name: str, runs: int, steps: str, wanted: float) -> str:
  return (f"{name}: one sweep command ≥ {wanted:g}× faster than {runs} flax-style processes, "
          f"{steps} steps per run, equal accuracy")


def config_section(name: str, suite) -> tuple[str, list[Target], float | None]:
  """The timing and accuracy tables of one config, its targets (`TARGETS`, `FULL_TARGET`; 'not
  measured' where the suite's steps per run leave them out) and the seconds of one round of the
  three ways at its own step count (None when not run)."""
  own = get_config(name)
  rates = learning_rates(own.learning_rate)[:suite.learning_rates]
  seeds = list(range(suite.seeds))
  runs, time_rows, accuracy_rows, targets = len(rates) * len(seeds), [], [], []
  wanted = {steps: ratio for (config, steps), ratio in TARGETS.items() if config == name}
  wanted[0] = FULL_TARGET   # 0: the config's own step count
  full_round = None
  for key in suite.steps:
    steps = key or own.num_steps
    repeats = suite.repeats if key else suite.full_repeats
    timings = measure(name, steps, rates, seeds, repeats, suite.sampled_seeds)
    sweep_wall = timings["sweep"].wall.median
    if not key:
      full_round = sum(timing.wall.median for timing in timings.values())
    for way, timing in timings.items():
      time_rows.append([f"{steps}{'' if key else ' (own)'}", way, 1 if way == "sweep" else runs,
                        repeats, timing.wall, timing.wall.rate(runs * steps),
                        f"{100 * timing.compile_share:.0f} %",
                        f"{timing.wall.median / sweep_wall:.2f}×"])
    equal = True
    for rate in rates:
      reference = timings["sweep"].accuracy[rate]
      same = [same_accuracy(reference[0], reference, float(np.mean(t.accuracy[rate])))
              if len(t.accuracy[rate]) < len(reference) else
              same_accuracy(float(np.mean(reference)), reference, float(np.mean(t.accuracy[rate])))
              for t in timings.values()]
      equal &= all(same)
      accuracy_rows.append([steps, f"{rate:g}", *(percent(t.accuracy[rate])
                                                   for t in timings.values()),
                            "yes" if all(same) else "**no**"])
    if key in wanted:
      ratio = timings["flax-style"].wall.median / sweep_wall
      targets.append(Target(
          _target(name, runs, f"{steps}{'' if key else ' (its own)'}", wanted[key]),
          f"{ratio:.2f}× (separate genvdisc processes: "
          f"{timings['separate'].wall.median / sweep_wall:.2f}×)",
          ratio >= wanted[key] and equal, "" if equal else "test accuracies differ (table below)"))
  targets += [Target(_target(name, runs, f"{key or own.num_steps}{'' if key else ' (its own)'}",
                             ratio), "-", None, "steps per run not in this run of the suite")
              for key, ratio in wanted.items() if key not in suite.steps]
  text = (f"**{name}**: learning rates {', '.join(f'{r:g}' for r in rates)} × seeds "
          f"{seeds[0]}–{seeds[-1]} = {runs} runs\n\n"
          + markdown_table(["steps per run", "way", "processes", "repeats", "wall s",
                            "seeds·steps/s", "compile share", "÷ sweep wall"], time_rows)
          + "\n\nTest accuracy % per rate, mean ± std over seeds:\n\n"
          + markdown_table(["steps", "learning rate", *WAYS, "equal"], accuracy_rows))
  return text, targets, full_round


def sections(suite) -> list[Section]:
  texts, targets, rounds = [], [], []
  for name in suite.configs:
    text, found, full_round = config_section(name, suite)
    texts.append(text)
    targets += found
    if full_round is not None:
      rounds.append(f"{full_round / 60:.0f} min for {name}")
  repeats = (f"{suite.repeats}; {suite.full_repeats} at a config's own step count, where one "
             f"round of the three ways took {', '.join(rounds)}" if rounds else f"{suite.repeats}")
  if suite.sampled_seeds:
    repeats += (f"; separate and flax-style ran seeds 0–{suite.sampled_seeds - 1} of every rate, "
                f"their seconds scaled by {suite.seeds}/{suite.sampled_seeds} (every process "
                "trains the same steps of the same model), and their accuracy is those seeds'")
  intro = (
      "A learning rate × seeds sweep trained three ways, each timed as whole processes run one "
      "after another (interpreter start, imports, data loading, compilation, training, "
      "evaluation; genvdisc also writes its checkpoints and result files): **sweep**, one "
      "`python -m experiments.main --config.sweep=learning_rate=...` command, every run vmapped "
      "in one compiled program (`seed_group` = runs); **separate**, one `experiments.main` "
      "process per (rate, seed) (`seed_group=1`); **flax-style**, one `python -m "
      "bench.flax_style` process per (rate, seed) (one jitted step, a Python loop over host "
      "batches). All hold out the same 10 % of the training split and train the same recipe "
      "from the same initial params and minibatches per seed. Wall s: median [min–max] over "
      f"the repeats ({repeats}); seeds·steps/s = runs × steps / wall; compile share: "
      "the seconds of the 'compiled in X s' progress lines (the training step's compilation "
      "with its first chunk; flax-style: its first step) over the wall time; ÷ sweep wall: the "
      "way's wall time over the sweep command's. Equal: each way's seed mean within 1 point of "
      "the sweep's, or within 2 std of the sweep's seeds.")
  return [Section("Sweeps end to end", "\n\n".join([intro] + texts), tuple(targets))]
