"""Reruns seeds of a committed table and compares them with the committed numbers.

  python -m experiments.verify results/summary.json                  # seed 0 of every row
  python -m experiments.verify results/mnist1d.json --seeds=0,3 --rows=cnn_mnist1d,gru_mnist1d
  python -m experiments.verify runs/core/core-num_steps-500.json --set num_steps=500

The table (the json's "table" field, else its file stem up to the first '-') is recomputed for
the seeds in a temporary directory by `experiments.tables.compute`: only the --rows named (and
what they depend on: a judge, a pretraining, M1's VAE; a row that shares its work with others,
such as a sweep's learning rates, brings that work along; experiments/tables/spec.py `wanted`),
with the --set overrides of experiments.reproduce (compare against a table written with the same
--set). First both sides' provenance is printed, recorded vs here: commit, uncommitted changes
(dirty), machine (CPU model and cores, or accelerators), Python and package versions (an older
json records its versions only). Bitwise equality is claimed only where it is promised: the
same clean commit, machine and versions on both sides (`blockers`).

Per row, over its metrics and the rerun seeds, a verdict:
  bitwise equal               every number equal to the last bit, and the provenance matches;
  equal (provenance differs)  every number equal, but commit, machine or versions differ (or
                              were not recorded), so no bitwise promise covers it;
  within the row's std        some number differs, each metric by at most the row's seed std
                              (the committed sample std of that metric over the table's seeds:
                              0 with one seed, where only equal numbers pass);
  outside the row's std       some metric differs by more (or a number is missing, or NaN on
                              one side only),
beside the largest absolute difference and the worst metric. Wall times are not compared. Exit 0
when no row is outside, 1 otherwise (and for an OS error, one line); bad input: one line, exit 2,
before anything runs; SIGTERM or Ctrl-C: exit 75, the temporary directory removed (a run stops
at its next chunk, anything else at once). Why numbers differ across machines:
docs/reproducibility.md.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from typing import NamedTuple

from absl import app, flags, logging

from experiments import tables
from experiments.tables.per_seed import per_seed_rows, table_name
from genvdisc import results
from genvdisc.config import parse_seeds
from genvdisc.errors import ConfigError
from genvdisc.train import preemption

FLAGS = flags.FLAGS

BITWISE = "bitwise equal"
EQUAL = "equal (provenance differs)"
WITHIN = "within the row's std"
OUTSIDE = "outside the row's std"


class RowCheck(NamedTuple):
  name: str
  equal: bool                  # every rerun number is the committed one, to the last bit
  max_diff: float              # largest |rerun - committed| over metrics and seeds (inf: missing)
  worst: str                   # the metric furthest outside (or nearest to) its seed std
  worst_diff: float
  worst_std: float

  @property
  def within(self) -> bool:
    return self.worst_diff <= self.worst_std

  def verdict(self, bitwise_claims: bool) -> str:
    """BITWISE only where the numbers are equal and `bitwise_claims` (the provenance matches,
    `blockers`); else EQUAL, WITHIN or OUTSIDE (module docstring)."""
    if self.equal:
      return BITWISE if bitwise_claims else EQUAL
    return WITHIN if self.within else OUTSIDE


def check_row(name: str, committed: dict, rerun: dict, seeds: tuple[str, ...]) -> RowCheck:
  """One row's comparison (module docstring); a metric or seed missing from the rerun, or NaN
  on one side only, differs by inf."""
  found = []                   # (metric, max diff over the seeds, committed std)
  equal = True
  for metric in sorted({k for m in committed.values() for k in m}):
    pairs = [(committed[s].get(metric), rerun.get(s, {}).get(metric)) for s in seeds]
    equal &= all(repr(old) == repr(new) for old, new in pairs)
    values = [m[metric] for m in committed.values() if math.isfinite(m.get(metric, math.nan))]
    std = results.mean_std(values)["std"] if values else 0.0
    found.append((metric, max(_difference(old, new) for old, new in pairs), std))
  worst = max(found, key=lambda f: (_excess(f[1], f[2]), f[1]))
  return RowCheck(name, equal, max(f[1] for f in found), *worst)


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


def markdown(checks: list[RowCheck], seeds: tuple[str, ...], bitwise_claims: bool) -> str:
  lines = ["| row | seeds | verdict | max abs diff | worst metric: diff vs the row's std |",
           "|---|---|---|---|---|"]
  for c in checks:
    lines.append(f"| {c.name} | {','.join(seeds)} | {c.verdict(bitwise_claims)} | "
                 f"{c.max_diff:.3g} | {c.worst}: {c.worst_diff:.3g} "
                 f"{'<=' if c.within else '>'} std {c.worst_std:.3g} |")
  return "\n".join(lines)


def summary(checks: list[RowCheck], bitwise_claims: bool) -> str:
  """'3 rows: 2 bitwise equal, 1 outside the row's std (cnn_mnist1d)'."""
  verdicts = [c.verdict(bitwise_claims) for c in checks]
  counts = [f"{verdicts.count(v)} {v}" for v in (BITWISE, EQUAL, WITHIN) if v in verdicts]
  outside = [c.name for c, v in zip(checks, verdicts) if v == OUTSIDE]
  if outside:
    counts.append(f"{len(outside)} {OUTSIDE} ({', '.join(outside)})")
  return f"{len(checks)} row{'s' * (len(checks) != 1)}: {', '.join(counts)}"


def recorded_provenance(record: dict) -> dict:
  """The table json's provenance; an older json records its package versions only."""
  return record.get("provenance") or {"versions": record.get("versions", {})}


