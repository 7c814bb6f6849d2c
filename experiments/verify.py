"""Reruns seeds of a committed table and compares them with the committed numbers.

  python -m experiments.verify results/summary.json                  # seed 0 of every row
  python -m experiments.verify results/mnist1d.json --seeds=0,3 --rows=cnn_mnist1d,gru_mnist1d

The table (the json's "table" field, else its file stem up to the first '-') is recomputed for
the seeds by `experiments.tables.reproduce` in a temporary directory (every row is rerun;
--rows picks the rows compared). For each row, over its metrics and the rerun seeds: whether
every number is bitwise equal to the committed one, the largest absolute difference, and whether
each metric's differences are within the row's seed std (the committed sample std of that
metric over the table's seeds: 0 with one seed, where only equal numbers pass). Wall times and
versions are not compared; this machine's CPU or GPU and package versions are printed beside
those recorded. Exit 0 when every row is within its seed std, 1 otherwise; bad input: one line,
exit 2; Ctrl-C (and SIGTERM while a run trains): exit 75, the rerun's directory removed.
Why numbers differ across machines: docs/reproducibility.md.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import tempfile
from typing import NamedTuple

from absl import app, flags, logging

from experiments import tables
from experiments.tables.spec import suffix
from genvdisc import results
from genvdisc.config import parse_seeds
from genvdisc.errors import ConfigError, GenvdiscError
from genvdisc.train import preemption

FLAGS = flags.FLAGS

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
  """The per-seed numbers of table `name`'s json record (module docstring)."""
  if name not in SHAPES and not tables.TABLES[name].takes_sets:
    raise ConfigError(f"experiments.verify cannot read table {name!r}'s record; add its shape "
                      "to experiments.verify.SHAPES")
  return SHAPES.get(name, _trained)(record)


class RowCheck(NamedTuple):
  name: str
  bitwise: bool
  max_diff: float              # largest |rerun - committed| over metrics and seeds (inf: missing)
  worst: str                   # the metric furthest outside (or nearest to) its seed std
  worst_diff: float
  worst_std: float

  @property
  def within(self) -> bool:
    return self.worst_diff <= self.worst_std


def check_row(name: str, committed: dict, rerun: dict, seeds: tuple[str, ...]) -> RowCheck:
  """One row's comparison (module docstring); a metric or seed missing from the rerun, or NaN
  on one side only, differs by inf."""
  found = []                   # (metric, max diff over the seeds, committed std)
  bitwise = True
  for metric in sorted({k for m in committed.values() for k in m}):
    pairs = [(committed[s].get(metric), rerun.get(s, {}).get(metric)) for s in seeds]
    bitwise &= all(repr(old) == repr(new) for old, new in pairs)
    values = [m[metric] for m in committed.values() if math.isfinite(m.get(metric, math.nan))]
    std = results.mean_std(values)["std"] if values else 0.0
    found.append((metric, max(_difference(old, new) for old, new in pairs), std))
  worst = max(found, key=lambda f: (_excess(f[1], f[2]), f[1]))
  return RowCheck(name, bitwise, max(f[1] for f in found), *worst)


def _excess(diff: float, std: float) -> float:
  """diff in units of std (inf for a difference where std is 0)."""
  if diff == 0.0:
    return 0.0
  return diff / std if std > 0.0 else math.inf


def _difference(old: float | None, new: float | None) -> float:
  if old is None or new is None:
    return 0.0 if old is new else math.inf
  if math.isnan(old) or math.isnan(new):
    return 0.0 if math.isnan(old) and math.isnan(new) else math.inf
  return abs(new - old)


def markdown(checks: list[RowCheck], seeds: tuple[str, ...]) -> str:
  lines = ["| row | seeds | bitwise equal | max abs diff | within seed std (worst metric) |",
           "|---|---|---|---|---|"]
  for c in checks:
    verdict = "yes" if c.within else "NO"
    lines.append(f"| {c.name} | {','.join(seeds)} | {'yes' if c.bitwise else 'no'} | "
                 f"{c.max_diff:.3g} | {verdict} ({c.worst}: {c.worst_diff:.3g} "
                 f"{'<=' if c.within else '>'} std {c.worst_std:.3g}) |")
  return "\n".join(lines)


