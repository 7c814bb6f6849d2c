"""docs/results.md and the modules' measured results, computed from the committed tables.

  python -m experiments.docs [--check]   # write docs/results.md and modules' Measured lines;
                                         # --check: write nothing, exit 1 naming what differs
docs/results.template.md is docs/results.md with every measured number written as an
expression {{function:arguments}}; `render` replaces each by its value, read from
results/<table>.json through the table's own layout (`Table.sections`, experiments/tables), so
a number reads exactly as the table prints it. ADDRESS is TABLE[#SECTION]:ROW:COLUMN: SECTION
the index of the table's section or the start of its caption (needed only where ROW and COLUMN
occur in several sections), ROW a row's leading key values joined by '/', COLUMN its header.

  table:TABLE                     the table's markdown (results/TABLE.md)
  cell:ADDRESS                    a cell as printed: '97.6 ± 0.2', or a text cell
  mean:ADDRESS                    a cell's printed mean
  diff:T#S:ROW_A:COL_A:ROW_B:COL_B   printed mean A - printed mean B, signed
  ahead:T#S:ROW_A:ROW_B           the columns where A's printed mean is better than B's:
                                  'every m', 'no m', 'm = 1, 2 and all' (`listed`)
  best:T#S:COLUMN                 the row with the best printed mean in COLUMN
  order:T#S:COLUMN                the rows with a number in COLUMN, best first
  range:T#S:COL_A:COL_B           'MIN to MAX' over rows of printed mean A - printed mean B
  wall:TABLE                      the json's wall_time_s, else the sum of its rows'

"Better" follows the cells' Stat. A table whose json is not committed: 'not in a committed
table'. A line `Measured in results/TABLE.md, row ROW, column "COLUMN": VALUE.` of a module in
MEASURED_DIRS gets VALUE the same way. Bad input: one line, exit 2; an unreadable file: exit 1.
"""

from __future__ import annotations

import argparse
import glob
import os
import pathlib
import re
import sys

from experiments.tables import TABLES
from experiments.tables.spec import Cell, Section
from experiments.tables.writers import markdown
from genvdisc import results
from genvdisc.errors import ConfigError
from genvdisc.train import preemption

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join("docs", "results.template.md")
RENDERED = os.path.join("docs", "results.md")
MEASURED_DIRS = (os.path.join("experiments", "configs"), os.path.join("experiments", "tables"))
NOT_COMMITTED = "not in a committed table"
EXPRESSION = re.compile(r"\{\{([^{}]+)\}\}")
MEASURED = re.compile(r'^(?P<head>Measured in results/(?P<table>\w+)\.md, row (?P<row>.+?), '
                      r'column "(?P<column>[^"]+)": )(?P<value>.*)\.$', re.MULTILINE)


class Missing(Exception):
  """The table's json is not committed."""


class Tables:
  """The committed tables of one results directory, read once each."""

  def __init__(self, results_dir: str):
    self.results_dir = results_dir
    self._sections: dict[str, tuple[Section, ...]] = {}

  def sections(self, table: str) -> tuple[Section, ...]:
    if table not in TABLES:
      raise ConfigError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    if table not in self._sections:
      self._sections[table] = TABLES[table].sections(self.record(table))
    return self._sections[table]

  def record(self, table: str) -> dict:
    path = os.path.join(self.results_dir, f"{table}.json")
    if not os.path.exists(path):
      raise Missing(table)
    try:
      return results.read_json(path)
    except ValueError as e:
      raise ConfigError(f"{path} is not valid JSON: {e}") from None

  def pick(self, where: str) -> tuple[Section, ...]:
    """The sections of 'TABLE' or 'TABLE#SECTION' (an index or the start of a caption)."""
    table, _, part = where.partition("#")
    sections = self.sections(table)
    if not part:
      return sections
    if part.isdigit() and int(part) < len(sections):
      return (sections[int(part)],)
    chosen = tuple(s for s in sections if s.caption.startswith(part))
    if not chosen:
      raise ConfigError(f"table {table!r} has no section {part!r}")
    return chosen

  def find(self, where: str, row: str, column: str) -> Cell | str:
    """The one cell of ROW (leading keys joined by '/') and COLUMN in the sections of WHERE."""
    keys = tuple(row.split("/"))
    hits = []
    for section in self.pick(where):
      headers = section.columns + section.texts
      if column not in headers:
        continue
      i = headers.index(column)
      for r in section.rows:
        if r.keys[:len(keys)] == keys:
          hits.append((*r.cells, *r.texts)[i])
    if len(hits) != 1:
      what = "no" if not hits else f"{len(hits)}"
      raise ConfigError(f"{where}: {what} cells of row {row!r}, column {column!r}"
                        + ("; name the section as TABLE#SECTION" if hits else ""))
    return hits[0]

  def cell(self, where: str, row: str, column: str) -> Cell:
    value = self.find(where, row, column)
    if not isinstance(value, Cell):
      raise ConfigError(f"{where}: row {row!r}, column {column!r} is text ({value!r}), "
                        "not a number")
    return value


