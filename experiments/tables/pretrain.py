"""The pretrain table (`--table=pretrain`): generative pretraining -> discriminative, on sklearn
digits. Does an autoregressive Transformer pretrained without labels make a better classifier
than the same Transformer trained from scratch, at m labelled examples per class?

Rows, each an engine run over seeds 0-4 (--seeds picks them, --set applies to all) in
OUT/<row><suffix>, resumable and read back when finished (`trained.Row`):
- the pretraining: ar_digits, -log p(x) on the whole training split without labels: the
  likelihood table's ar_digits row, in its workdir (one run serves both tables);
- for every m in LABELS_PER_CLASS (config.labels_per_class; 0 = the whole training split),
  three classifiers of one network (experiments/configs/ar_classifier_digits.py, model
  'ar_transformer': the AR Transformer's body, mean hidden state, linear head), each in
  OUT/ar_<variant>_digits_m<m>: 'scratch' (random init), 'probe' (the backbone starts from the
  pretraining's seed s and stays fixed; only the head trains) and 'finetune' (starts there,
  everything trains); VARIANTS holds each one's fields.

Seed s = labelled subset s (the engine's `labelled_subset` of seed s's run key) + init s (+ the
pretraining's seed s), so the three variants of a seed see the same labelled examples and the
gain over scratch is taken per seed. Record: {'table', 'rows': [entry]}, an entry holding a
row's name, variant ('pretraining' first, then per m the VARIANTS), m (None for the
pretraining), config, per-seed metrics, summary and wall time (experiments.verify reads it as a
trained table). Asked for some rows (`only`), the table trains those, and the pretraining when
one of them is a probe or a finetune.
"""

from __future__ import annotations

import functools

import numpy as np

from experiments.tables import likelihood, trained
from experiments.tables.spec import Cell, GridRow, Section, Table, TableData, metric_cell, wanted
from experiments.tables.writers import curves_panel
from genvdisc.report import format as fmt
from genvdisc.report.format import Stat
from genvdisc.report.plots import pyplot

CLASSIFIER = "ar_classifier_digits"
LABELS_PER_CLASS = (1, 2, 5, 10, 20, 50, 0)      # 0: every training example (1347, 133-139 a class)
# variant -> the fields it sets on the classifier config (--set still overrides them). Learning
# rates: of two values each, the better mean validation accuracy with every label (10 % of the
# training split held out, seeds 0-1; scratch 3e-3 > 1e-3 at 800 steps, finetune 1e-3 > 3e-4 at
# 800, probe 0.1 > 0.03 at 500 and 0.03 > 0.01 at 800).
VARIANTS = {
    "scratch": (),
    "probe": (("finetune", "head"), ("learning_rate", 0.1)),
    "finetune": (("finetune", "all"), ("learning_rate", 1e-3)),
}
PRETRAINED = ("probe", "finetune")
# The likelihood table's ar_digits run (the same workdir: one training serves both tables).
PRETRAINING = next(trained.Row(r.config, overrides=r.overrides, name=r.name)
                   for r in likelihood.ROWS if getattr(r, "config", "") == "ar_digits")
ACCURACY = Stat("test acc %", 100.0)
GAIN = Stat("gain over scratch (points)", 100.0)
NLL = fmt.TEST_NLL
KEYS, TEXTS = ("row", "seeds"), ("wall s",)


def m_text(m: int) -> str:
  return "all" if m == 0 else str(m)


def classifier_row(variant: str, m: int, pretraining_workdir: str) -> trained.Row:
  """The `variant` classifier with m labelled examples per class; probe and finetune start from
  the pretraining run in `pretraining_workdir`."""
  start = (("pretrained", pretraining_workdir),) if variant in PRETRAINED else ()
  return trained.Row(CLASSIFIER, overrides=(("labels_per_class", m), *start, *VARIANTS[variant]),
                     name=f"ar_{variant}_digits_m{m_text(m)}")


def _entry(r: dict, name: str, **keys) -> dict:
  return {"name": name, **keys, "config": r["config"], "per_seed": r["per_seed"],
          "summary": r["summary"], "wall_time_s": r["wall_time_s"]}


