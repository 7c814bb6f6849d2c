"""`train_and_evaluate`, the one entry that trains a config: a sweep's structural fields become
groups run one after another.

Continuous fields (`genvdisc.hyperparams.CONTINUOUS`) are one vmapped run axis inside a group
(`train.run.train_runs`). Each combination of structural values (sizes, batch size, step count,
model) is its own compiled group, trained in `<workdir>/<label>/` (e.g. `batch_size=32/`) as an
ordinary run with the continuous part of the sweep; `<workdir>/results.json` then lists every
run of every group, the points' summaries and the selected point, as a single-group sweep does.
Every group is built (and its config checked) before the first one trains.
"""

from __future__ import annotations

import os

from genvdisc import config as config_lib
from genvdisc import data as data_lib
from genvdisc import hyperparams
from genvdisc import results as results_lib
from genvdisc.evaluate import frechet
from genvdisc.train import experiment as experiment_lib
from genvdisc.train import run as run_lib
from genvdisc.train import workdir as workdir_lib


def sweep_text(fields: list[tuple[str, list]]) -> str:
  """parse_sweep's fields back to 'field=v1,v2;...'."""
  show = lambda v: "x".join(map(str, v)) if isinstance(v, tuple) else repr(v) if isinstance(
      v, float) else str(v)
  return ";".join(f"{f}=" + ",".join(show(v) for v in values) for f, values in fields)


def group_configs(config) -> list[tuple[dict, object]]:
  """[(structural point, its config with the continuous part of the sweep)] ([] without
  structural fields)."""
  fields = hyperparams.parse_sweep(config.sweep)
  structural = [(f, v) for f, v in fields if f not in hyperparams.CONTINUOUS]
  if not structural:
    return []
  continuous = sweep_text([(f, v) for f, v in fields if f in hyperparams.CONTINUOUS])
  fraction = experiment_lib.validation_fraction(config)
  out = []
  for point in hyperparams.grid(structural):
    group = hyperparams.apply(config, point)
    with group.unlocked():
      group.sweep, group.validation_fraction = continuous, fraction
    out.append((point, group))
  return out


def check(config, dataset: data_lib.Dataset | None = None) -> None:
  """Builds every group's experiment, as `train_and_evaluate` does before it trains: the
  config's, its dataset's and its task's checks (nothing compiles, nothing is written)."""
  for _, group in group_configs(config) or [({}, config)]:
    experiment_lib.make_train(group, dataset)


def train_and_evaluate(config, workdir: str, log=print, overwrite: bool = False,
                       dataset: data_lib.Dataset | None = None,
                       judge: frechet.Judge | None = None) -> dict:
  """Trains every run of `config` in `workdir` and returns results.json: `train.run.train_runs`,
  or for a sweep with structural fields, every group in turn (module docstring) and their
  combined results. The one public entry (`experiments.main` and the tables call it)."""
  config = config_lib.resolve(config)
  groups = group_configs(config)
  if not groups:
    return run_lib.train_runs(config, workdir, log, overwrite, dataset, judge)
  for _, group in groups:
    experiment_lib.make_train(group, dataset, judge)  # every group's config checked first
  stored = workdir_lib.claim(workdir, config, overwrite)
  if stored is not None:
    log(f"[{config.name}] {workdir} already holds finished results; not retraining")
    return stored
  parts = []
  for point, group in groups:
    label = hyperparams.label(point)
    log(f"[{config.name}] structural group {label} ({len(parts) + 1}/{len(groups)})")
    parts.append((point, run_lib.train_runs(group, os.path.join(workdir, label), log, overwrite,
                                            dataset, judge)))
  results = combine(config, parts, workdir)
  workdir_lib.write_results(workdir, results)
  return results


def run_name(label: str, name: str) -> str:
  """The name of a group's run `name` in the combined results: '<structural label>,<run>'."""
  return f"{label},{name}" if "seed=" in name else f"{label},seed={name}"


def combine(config, parts: list[tuple[dict, dict]], workdir: str) -> dict:
  """One results dict from the groups' (structural point, results): runs renamed
  '<structural label>,<run>', points regrouped over both kinds of field, each run's rerun
  command (`experiment.rerun_command`) into `workdir`/reruns."""
  runs, per_run, curves, groups = [], {}, {}, []
  for point, part in parts:
    label = hyperparams.label(point)
    for name, info in part["runs"].items():
      full = {**point, **info["point"]}
      run = experiment_lib.Run(name=run_name(label, name), seed=info["seed"], point=full,
                               label=hyperparams.label(full), hparams={})
      runs.append(run)
      per_run[run.name] = part["per_seed"][name]
    for entry in part["curves"]:
      merged = curves.setdefault(entry["step"], {})
      merged.update({run_name(label, n): m for n, m in entry["per_seed"].items()})
    groups.append({"label": label, "wall_time_s": part["wall_time_s"], "memory": part["memory"]})
  return results_lib.build(
      config_lib.to_json_dict(config), per_run, sum(g["wall_time_s"] for g in groups),
      results_lib.headline_key(parts[0][1]), runs, select=config.select,
      rerun=lambda run: experiment_lib.rerun_command(config, run, workdir),
      seed_group=int(config.seed_group),
      validation_fraction=experiment_lib.validation_fraction(config), groups=groups,
      curves=[{"step": step, "per_seed": curves[step]} for step in sorted(curves)])
