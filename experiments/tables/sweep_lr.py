"""sweep_lr: learning rate x seeds sweeps of mlp_mnist1d, cnn_mnist1d and vae_digits, each learning
rate chosen on a validation split, its test number reported beside it.

A `SweepRow` is one `--config.sweep=learning_rate=...` command's worth of training
(`genvdisc.train.sweep.train_and_evaluate`) in OUT/<config>_sweep<suffix>: the config's own learning
rate times `FACTORS` (4 rates around it) crossed with its seeds (0-4, or --seeds), the config's own
step count, 10 % of the training split held out as 'val' (the sweep default). The table has one
row per config x learning rate: the selection metric on the validation split (val acc % or val
NLL), the test headline metric, mean ± std over seeds, and ✓ on the point the validation metric
selected; the png draws both against the learning rate (`genvdisc.report.sweeps.draw_field`).
A config's rates share one compiled program: asked for some rows (`only`, '<config> [<point>]'),
the table trains every rate of their configs and nothing else.

  python -m experiments.reproduce --table=sweep_lr --out=runs/sweep_lr

Measured (seeds 0-4, jax 0.10.2), 20 runs per config at its own step count, on the 2-core CPU
shared with other jobs (load average 10; 5 min 34 s of CPU time, so an idle machine is faster):
13 min 54 s in all: mlp_mnist1d 83 s, cnn_mnist1d 248 s, vae_digits 477 s (327 s of it the
k = 5000 NLL of 20 runs on the test and validation splits). Selected: mlp_mnist1d 0.01 (val
64.3 ± 2.2 %, test 65.1 ± 1.0 %), cnn_mnist1d 0.01 (val 93.0 ± 1.5 %, test 93.3 ± 0.7 %),
vae_digits 0.003, the top of its grid (val NLL 22.44 ± 0.25, test 22.53 ± 0.07).
"""

from __future__ import annotations

import functools
import os
from typing import Any, NamedTuple

from experiments.configs import get_config
from experiments.tables.spec import Cell, GridRow, Section, Table, TableData, suffix, wanted
from experiments.tables.trained import apply_overrides
from genvdisc.report import format as fmt
from genvdisc.report import sweeps
from genvdisc.report.plots import pyplot
from genvdisc.train import sweep

FIELD = "learning_rate"
FACTORS = (0.1, 0.3, 1.0, 3.0)   # the swept rates: the config's own times these
_TEST_ONLY = (("eval_splits", "test"),)  # the VAE's k = 5000 NLL on test and val, not on train


class SweepRow(NamedTuple):
  config: str                                   # module in experiments/configs
  overrides: tuple[tuple[str, Any], ...] = ()   # config fields this table sets


ROWS = (SweepRow("mlp_mnist1d"), SweepRow("cnn_mnist1d"), SweepRow("vae_digits", _TEST_ONLY))


def learning_rates(own: float) -> tuple[float, ...]:
  """The swept rates around a config's own: own x FACTORS, to 3 significant digits."""
  return tuple(float(f"{own * factor:.3g}") for factor in FACTORS)


def table(name: str, rows: tuple[SweepRow, ...]) -> Table:
  """The spec of a learning-rate sweep table over `rows`."""
  return Table(name, functools.partial(_compute, name, rows), sections)


def _compute(name, rows, out, seeds, log, sets, only=None) -> TableData:
  del sets  # refused before anything runs (takes_sets=False)
  record = {"table": name, "field": FIELD, "rows": []}
  for row in (row for row in rows if wanted(only, row.config)):
    config = get_config(row.config)
    apply_overrides(config, row.overrides)
    config.sweep = f"{FIELD}=" + ",".join(map(repr, learning_rates(config.learning_rate)))
    if seeds is not None:
      config.seeds = ",".join(map(str, seeds))
    r = sweep.train_and_evaluate(config, os.path.join(out, f"{row.config}_sweep{suffix(seeds)}"),
                                 log=log)
    record["rows"].append({"name": row.config, **{key: r[key] for key in (
        "config", "runs", "per_seed", "points", "selected", "validation_fraction", "wall_time_s")}})
    log(f"[{row.config}] selected {r['selected']['label'] if r['selected'] else 'nothing'} "
        f"({r['wall_time_s']:.0f} s)")
  return TableData(record, {"": functools.partial(figure, record)})


def sections(record: dict) -> tuple[Section, ...]:
  """One section per config: a row per learning rate (config, rate, seeds | validation metric,
  test metric | selected)."""
  out = []
  for entry in record["rows"]:
    select, test = sweeps.metrics(entry)
    grid = []
    for point in sweeps.point_rows(entry):
      cells = tuple(Cell(values, m.stat) if (values := point.metric(m.key)) else "-"
                    for m in (select, test))
      grid.append(GridRow((entry["name"], sweeps.show(FIELD, point.values[FIELD]),
                           fmt.seeds_text(point.per_seed)),
                          cells, ("✓" if point.selected else "",)))
    cfg = entry["config"]
    caption = (f"**{entry['name']}** ({cfg['model']}, {cfg['dataset']}, {cfg['num_steps']} steps, "
               f"{entry['wall_time_s']:.0f} s): the learning rate selected by {select.key} on "
               f"the validation split ({entry['validation_fraction']:g} of the training split); "
               "test numbers are reported, never used to choose.")
    out.append(Section(caption, ("config", "learning rate", "seeds"),
                       (select.stat.label, test.stat.label), ("selected",), tuple(grid)))
  return tuple(out)


def figure(record: dict):
  """A column per config: its validation metric above its test metric against the learning rate."""
  fig, axes = pyplot().subplots(2, len(record["rows"]), figsize=(4.2 * len(record["rows"]), 6.6),
                                squeeze=False)
  for column, entry in enumerate(record["rows"]):
    sweeps.draw_field(axes[0, column], axes[1, column], entry, FIELD)
    axes[0, column].set_title(entry["name"], fontsize=10)
  fig.suptitle(f"genvdisc: {record['table']}\nmean ± std over seeds; red star: the rate "
               "selected on validation", fontsize=10)
  return fig


TABLE = table("sweep_lr", ROWS)