def compute(out: str, seeds: tuple[int, ...] | None, log=print, sets=(), only=None) -> TableData:
  """The pretraining, then every m's three classifiers (module docstring)."""
  source = trained.row_workdir(PRETRAINING, out, seeds, sets)
  every = [(variant, m, classifier_row(variant, m, source)) for m in LABELS_PER_CLASS
           for variant in VARIANTS]
  classifiers = [(variant, m, row) for variant, m, row in every if wanted(only, row.label)]
  record = {"table": "pretrain", "rows": []}
  if wanted(only, PRETRAINING.label) or any(v in PRETRAINED for v, _, _ in classifiers):
    record["rows"].append(_entry(trained.train_row(PRETRAINING, out, seeds, log, sets),
                                 PRETRAINING.label, variant="pretraining", m=None))
    log(trained.row_line({**record["rows"][-1], "reference": "-", "paper": None}, (NLL,)))
  for variant, m, row in classifiers:
    record["rows"].append(_entry(trained.train_row(row, out, seeds, log, sets), row.label,
                                 variant=variant, m=m))
    log(trained.row_line({**record["rows"][-1], "reference": "-", "paper": None},
                         (fmt.TEST_ACCURACY,)))
  return TableData(record, {"": functools.partial(plot, record)})


def accuracies(record: dict) -> dict[str, list[dict[str, float]]]:
  """{variant: per m of LABELS_PER_CLASS, {seed: test accuracy} of the seeds that did not
  diverge}."""
  by_key = {(r["variant"], r["m"]): r["per_seed"] for r in record["rows"]}
  return {v: [{s: metrics["test_accuracy"] for s, metrics in by_key[v, m].items()
               if metrics.get("diverged_at_step") is None} for m in LABELS_PER_CLASS]
          for v in VARIANTS}


def gains(record: dict) -> dict[str, list[tuple[float, ...]]]:
  """{variant: per m, accuracy - scratch's accuracy of every seed both have} for the
  pretrained variants: paired by seed (the same labelled subset)."""
  acc = accuracies(record)
  return {v: [tuple(a[s] - base[s] for s in a if s in base)
              for a, base in zip(acc[v], acc["scratch"])] for v in PRETRAINED}


def _wall(record: dict, variant: str) -> str:
  return f"{sum(r['wall_time_s'] for r in record['rows'] if r['variant'] == variant):.0f}"


def sections(record: dict) -> tuple[Section, ...]:
  """The pretraining's test NLL; test accuracy per m of each variant; the gains over scratch."""
  p, = (r for r in record["rows"] if r["variant"] == "pretraining")
  columns = tuple(f"m={m_text(m)}" for m in LABELS_PER_CLASS)
  pretraining = Section(
      "Pretraining: ar_digits, -log p(x) on the training split without labels (nats per image):",
      KEYS, (NLL.stat.label,), TEXTS,
      (GridRow((p["name"], fmt.seeds_text(p["per_seed"])),
               (metric_cell(p["per_seed"], NLL),), (f"{p['wall_time_s']:.0f}",)),))
  acc = accuracies(record)
  by_variant = {r["variant"]: r["per_seed"] for r in record["rows"]}
  accuracy = Section(
      "Test accuracy % on digits (450 test images) with m labelled examples per class, mean ± "
      "std over seeds (seed s: labelled subset s, init s, pretraining seed s); wall s: the "
      "variant's 7 runs:", KEYS, columns, TEXTS,
      tuple(GridRow((v, fmt.seeds_text(by_variant[v])),
                    tuple(Cell(tuple(a.values()), ACCURACY) if a else "-" for a in acc[v]),
                    (_wall(record, v),)) for v in VARIANTS))
  gain = Section(
      "Gain over scratch in accuracy points, per seed (the same labelled subset), then mean ± "
      "std:", KEYS, columns, TEXTS,
      tuple(GridRow((f"{v} - scratch", fmt.seeds_text(by_variant[v])),
                    tuple(Cell(g, GAIN) if g else "-" for g in per_m), ("",))
            for v, per_m in gains(record).items()))
  return pretraining, accuracy, gain


def plot(record: dict):
  """Test accuracy against m per variant, and the gains over scratch (each seed a dot)."""
  fig, (left, right) = pyplot().subplots(1, 2, figsize=(11, 4.5))
  categories = [m_text(m) for m in LABELS_PER_CLASS]
  columns = lambda per_m: np.asarray([list(values) for values in per_m]).T   # [seeds][m]
  curves_panel(left, categories, {v: columns(a.values() for a in per_m)
                                  for v, per_m in accuracies(record).items()}, ACCURACY,
               dashed=["scratch"])
  colours = pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
  right.set_prop_cycle(color=colours[1:3])   # probe and finetune keep their colours
  curves_panel(right, categories, {v: columns(g) for v, g in gains(record).items()}, GAIN)
  right.axhline(0.0, color="0.5", linewidth=0.8)
  for ax, title in ((left, "test accuracy"), (right, "pretrained - scratch, per seed")):
    ax.set_xlabel("labelled examples per class (m)")
    ax.set_title(f"digits, AR Transformer: {title}\n(mean ± std over seeds, dots: seeds)",
                 fontsize=9)
    ax.legend()
  return fig


TABLE = Table("pretrain", compute, sections, takes_sets=True)