def printed_mean(cell: Cell) -> float:
  """The cell's mean as the table prints it (scaled, rounded to its digits)."""
  mean, _ = cell.stat.summary(cell.values)
  return round(cell.stat.scale * mean, cell.stat.digits)


def number(value: float, digits: int, sign: bool = False) -> str:
  """value to `digits` decimals ('+' first when `sign` and positive; never '-0.0')."""
  value = round(value, digits) or 0.0
  return f"{value:{'+' if sign else ''}.{digits}f}"


def duration(seconds: float) -> str:
  """'41 s', '13 min 28 s' or '1 h 2 min'."""
  seconds = round(seconds)
  if seconds < 60:
    return f"{seconds} s"
  if seconds < 3600:
    return f"{seconds // 60} min {seconds % 60} s"
  return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def wall_seconds(record) -> float:
  """A table's wall time: its top-level wall_time_s, else the sum of every wall_time_s in it."""
  if isinstance(record, dict):
    if "wall_time_s" in record:
      return float(record["wall_time_s"])
    return sum(wall_seconds(v) for k, v in record.items() if k not in ("config", "versions"))
  if isinstance(record, list):
    return sum(wall_seconds(v) for v in record)
  return 0.0


def listed(columns: list[str], every: tuple[str, ...]) -> str:
  """Some of a section's columns in prose: 'every m', 'no m' or 'm = 1, 2 and all' for m=...
  columns; else 'each of 20 labels and 50 labels', 'none of ...' or '20 labels'."""
  def joined(names):
    return f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else names[0]
  if all(c.startswith("m=") or c == "all" for c in every):
    if len(columns) == len(every):
      return "every m"
    return f"m = {joined([c.removeprefix('m=') for c in columns])}" if columns else "no m"
  if len(columns) == len(every):
    return f"each of {joined(list(every))}"
  return joined(columns) if columns else f"none of {joined(list(every))}"


def _cell(tables: Tables, where, row, column) -> str:
  value = tables.find(where, row, column)
  return value.text if isinstance(value, Cell) else value


def _mean(tables: Tables, where, row, column) -> str:
  cell = tables.cell(where, row, column)
  return number(printed_mean(cell), cell.stat.digits)


def _diff(tables: Tables, where, row_a, column_a, row_b, column_b) -> str:
  a, b = tables.cell(where, row_a, column_a), tables.cell(where, row_b, column_b)
  return number(printed_mean(a) - printed_mean(b), a.stat.digits, sign=True)


def _better(cell: Cell, other: Cell) -> bool:
  a, b = printed_mean(cell), printed_mean(other)
  return a < b if cell.stat.lower_is_better else a > b


def _section(tables: Tables, where: str) -> Section:
  sections = tables.pick(where)
  if len(sections) != 1:
    raise ConfigError(f"{where}: {len(sections)} sections; name one as TABLE#SECTION")
  return sections[0]


def _ahead(tables: Tables, where, row_a, row_b) -> str:
  columns = _section(tables, where).columns
  wins = [c for c in columns
          if _better(tables.cell(where, row_a, c), tables.cell(where, row_b, c))]
  return listed(wins, columns)


def _order(tables: Tables, where, column) -> list[str]:
  """The rows with a number in COLUMN, best printed mean first (ties keep the table's order)."""
  section = _section(tables, where)
  if column not in section.columns:
    raise ConfigError(f"{where}: no column {column!r}")
  i = section.columns.index(column)
  cells = [(r.keys[0], r.cells[i]) for r in section.rows if isinstance(r.cells[i], Cell)]
  sign = 1.0 if cells[0][1].stat.lower_is_better else -1.0
  return [name for name, cell in sorted(cells, key=lambda e: sign * printed_mean(e[1]))]


