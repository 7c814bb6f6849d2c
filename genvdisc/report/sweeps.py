"""sweep.md, sweep.csv and sweep.png: a sweep's points side by side (results.json "points").

One row per point, in the sweep's order: every swept field's value, the point's seeds (its
diverged or loss-increased ones named), the selection metric on the validation split
(`selected["metric"]`, else `results.selection_metric`, e.g. val_accuracy), the task's headline
test metric (`format.headline`), each as mean ± sample std over the seeds that did not diverge
(as `results.summarize`), and whether the point is the selected one. sweep.md shows the numbers
scaled as the results rows do (accuracy in %); sweep.csv holds them unscaled to 5 decimals,
with n (the seeds counted) per metric and `selected` 1/0.

sweep.png: a column per swept field, the validation metric above the test metric, against the
field's values (a log axis for learning rates and for positive values spanning more than 10x;
categories for sizes and names): per combination of the other swept fields, the mean line with
a ± std band over seeds; the selected point is a red star.
"""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

from genvdisc import hyperparams
from genvdisc import results as results_lib
from genvdisc.report import format as fmt
from genvdisc.report import plots

SWEEP_MD = "sweep.md"
SWEEP_CSV = "sweep.csv"
SWEEP_PNG = "sweep.png"
LOG_AXIS_RATIO = 10.0   # positive values whose largest / smallest exceeds this get a log axis


class PointRow(NamedTuple):
  """One sweep point: its label, {field: value} (sizes as tuples), {seed: metrics} and whether
  the validation metric selected it."""
  label: str
  values: dict
  per_seed: dict
  selected: bool

  def metric(self, key: str) -> tuple[float, ...]:
    """The values of metric `key` over the seeds that did not diverge (those `summarize` counts)."""
    return fmt.seed_values(self.per_seed, key)


def _value(value):
  return tuple(value) if isinstance(value, list) else value   # a size read back from JSON


def show(field: str, value) -> str:
  """A field's value as the sweep's labels write it: 0.003, 100x100, mlp."""
  return hyperparams.label({field: _value(value)}).partition("=")[2]


def swept_fields(results: dict) -> list[str]:
  """The swept fields, in the order of the points' values."""
  return list(results["points"][0]["point"]) if results["points"] else []


def metrics(results: dict) -> tuple[fmt.Metric, fmt.Metric]:
  """(selection metric, test headline metric); the selection metric reads as its test twin
  (val_accuracy: 'val acc %', scaled to %), any other (e.g. val_loss) unscaled to 4 decimals
  under its own name; its key and label are '' when the task has none (classifier-FID)."""
  test = fmt.headline(results)
  select = ((results.get("selected") or {}).get("metric")
            or results_lib.selection_metric(results["config"]["select"], test.key))
  if select and select.removeprefix("val_") == test.key.removeprefix("test_"):
    return fmt.Metric(select, test.stat._replace(label=test.stat.label.replace("test", "val", 1))
                      ), test
  lower = bool(select) and not results_lib.higher_is_better(select)
  return fmt.Metric(select, fmt.Stat(select, 1.0, 4, lower)), test


def point_rows(results: dict) -> list[PointRow]:
  """Every point of a sweep's results as a `PointRow`, in the sweep's order."""
  chosen = (results.get("selected") or {}).get("label")
  rows = []
  for entry in results["points"]:
    per_seed = {str(results["runs"][name]["seed"]): results["per_seed"][name]
                for name in entry["runs"]}
    values = {field: _value(value) for field, value in entry["point"].items()}
    rows.append(PointRow(entry["label"], values, per_seed, entry["label"] == chosen))
  return rows


def _text(metric: fmt.Metric, values) -> str:
  return metric.stat.text(values) if values else "-"


def markdown(results: dict) -> str:
  """sweep.md: a line naming the selection, then one row per point (module docstring)."""
  fields, (select, test) = swept_fields(results), metrics(results)
  chosen = results.get("selected")
  head = (f"Selected by {chosen['metric']} on the validation split "
          f"({results.get('validation_fraction', 0):g} of the training split): "
          f"{chosen['label']}. Test numbers are reported, never used to choose."
          if chosen else "No point selected: no validation metric (set config.select).")
  header = [*fields, "seeds", select.stat.label or "validation", test.stat.label, "selected"]
  rows = [[*(show(f, row.values[f]) for f in fields), fmt.seeds_text(row.per_seed),
           _text(select, row.metric(select.key)), _text(test, row.metric(test.key)),
           "✓" if row.selected else ""] for row in point_rows(results)]
  return "\n".join([head, "", fmt.markdown_table(header, rows)]) + "\n"


