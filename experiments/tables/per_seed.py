"""Every committed table's per-seed numbers in one shape, whatever its record's layout:
{row: {seed: {metric: value}}} (`per_seed_rows`), the rows named as `experiments.verify --rows`
takes them."""

from __future__ import annotations

import os

from experiments import tables
from genvdisc import results
from genvdisc.errors import ConfigError

# {row: {seed: {metric: value}}}: a table's per-seed numbers, whatever its record's shape.
Rows = dict[str, dict[str, dict[str, float]]]


def _numbers(metrics: dict) -> dict[str, float]:
  return {k: float(v) for k, v in metrics.items() if results.is_number(v)}


def _trained(record: dict) -> Rows:
  return {r["name"]: {s: _numbers(m) for s, m in r["per_seed"].items()} for r in record["rows"]}


def _ngjordan(record: dict) -> Rows:
  """Row '<dataset>/<classifier>' (features: '<dataset> <features>/<classifier>'), metric
  'm=<size>' (test error), seed = split seed."""
  return {f"{ds}/{c}": {str(seed): {f"m={m}": e for m, e in zip(r["sizes"], errors)}
                        for seed, errors in zip(r["split_seeds"], per_split)}
          for ds, r in record["curves"].items() for c, per_split in r["errors"].items()}


def _m1(record: dict) -> Rows:
  """Row '<features>/<classifier>', metric '<n> labels' (test error)."""
  counts = record["config"]["num_labels"].split(",")
  return {f"{features}/{c}": {str(seed): {f"{n} labels": e for n, e in zip(counts, errors)}
                              for seed, errors in zip(record["seeds"], per_seed)}
          for features, by_classifier in record["errors"].items()
          for c, per_seed in by_classifier.items()}


def _keyed(metric: str):
  """Records {metric: {row: {seed: value}}} (m2, augment)."""
  return lambda record: {row: {s: {metric: float(v)} for s, v in by_seed.items()}
                         for row, by_seed in record[metric].items()}


def _sweep(record: dict) -> Rows:
  """Row '<config> [<point>]' (sweep_lr), seed = the run's seed."""
  rows: Rows = {}
  for row in record["rows"]:
    for name, run in row["runs"].items():
      point = name.rsplit(",seed=", 1)[0]
      rows.setdefault(f"{row['name']} [{point}]", {})[str(run["seed"])] = _numbers(
          row["per_seed"][name])
  return rows


def _genclf(record: dict) -> Rows:
  """Row '<row> <size>' (genclf_<dataset>: 'ddpm_digits_conditional m=5', '... all')."""
  return {f"{name} {'all' if m == '0' else f'm={m}'}": {s: _numbers(v) for s, v in per_seed.items()}
          for r in record["datasets"].values() for name, row in r["rows"].items()
          for m, per_seed in row["per_size"].items()}


SHAPES = {"ngjordan": _ngjordan, "m1": _m1, "m2": _keyed("test_error"),
          "augment": _keyed("test_accuracy"), "sweep_lr": _sweep, "genclf_digits": _genclf,
          "genclf_mnist1d": _genclf, "features": _ngjordan}   # every other table: the trained tables' rows


def table_name(path: str, record: dict) -> str:
  name = record.get("table") or os.path.basename(path).removesuffix(".json").split("-")[0]
  if name not in tables.TABLES:
    raise ConfigError(f"{path} is not a table of experiments.tables (no table {name!r}; tables: "
                      f"{', '.join(tables.TABLES)})")
  return name


def per_seed_rows(name: str, record: dict) -> Rows:
  """The per-seed numbers of table `name`'s json record, the rows named as its `SHAPES` reader
  says (the trained tables: their rows' names); --rows takes these names."""
  if name not in SHAPES and not tables.TABLES[name].takes_sets:
    raise ConfigError(f"experiments.verify cannot read table {name!r}'s record; add its shape "
                      "to experiments.tables.per_seed.SHAPES")
  return SHAPES.get(name, _trained)(record)