def blockers(recorded: dict, here: dict) -> tuple[str, ...]:
  """What keeps equal numbers from being claimed bitwise equal (empty: nothing): 'commit' unless
  both sides name the same one, 'dirty' unless both are clean, 'machine' unless both are the
  same (CPU model and cores, or accelerators), 'versions' unless every package's is the same.
  A field not recorded blocks."""
  found = []
  if recorded.get("commit") is None or recorded.get("commit") != here.get("commit"):
    found.append("commit")
  if recorded.get("dirty") is not False or here.get("dirty") is not False:
    found.append("dirty")
  if recorded.get("machine") is None or recorded.get("machine") != here.get("machine"):
    found.append("machine")
  if not recorded.get("versions") or recorded.get("versions") != here.get("versions"):
    found.append("versions")
  return tuple(found)


_BLOCKED = {"commit": "commit differs or not recorded",
            "dirty": "uncommitted changes, or not recorded",
            "machine": "machine differs or not recorded",
            "versions": "versions differ or not recorded"}


def provenance_table(recorded: dict, here: dict) -> str:
  """Both sides, field by field (commit, dirty, machine, python, then each package's version),
  and whether bitwise claims can be made (`blockers`)."""
  lines = ["| provenance | recorded | here |", "|---|---|---|"]
  fields = [(f, recorded.get(f), here.get(f)) for f in ("commit", "dirty", "machine", "python")]
  old_versions, new_versions = recorded.get("versions", {}), here.get("versions", {})
  fields += [(name, old_versions.get(name), new_versions.get(name))
             for name in sorted(set(old_versions) | set(new_versions))]
  show = lambda value: "not recorded" if value is None else str(value)
  for name, old, new in fields:
    lines.append(f"| {name} | {show(old)} | {show(new)}{'' if old == new else ' (differs)'} |")
  blocked = blockers(recorded, here)
  lines += ["", "bitwise claims: " + (
      f"none ({'; '.join(_BLOCKED[field] for field in blocked)})" if blocked
      else "yes (the same clean commit, machine and versions)")]
  return "\n".join(lines)


class Verification(NamedTuple):
  checks: list[RowCheck]
  bitwise_claims: bool         # the provenance matches (`blockers` found nothing)


def verify(path: str, seeds: tuple[int, ...] = (0,), rows: tuple[str, ...] | None = None,
           log=print, sets: tuple[tuple[str, str], ...] = ()) -> Verification:
  """Reruns `seeds` of `rows` (None: all) of the table json at `path` (written with --set
  `sets`) and compares them; logs both sides' provenance first. Bad input raises ConfigError
  before anything runs."""
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
  names = tuple(committed) if rows is None else rows
  for row in names:
    if row not in committed:
      raise ConfigError(f"{path} has no row {row!r}; its rows: {', '.join(committed)}")
    missing = [s for s in seeds if str(s) not in committed[row]]
    if missing:
      raise ConfigError(f"{path} has no seed {missing[0]} in row {row!r} (its seeds: "
                        f"{','.join(committed[row])}); pick --seeds among them")
  tables.check_sets([name], sets)
  here = results.provenance()
  log(provenance_table(recorded_provenance(record), here) + "\n")
  log(f"verify: rerunning table {name!r}, seeds {','.join(map(str, seeds))}, "
      f"{'every row' if rows is None else 'rows ' + ', '.join(rows)}")
  with tempfile.TemporaryDirectory(prefix="genvdisc-verify-", ignore_cleanup_errors=True) as out:
    rerun_record = tables.compute(name, out, seeds, log, sets, rows).record
  # as written and read back: json's types and key order
  rerun = per_seed_rows(name, json.loads(json.dumps(rerun_record, sort_keys=True)))
  text_seeds = tuple(map(str, seeds))
  return Verification([check_row(row, committed[row], rerun.get(row, {}), text_seeds)
                       for row in names], not blockers(recorded_provenance(record), here))


def _define_flags():
  """Defined when run as a program only: importing this module (tests, other tools) must not
  clash with experiments.reproduce's flags of the same names."""
  flags.DEFINE_string("seeds", "0", "Seeds (splits) to rerun, e.g. '0' or '0,3'.")
  flags.DEFINE_string("rows", None, "Rows to rerun and compare, e.g. 'cnn_mnist1d,mlp_digits' "
                      "(default: all).")
  flags.DEFINE_multi_string("set", [], "field=value overriding a config field of every row of a "
                            "trained table, as in experiments.reproduce (repeatable).")


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
  with preemption.exits_cleanly("before the comparison; the rerun's temporary directory is "
                                "removed: run verify again"):
    if len(argv) != 2:
      raise ConfigError("usage: python -m experiments.verify results/<table>.json [--seeds=0] "
                        "[--rows=a,b] [--set field=value]")
    try:
      seeds = parse_seeds(FLAGS.seeds)
    except ConfigError:
      raise ConfigError(f"--seeds={FLAGS.seeds!r} must be distinct non-negative integers, "
                        "e.g. --seeds=0,3") from None
    rows = None if FLAGS.rows is None else tuple(r for r in FLAGS.rows.split(",") if r)
    try:
      checks, bitwise_claims = verify(argv[1], seeds, rows, lambda line: print(line, flush=True),
                                      tables.parse_sets(FLAGS.set))
    except preemption.Preempted as e:   # its checkpoint was in the removed temporary directory
      raise KeyboardInterrupt(f"a run stopped at step {e.step}") from None
  print(markdown(checks, tuple(map(str, seeds)), bitwise_claims))
  print(f"\n{summary(checks, bitwise_claims)}")
  sys.exit(1 if any(not c.within for c in checks) else 0)


if __name__ == "__main__":
  _define_flags()
  app.run(main, flags_parser=parse_flags)
