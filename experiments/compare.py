"""Compares finished runs: one summary table, and their curves overlaid in one PNG.

  python -m experiments.compare runs/mlp_digits runs/mlp_digits_lr3e-3 [--out=runs/lr.png]

Reads each RUN_DIR/results.json. A sweep counts as one run per point, 'RUN_DIR [point]' (the
selected one marked ✓), with the point's values in its config: nothing is averaged over
different hyperparameters. Prints one markdown table: a row per run with the config fields that
differ between the runs (dotted for nested fields, '-' where a run lacks one), its number of
seeds (with any diverged or loss-increased ones) and every summarised metric as mean ± std over
its non-diverged seeds. With --out, writes there one panel per metric of the runs' `curves` (the
periodic evaluations, the final one and any logged training metric), each run's mean over seeds
against the step with a ± std band; without it, draws nothing.
Bad input (no run, a missing directory or results.json): one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import sys

from genvdisc import results
from genvdisc.errors import ConfigError
from genvdisc.report import curves, plots
from genvdisc.report import format as fmt
from genvdisc.train.workdir import RESULTS_JSON

PANELS_PER_ROW = 3


def load(run_dir: str) -> dict:
  """RUN_DIR/results.json; ConfigError when the directory or its results are missing."""
  if not os.path.isdir(run_dir):
    raise ConfigError(f"run directory {run_dir!r} does not exist")
  path = os.path.join(run_dir, RESULTS_JSON)
  if not os.path.exists(path):
    raise ConfigError(f"{run_dir!r} has no {RESULTS_JSON}: not a finished run (a run writes it "
                      "at its end)")
  try:
    run = results.read_json(path)
  except (OSError, ValueError) as e:
    raise ConfigError(f"cannot read {path}: {e}") from None
  if not isinstance(run, dict) or not {"config", "per_seed", "summary"} <= run.keys():
    raise ConfigError(f"{path} is not a run's results (it needs config, per_seed and summary)")
  return run


def flatten(config: dict, prefix: str = "") -> dict:
  """{'mesh': {'seed': -1}} -> {'mesh.seed': -1}."""
  out = {}
  for key, value in config.items():
    if isinstance(value, dict):
      out.update(flatten(value, f"{prefix}{key}."))
    else:
      out[prefix + key] = value
  return out


def differing_fields(configs: list[dict]) -> list[str]:
  """The (flattened) config fields whose values are not the same in every run, sorted."""
  flat = [flatten(c) for c in configs]
  fields = sorted(set().union(*flat))
  missing = object()
  return [f for f in fields if len({repr(c.get(f, missing)) for c in flat}) > 1]


def set_field(config: dict, field: str, value) -> None:
  """config[field] = value, dotted fields inside nested dicts ('model_kwargs.hidden_sizes')."""
  *path, leaf = field.split(".")
  for part in path:
    config = config.setdefault(part, {})
  config[leaf] = value


def point_runs(label: str, run: dict) -> dict[str, dict]:
  """{label: run} without a sweep; a sweep's results as one results-shaped dict per point,
  '<label> [<point>]' (✓ when selected): its config with the point's values (no sweep, the
  validation fraction it held out), its seeds' metrics and curves, its own summary."""
  if "points" not in run:
    return {label: run}
  chosen = (run.get("selected") or {}).get("label")
  out = {}
  for entry in run["points"]:
    config = copy.deepcopy(run["config"])
    for field, value in {**entry["point"], "sweep": "",
                         "validation_fraction": run["validation_fraction"]}.items():
      set_field(config, field, value)
    seed_of = {name: str(run["runs"][name]["seed"]) for name in entry["runs"]}
    curves = [{"step": point["step"], "per_seed": {seed_of[n]: m for n, m in
                                                   point["per_seed"].items() if n in seed_of}}
              for point in run.get("curves", [])]
    mark = " ✓" if entry["label"] == chosen else ""
    out[f"{label} [{entry['label']}]{mark}"] = {
        "config": config, "per_seed": {seed_of[n]: run["per_seed"][n] for n in entry["runs"]},
        "summary": entry["summary"], "curves": [c for c in curves if c["per_seed"]]}
  return out


def table(runs: dict[str, dict]) -> str:
  """The markdown table of the module docstring; `runs` maps a label to its results.json."""
  fields = differing_fields([r["config"] for r in runs.values()])
  metrics = sorted(set().union(*(r["summary"] for r in runs.values())))
  rows = []
  for label, r in runs.items():
    config = flatten(r["config"])
    rows.append([label, *(_text(config.get(f, "-")) for f in fields),
                 fmt.seeds_text(r["per_seed"]),
                 *(fmt.significant(r["summary"][m]) if m in r["summary"] else "-"
                   for m in metrics)])
  return fmt.markdown_table(["run", *fields, "n seeds", *metrics], rows) + "\n"


def _text(value) -> str:
  return "''" if value == "" else str(value)


def overlay(runs: dict[str, dict]):
  """The figure of the module docstring; None when no run has curves."""
  metrics = curves.metric_names([point for r in runs.values() for point in r.get("curves", [])])
  if not metrics:
    return None
  from matplotlib.lines import Line2D
  columns = min(len(metrics), PANELS_PER_ROW)
  rows = math.ceil(len(metrics) / columns)
  fig, axes = plots.pyplot().subplots(rows, columns, figsize=(4.5 * columns, 3.5 * rows + 0.4),
                                      squeeze=False, layout="constrained")
  colors = {label: f"C{i % 10}" for i, label in enumerate(runs)}
  for ax, metric in zip(axes.flat, metrics):
    for label, r in runs.items():
      steps, means, stds, _ = curves.series(r.get("curves", []), metric)
      ax.plot(steps, means, marker="o", markersize=3, color=colors[label])
      ax.fill_between(steps, [m - s for m, s in zip(means, stds)],
                      [m + s for m, s in zip(means, stds)], color=colors[label], alpha=0.15)
    ax.set_title(metric)
    ax.set_xlabel("step")
  for ax in list(axes.flat)[len(metrics):]:
    ax.axis("off")
  handles = [Line2D([], [], color=c, marker="o", label=label) for label, c in colors.items()]
  fig.legend(handles=handles, loc="outside lower center", ncol=min(len(runs), PANELS_PER_ROW),
             fontsize=8)
  fig.suptitle("mean ± std over seeds")
  return fig


def compare(run_dirs: list[str], out: str | None, log=print) -> None:
  """Prints the table of `run_dirs` and writes the overlay to `out` (None: no overlay), as the
  module docstring says."""
  if not run_dirs:
    raise ConfigError("usage: python -m experiments.compare RUN_DIR [RUN_DIR ...] "
                      "[--out=FILE.png]")
  runs = {}
  for d in run_dirs:
    runs.update(point_runs(os.path.normpath(d), load(d)))
  log(table(runs))
  if out is None:
    return
  fig = overlay(runs)
  if fig is None:
    log("no curves to plot")
    return
  plots.save_figure(fig, out)
  log(f"wrote {out}")


class _Parser(argparse.ArgumentParser):
  def error(self, message):
    """Bad arguments: one line and exit 2 (argparse would print its usage first)."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv=None):
  parser = _Parser(prog="python -m experiments.compare", description=__doc__.split("\n")[0])
  parser.add_argument("run_dirs", nargs="*", metavar="RUN_DIR", help="a run's workdir")
  parser.add_argument("--out", default=None,
                      help="where to write the curves' overlay (a PNG); none without it")
  args = parser.parse_args(argv)
  try:
    compare(args.run_dirs, args.out)
  except ConfigError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
  main()
