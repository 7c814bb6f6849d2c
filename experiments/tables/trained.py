"""The trained tables: one config per row (core, mnist1d, generative, summary).

A `Row` trains `experiments/configs/<config>.py` (plus the row's `overrides`, then --set) over
its seeds with `train_and_evaluate` in OUT/<row name><suffix> (resumable; a finished workdir is
read back); a row whose config names a judge gets it from `judge_for` (OUT/judges). A
`ClosedFormRow` fits a Gaussian generative classifier in closed form once per seed
(`genvdisc.analysis.closed_form.run`). Every row yields a results.json-shaped dict; the table's
record holds them all ({'table', 'rows'}) and its one section is a pure function of that record
(`section`): one grid row per config with `metrics` as cell columns, or each row's headline
metric (`report.format.headline`) when metrics is None. Where the rows' seeds vary different
things (`seeds_vary`), each seeds cell says which. Asked for some rows (`only`), the table
trains those alone (and the judges they name).
"""

from __future__ import annotations

import ast
import functools
import os
from typing import Any, NamedTuple

from experiments.configs import get_config
from experiments.judges import JUDGES_DIR, judge_for, load_judge
from experiments.tables.spec import (Cell, GridRow, Section, Table, TableData, metric_cell, suffix,
                                     wanted)
from genvdisc import results
from genvdisc.analysis import closed_form
from genvdisc.errors import ConfigError
from genvdisc.report.format import Metric, headline, seeds_text
from genvdisc.train import sweep


DEFAULT_SEEDS = (0, 1, 2, 3, 4)   # a ClosedFormRow's seeds without --seeds


class Row(NamedTuple):
  config: str                   # module in experiments/configs
  reference: str = "-"          # the published / sklearn number, as text
  paper: float | None = None    # the published value of the chart's metric, for the chart
  overrides: tuple[tuple[str, Any], ...] = ()  # config fields this table sets
  name: str = ""                # row and workdir name; '' = the config's name

  @property
  def label(self) -> str:
    return self.name or self.config


class ClosedFormRow(NamedTuple):
  """A Gaussian generative classifier (genvdisc.models.gaussian) fitted by maximum likelihood on
  the whole training split of `dataset` (flattened, unscaled features, as scikit-learn's
  GaussianNB / LDA / QDA on the bundled sets); seed s is the dataset's split seed s. With a
  `judge`, the fitted p(x, y) is also a generator: `fid_samples` draws (key PRNGKey(s), pixels
  clipped to [0, 1]) get classifier-FID / IS against the test images, as the trained generators."""
  model: str                    # gnb | lda | qda
  dataset: str
  reference: str = "-"
  paper: float | None = None
  hyper: tuple[tuple[str, Any], ...] = ()  # fit keyword arguments (var_smoothing, reg_param...)
  judge: str = ""               # classifier config judging samples ('' = none)
  fid_samples: int = 1000
  seed_is_split: bool = True    # False: every seed fits split 0 (the judge's), seeds vary the samples

  @property
  def label(self) -> str:
    return f"{self.model}_{self.dataset}"


def seeds_vary(row) -> str:
  """What seed s of `row` varies: 'inits' (a trained row: its init, minibatch and sampling keys,
  on the one split config.split_seed), 'splits' (a closed-form fit on train/test split s) or
  'draws' (seed_is_split=False: the samples drawn from split 0's fit)."""
  if isinstance(row, Row):
    return "inits"
  return "splits" if row.seed_is_split else "draws"


def table(name: str, rows: list, metrics: tuple[Metric, ...] | None) -> Table:
  """The spec of a trained table: `rows` (Row | ClosedFormRow), `metrics` its cell columns
  (None: each row's headline metric, named in a key column). When the rows' seeds vary
  different things, each row's seeds cell names its `seeds_vary` ('5 splits', '5 inits')."""
  varies = {row.label: seeds_vary(row) for row in rows}
  seed_words = varies if len(set(varies.values())) > 1 else {}
  return Table(name, functools.partial(_compute, name, tuple(rows), metrics),
               lambda record: (section(record, metrics, seed_words),), takes_sets=True)


def _compute(name, rows, metrics, out, seeds, log, sets, only=None) -> TableData:
  record = {"table": name, "rows": []}
  for row in (row for row in rows if wanted(only, row.label)):
    if isinstance(row, ClosedFormRow):
      r = closed_form_results(row, DEFAULT_SEEDS if seeds is None else seeds, out, log)
    else:
      r = train_row(row, out, seeds, log, sets)
    record["rows"].append(results.table_row(r, name=row.label, reference=row.reference,
                                            paper=row.paper))
    log(row_line(record["rows"][-1], metrics))
  return TableData(record)


