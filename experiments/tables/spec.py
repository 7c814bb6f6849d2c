"""What a table is: a `Table` computes `TableData`; `writers.write` turns it into the table's files.

`Table.compute(out, seeds, log, sets, only)` trains or reads back what the table needs under OUT
(`seeds`: the --seeds tuple, None = the table's own; `sets`: --set (field, text) pairs, only for
a table with `takes_sets`) and returns a json record of every seed's numbers (with configs and
wall times) and optionally its own figures. `only` (None: every row) names rows as
experiments.verify reads the record; the table then computes only the work those rows need
(`wanted`) and what it depends on (a judge, a pretraining, a VAE whose features a row uses),
and returns a record of those rows alone: for a comparison, never written as the table.
`Table.sections(record)` lays the record out: the markdown and csv are a pure function of the
json. A section is a caption and a grid: key columns, cell columns (a `Cell` holds a number's
per-seed values and the `genvdisc.report.format.Stat` formatting them), trailing text columns.
A new table of any shape is a `Table`: the function computing its record and the function
laying out its cells.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, NamedTuple

from genvdisc.report import format as fmt
from genvdisc.report.format import Metric, Stat


class Cell(NamedTuple):
  values: tuple[float, ...]    # one per seed (or split), in seed order
  stat: Stat                   # how they read (genvdisc.report.format)

  @property
  def text(self) -> str:
    return self.stat.text(self.values)


def metric_cell(per_seed: dict, metric: Metric) -> Cell | str:
  """The cell of `metric` over the seeds that did not diverge ('-' when none has it)."""
  values = fmt.seed_values(per_seed, metric.key)
  return Cell(values, metric.stat) if values else "-"


class GridRow(NamedTuple):
  keys: tuple[str, ...]
  cells: tuple[Cell | str, ...]     # a number, or text ('-' where a row has no such number)
  texts: tuple[str, ...] = ()
  marker: float | None = None       # published value of the first cell, drawn on the chart


class Section(NamedTuple):
  caption: str                      # the paragraph above the grid ('' = none)
  keys: tuple[str, ...]             # headers of the leading key columns
  columns: tuple[str, ...]          # headers of the cell columns
  texts: tuple[str, ...]            # headers of the trailing text columns
  rows: tuple[GridRow, ...]
  csv_keys: tuple[tuple[str, str], ...] = ()  # (header, value) columns leading its csv lines


class TableData(NamedTuple):
  record: dict[str, Any]            # OUT/<stem>.json: every seed's numbers, configs, wall times
  # png name suffix ('' = <stem>.png) -> a function drawing that matplotlib figure;
  # None: `writers.point_chart` of the sections.
  figures: dict[str, Callable[[], Any]] | None = None


class Table(NamedTuple):
  name: str
  compute: Callable[..., TableData]                  # (out, seeds, log, sets, only) -> TableData
  sections: Callable[[dict], tuple[Section, ...]]    # record -> its md / csv layout
  takes_sets: bool = False          # applies --set to its configs (else --set is an error)


def suffix(seeds: tuple[int, ...] | None, sets: tuple[tuple[str, str], ...] = ()) -> str:
  """'' for the table's own seeds and configs, '-seeds-3-4' for --seeds=3,4, then
  '-<field>-<value>' per --set: the suffix of the table's files and its rows' workdirs."""
  text = "" if seeds is None else "-seeds-" + "-".join(map(str, seeds))
  return text + "".join(f"-{f}-{v}".replace(",", "-") for f, v in sets)


def wanted(only: Collection[str] | None, unit: str) -> bool:
  """Whether a table asked for the rows `only` (None: every row) computes `unit`: the work
  behind one row, named as that row, or behind several, named as their common head. Row R needs
  unit U when R == U or R starts with U + '/' or U + ' ' ('M1/logreg' needs 'M1',
  'mlp_mnist1d [learning_rate=0.01]' needs 'mlp_mnist1d'; 'mlp_digits' does not need 'mlp')."""
  return only is None or any(row == unit or row.startswith((unit + "/", unit + " "))
                             for row in only)
