"""curves.png: a run's curves (results.json "curves") as one panel per metric, mean ± std band.

Each panel plots, at every step holding the metric, the mean over the seeds that have a finite
value there and are not marked diverged, with a band of ± one sample standard deviation
(`results.mean_std`) and each seed as a faint line; `minibatch_loss` (every log step) comes
first, then the evaluation metrics in name order. A metric measured at one step only (e.g. at
the end) is a point with an error bar. A sweep gets a band per point, in its own colour and
named in the legend: seeds are averaged within a point, never across points.
"""

from __future__ import annotations

import math

import numpy as np

from genvdisc import results
from genvdisc.report import plots

SKIPPED = ("diverged_at_step",)


def series(curves: list[dict], name: str, runs=None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
  """(steps, means, stds, {seed: (steps, values)}) of metric `name` over the curves, of the
  runs named in `runs` (None: every run)."""
  steps, means, stds, per_seed = [], [], [], {}
  for point in curves:
    values = {seed: m[name] for seed, m in point["per_seed"].items()
              if (runs is None or seed in runs) and m.get("diverged_at_step") is None
              and results.is_finite_number(m.get(name))}
    if not values:
      continue
    stat = results.mean_std(values.values())
    steps.append(point["step"])
    means.append(stat["mean"])
    stds.append(stat["std"])
    for seed, value in values.items():
      per_seed.setdefault(seed, ([], []))
      per_seed[seed][0].append(point["step"])
      per_seed[seed][1].append(value)
  return np.asarray(steps), np.asarray(means), np.asarray(stds), per_seed


def metric_names(curves: list[dict]) -> list[str]:
  names = {k for point in curves for m in point["per_seed"].values() for k, v in m.items()
           if k not in SKIPPED and results.is_number(v)}
  return sorted(names, key=lambda n: (n != "minibatch_loss", n))


def points(curves: list[dict]) -> dict[str, list[str]]:
  """{sweep point label: its run names} of the runs in the curves ({'': runs} without a sweep)."""
  return results.by_point(dict.fromkeys(seed for point in curves for seed in point["per_seed"]))


def plot(curves: list[dict], path: str, title: str) -> None:
  """Writes curves.png (module docstring) atomically to `path`; nothing without curves."""
  names = metric_names(curves)
  if not names:
    return
  groups = points(curves)
  columns = min(3, len(names))
  rows = math.ceil(len(names) / columns)
  fig, axes = plots.pyplot().subplots(rows, columns, figsize=(4.2 * columns, 3.0 * rows),
                                      squeeze=False)
  for ax, name in zip(axes.flat, names):
    for i, (label, runs) in enumerate(groups.items()):
      plots.band(ax, *series(curves, name, runs), f"C{i % 10}", label or None)
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("step")
    ax.grid(alpha=0.3)
    if len(groups) > 1 and ax.get_legend_handles_labels()[0]:
      ax.legend(fontsize=7)
  for ax in axes.flat[len(names):]:
    ax.set_visible(False)
  per = " per sweep point" if len(groups) > 1 else ""
  fig.suptitle(f"{title}: mean ± std over seeds{per} (faint: each seed)", fontsize=11)
  plots.save_figure(fig, path, dpi=100)