def csv_text(results: dict) -> str:
  """sweep.csv: one line per point, numbers unscaled (module docstring)."""
  fields, (select, test) = swept_fields(results), metrics(results)
  names = [m.key or "validation" for m in (select, test)]
  parts = [f"{name}_{part}" for name in names for part in ("n", "mean", "std")]
  lines = [[*fields, "seeds", *parts, "selected"]]
  for row in point_rows(results):
    numbers = []
    for metric in (select, test):
      values = row.metric(metric.key)
      stat = results_lib.mean_std(values) if values else None
      numbers += ([stat["n"], f"{stat['mean']:.5f}", f"{stat['std']:.5f}"] if stat
                  else [0, "", ""])
    lines.append([*(show(f, row.values[f]) for f in fields), len(row.per_seed), *numbers,
                  int(row.selected)])
  return fmt.csv_text(lines)


def axis(field: str, values: list) -> tuple[list[float], bool]:
  """(x positions, log scale) of a field's distinct values in sweep order: numbers stand at
  their value (a log axis for learning rates and positive values spanning more than
  `LOG_AXIS_RATIO`), anything else (sizes, names) at 0, 1, 2, ..."""
  if all(results_lib.is_number(v) for v in values):
    log = all(v > 0 for v in values) and (field.endswith("learning_rate")
                                          or max(values) > LOG_AXIS_RATIO * min(values))
    return [float(v) for v in values], log
  return list(range(len(values))), False


def draw_field(ax_validation, ax_test, results: dict, field: str) -> None:
  """The two panels of one swept field (module docstring) on the given axes."""
  rows, fields = point_rows(results), swept_fields(results)
  distinct = list(dict.fromkeys(row.values[field] for row in rows))
  positions, log = axis(field, distinct)
  where = dict(zip(distinct, positions))
  lines: dict[str, list[PointRow]] = {}
  for row in rows:
    others = {f: row.values[f] for f in fields if f != field}
    lines.setdefault(hyperparams.label(others), []).append(row)
  for ax, metric in zip((ax_validation, ax_test), metrics(results)):
    for name, members in lines.items():
      scored = sorted(((where[r.values[field]], results_lib.mean_std(r.metric(metric.key)), r)
                       for r in members if r.metric(metric.key)), key=lambda item: item[0])
      if not scored:
        continue
      x = np.asarray([s[0] for s in scored])
      mean = metric.stat.scale * np.asarray([s[1]["mean"] for s in scored])
      std = metric.stat.scale * np.asarray([s[1]["std"] for s in scored])
      line, = ax.plot(x, mean, marker="o", label=name or None)
      ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.2)
      for xi, mi, (_, _, row) in zip(x, mean, scored):
        if row.selected:
          ax.plot([xi], [mi], marker="*", markersize=15, color="tab:red", linestyle="none",
                  zorder=5, label="selected")
    if log:
      ax.set_xscale("log")
      ax.minorticks_off()
    ax.set_xticks(positions, [show(field, v) for v in distinct])
    ax.set_xlabel(field)
    ax.set_ylabel(plots.axis_label(metric.stat) if metric.key else "no validation metric")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
      ax.legend(fontsize=7)


def plot(results: dict, path: str, title: str) -> None:
  """Writes sweep.png (module docstring) atomically to `path`."""
  fields = swept_fields(results)
  fig, axes = plots.pyplot().subplots(2, len(fields), figsize=(max(5.0, 4.6 * len(fields)), 6.6),
                           squeeze=False)
  for column, field in enumerate(fields):
    draw_field(axes[0, column], axes[1, column], results, field)
  fig.suptitle(f"{title}\nmean ± std over seeds; red star: the point selected on validation",
               fontsize=10)
  plots.save_figure(fig, path, dpi=100)


def write(results: dict, directory: str) -> None:
  """sweep.md, sweep.csv and sweep.png of a sweep's results into `directory`, each atomically."""
  results_lib.write_text_atomic(os.path.join(directory, SWEEP_MD), markdown(results))
  results_lib.write_text_atomic(os.path.join(directory, SWEEP_CSV), csv_text(results))
  plot(results, os.path.join(directory, SWEEP_PNG), results["config"]["name"])