def environment(recorded: dict) -> str:
  """This machine, and a table of package versions: recorded vs here."""
  here = results.package_versions()
  lines = [f"this machine: {results.machine()}; Python {platform.python_version()}", "",
           "| package | recorded | here |", "|---|---|---|"]
  for name in sorted(set(recorded) | set(here)):
    old, new = recorded.get(name, "not recorded"), here.get(name, "not recorded")
    lines.append(f"| {name} | {old} | {new}{'' if old == new else ' (differs)'} |")
  return "\n".join(lines)


def verify(path: str, seeds: tuple[int, ...] = (0,), rows: tuple[str, ...] | None = None,
           log=print, sets: tuple[tuple[str, str], ...] = ()) -> list[RowCheck]:
  """Reruns `seeds` of the table json at `path` (written with --set `sets`) and compares `rows`
  (None: all); bad input raises ConfigError before anything runs."""
  try:
    record = results.read_json(path)
  except (OSError, ValueError) as e:
    raise ConfigError(f"cannot read table json {path!r}: {e}") from None
  if not isinstance(record, dict):
    raise ConfigError(f"{path} is not a table json written by experiments.reproduce")
  name = table_name(path, record)
  try:
    committed = per_seed_rows(name, record)
  except (KeyError, TypeError, ValueError, AttributeError) as e:
    raise ConfigError(f"{path} is not a {name!r} table json written by experiments.reproduce "
                      f"({type(e).__name__}: {e})") from None
  rows = tuple(committed) if rows is None else rows
  for row in rows:
    if row not in committed:
      raise ConfigError(f"{path} has no row {row!r}; its rows: {', '.join(committed)}")
    missing = [s for s in seeds if str(s) not in committed[row]]
    if missing:
      raise ConfigError(f"{path} has no seed {missing[0]} in row {row!r} (its seeds: "
                        f"{','.join(committed[row])}); pick --seeds among them")
  log(f"verify: rerunning table {name!r}, seeds {','.join(map(str, seeds))}")
  with tempfile.TemporaryDirectory(prefix="genvdisc-verify-") as out:
    tables.reproduce(name, out, seeds, log, sets)
    rerun = per_seed_rows(name, results.read_json(os.path.join(out, name + suffix(seeds, sets)
                                                               + ".json")))
  text_seeds = tuple(map(str, seeds))
  return [check_row(row, committed[row], rerun.get(row, {}), text_seeds) for row in rows]


def _define_flags():
  """Defined when run as a program only: importing this module (tests, other tools) must not
  clash with experiments.reproduce's flags of the same names."""
  flags.DEFINE_string("seeds", "0", "Seeds (splits) to rerun, e.g. '0' or '0,3'.")
  flags.DEFINE_string("rows", None, "Rows to compare, e.g. 'cnn_mnist1d,mlp_digits' (default: all).")


def parse_flags(argv):
  """absl's parser; a bad flag is one line and exit 2."""
  try:
    return FLAGS(argv)
  except flags.Error as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)


def main(argv):
  if not FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)
  try:
    if len(argv) != 2:
      raise ConfigError("usage: python -m experiments.verify results/<table>.json [--seeds=0] "
                        "[--rows=a,b]")
    path = argv[1]
    try:
      seeds = parse_seeds(FLAGS.seeds)
    except ConfigError:
      raise ConfigError(f"--seeds={FLAGS.seeds!r} must be distinct non-negative integers, "
                        "e.g. --seeds=0,3") from None
    rows = None if FLAGS.rows is None else tuple(r for r in FLAGS.rows.split(",") if r)
    checks = verify(path, seeds, rows, log=lambda line: print(line, flush=True))
  except GenvdiscError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)
  except (preemption.Preempted, KeyboardInterrupt):
    print("verify interrupted; its temporary rerun is removed: run it again", file=sys.stderr)
    sys.exit(preemption.EXIT_CODE)
  print(markdown(checks, tuple(map(str, seeds))))
  print()
  print(environment(results.read_json(path).get("versions", {})))
  failed = [c.name for c in checks if not c.within]
  print(f"\n{len(checks) - len(failed)} of {len(checks)} rows within their seed std"
        + (f"; outside: {', '.join(failed)}" if failed else ""))
  sys.exit(1 if failed else 0)


if __name__ == "__main__":
  _define_flags()
  app.run(main, flags_parser=parse_flags)