def _best(tables: Tables, where, column) -> str:
  return _order(tables, where, column)[0]


def _ranking(tables: Tables, where, column) -> str:
  return ", ".join(_order(tables, where, column))


def _range(tables: Tables, where, column_a, column_b) -> str:
  section = _section(tables, where)
  gaps, digits = [], 0
  for r in section.rows:
    a, b = (tables.cell(where, "/".join(r.keys), c) for c in (column_a, column_b))
    gaps.append(printed_mean(a) - printed_mean(b))
    digits = a.stat.digits
  return f"{number(min(gaps), digits)} to {number(max(gaps), digits)}"


def _table(tables: Tables, table) -> str:
  return markdown(tables.sections(table)).rstrip("\n")


def _wall(tables: Tables, table) -> str:
  tables.sections(table)  # an unknown table is an error, a missing json `Missing`
  return duration(wall_seconds(tables.record(table)))


FUNCTIONS = {"table": (_table, 1), "cell": (_cell, 3), "mean": (_mean, 3), "diff": (_diff, 5),
             "ahead": (_ahead, 3), "best": (_best, 2), "order": (_ranking, 2), "range": (_range, 3), "wall": (_wall, 1)}


def evaluate(tables: Tables, expression: str) -> str:
  """The text of one expression 'function:arg:...' (module docstring)."""
  name, *args = expression.strip().split(":")
  if name not in FUNCTIONS:
    raise ConfigError(f"{{{{{expression}}}}}: unknown function {name!r}; functions: "
                      f"{', '.join(FUNCTIONS)}")
  function, arity = FUNCTIONS[name]
  if len(args) != arity:
    raise ConfigError(f"{{{{{expression}}}}}: {name} takes {arity} arguments, got {len(args)}")
  try:
    return function(tables, *args)
  except Missing:
    return NOT_COMMITTED


def render(template: str, tables: Tables) -> str:
  """The template with every {{expression}} replaced by its value."""
  return EXPRESSION.sub(lambda m: evaluate(tables, m.group(1)), template)


def measured(text: str, tables: Tables) -> str:
  """A module's text with the VALUE of every `Measured in ...` line recomputed."""
  def value(m):
    try:
      found = tables.find(m["table"], m["row"], m["column"])
      text = found.text if isinstance(found, Cell) else found
    except Missing:
      text = NOT_COMMITTED
    return f"{m['head']}{text}."
  return MEASURED.sub(value, text)


def outputs(root: str = ROOT, results_dir: str | None = None) -> dict[str, str]:
  """{path relative to root: the text it should hold}: docs/results.md rendered from the
  template and every module of MEASURED_DIRS with a Measured line, from the tables in
  results_dir (default root/results)."""
  tables = Tables(results_dir or os.path.join(root, "results"))
  with open(os.path.join(root, TEMPLATE)) as f:
    files = {RENDERED: render(f.read(), tables)}
  for path in sorted(sum((glob.glob(os.path.join(root, d, "*.py")) for d in MEASURED_DIRS), [])):
    with open(path) as f:
      text = f.read()
    if MEASURED.search(text):
      files[os.path.relpath(path, root)] = measured(text, tables)
  return files


def stale(files: dict[str, str], root: str = ROOT) -> list[str]:
  """The paths whose committed text differs from `files`' (or that do not exist)."""
  current = lambda path: (pathlib.Path(root, path).read_text()
                         if os.path.exists(os.path.join(root, path)) else None)
  return [path for path, text in files.items() if current(path) != text]


class _Parser(argparse.ArgumentParser):
  def error(self, message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv=None):
  parser = _Parser(prog="python -m experiments.docs", description=__doc__.split("\n")[0])
  parser.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 naming the files that differ")
  args = parser.parse_args(argv)
  with preemption.exits_cleanly():  # bad input: one line, exit 2; an OS error: exit 1
    files = outputs()
    differ = stale(files)
    for path in differ:
      if args.check:
        print(f"{path}: differs from its rendering (run python -m experiments.docs)")
      else:
        results.write_text_atomic(os.path.join(ROOT, path), files[path])
        print(f"wrote {path}")
  sys.exit(1 if args.check and differ else 0)

if __name__ == "__main__":
  main()