def row_line(entry: dict, metrics: tuple[Metric, ...] | None) -> str:
  """One finished row of the record as its table shows it, e.g. '[vae_digits_test] test NLL
  (nats) 22.66 ± 0.07 | seeds 5 | 30 s' (each row's headline metric when `metrics` is None)."""
  row, = section({"rows": [entry]}, metrics).rows
  numbers = [f"{cell.stat.label} {cell.text}" for cell in row.cells if isinstance(cell, Cell)]
  return (f"[{entry['name']}] {', '.join(numbers) or 'no metric'} | seeds {row.keys[3]} | "
          f"{row.texts[0]} s")


def row_config(row: Row, seeds, sets):
  """The config `row` trains: its module, its overrides, --set, then --seeds (None: its own)."""
  config = get_config(row.config)
  apply_overrides(config, row.overrides)
  if row.name:
    config.name = row.name
  _with_sets(config, sets)
  if seeds is not None:
    config.seeds = ",".join(map(str, seeds))
  return config


def row_workdir(row: Row, out: str, seeds, sets) -> str:
  return os.path.join(out, row.label + suffix(seeds, sets))


def train_row(row: Row, out: str, seeds, log, sets) -> dict:
  """`row` trained over `seeds` in `row_workdir`, or read back when finished."""
  config = row_config(row, seeds, sets)
  return sweep.train_and_evaluate(config, row_workdir(row, out, seeds, sets), log=log,
                                  judge=judge_for(config, os.path.join(out, JUDGES_DIR), log))


def closed_form_results(row: ClosedFormRow, seeds: tuple[int, ...], out: str, log=print) -> dict:
  """Test and train accuracy of the fit for every seed (with a judge, classifier-FID / IS of its
  samples; the judge in OUT/judges): `closed_form.run`'s results."""
  judge = (load_judge(row.judge, row.dataset, os.path.join(out, JUDGES_DIR), log) if row.judge
           else None)
  return closed_form.run(row.label, row.model, row.dataset, seeds, dict(row.hyper),
                         split_seed=None if row.seed_is_split else 0, judge=judge,
                         samples=row.fid_samples)


def apply_overrides(config, overrides) -> None:
  """Sets `field=value` pairs on a config (dotted fields reach nested ConfigDicts); a field the
  config lacks raises KeyError."""
  for field, value in overrides:
    *path, leaf = field.split(".")
    node = config
    for part in path:
      node = node[part]
    if leaf not in node:
      raise KeyError(field)
    node[leaf] = value


def _with_sets(config, sets: tuple[tuple[str, str], ...]) -> None:
  """Each --set value read as a Python literal (else a string), type-checked by ConfigDict."""
  for field, text in sets:
    try:
      value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
      value = text
    try:
      apply_overrides(config, ((field, value),))
    except (KeyError, AttributeError):
      raise ConfigError(f"--set {field}=...: {config.name} has no field {field!r}; the fields "
                        "are documented in genvdisc/config_schema.py") from None
    except TypeError as e:
      raise ConfigError(f"--set {field}={text!r} has the wrong type ({e})") from None


def section(record: dict, metrics: tuple[Metric, ...] | None,
            seed_words: dict[str, str] | None = None) -> Section:
  """The table's grid from its record: config, model, dataset, seeds (their count, followed by
  `seed_words[row name]` where given), the metric cells (mean ± std over the seeds that did not
  diverge; '-' without the metric), wall time, reference."""
  rows = []
  for r in record["rows"]:
    cfg = r["config"]
    keys = (r["name"], cfg["model"], cfg["dataset"],
            seeds_text(r["per_seed"], (seed_words or {}).get(r["name"])))
    if metrics is None:
      metric = headline(r)
      keys, cells = keys + (metric.stat.label,), (metric_cell(r["per_seed"], metric),)
    else:
      cells = tuple(metric_cell(r["per_seed"], m) for m in metrics)
    rows.append(GridRow(keys, cells, (f"{r['wall_time_s']:.0f}", r["reference"]), r["paper"]))
  keys = ("config", "model", "dataset", "seeds")
  if metrics is None:
    keys, columns = keys + ("metric",), ("mean ± std",)
  else:
    columns = tuple(m.stat.label for m in metrics)
  return Section("", keys, columns, ("wall s", "reference"), tuple(rows))
