"""One command per results table: trains every row's config over its seeds and prints the table.

  python -m experiments.reproduce --table=core --out=runs/core
  python -m experiments.reproduce --table=mnist1d --out=results
  python -m experiments.reproduce --table=ngjordan --out=results

Each row of a trained table (`TABLES`) trains in OUT/<config name> (resumable; a finished row is read back, not retrained).
The table is written to OUT/<table>.md and OUT/<table>.csv, with a bar chart of test accuracy
(mean ± std over seeds, published numbers as markers) in OUT/<table>.png. `--seeds=3` reruns
every row for seed 3 alone (in OUT/<config name>-seeds-3), bit-identical to that seed's entry
in the full run. Learning-curve tables (`CURVE_TABLES`: ngjordan) are not one config per row;
their module writes their files (experiments/ngjordan.py), and `--seeds` selects their splits.
"""

import csv
import importlib
import io
import os
import sys
from typing import NamedTuple

from absl import app, flags, logging

from experiments import ngjordan, semisupervised
from genvdisc import results
from genvdisc.errors import GenvdiscError
from genvdisc.train.run import train_and_evaluate


class Row(NamedTuple):
  config: str                   # module in experiments/configs
  reference: str                # the published / sklearn number, as text
  paper: float | None = None    # the published test accuracy %, for the chart


_MNIST1D_PAPER = "Greydanus & Kobak README table"
TABLES = {
    "core": [
        Row("logreg_digits", "sklearn LogisticRegression(C=1), same split: 96.9", 96.9),
        Row("svm_digits", "sklearn LinearSVC(C=1, crammer_singer), same split: 96.4", 96.4),
        Row("logreg_iris", "sklearn LogisticRegression(C=1), same split: 97.4", 97.4),
        Row("svm_iris", "sklearn LinearSVC(C=1, crammer_singer), same split: 100", 100.0),
        Row("mlp_digits", "-"),
        Row("lenet_digits", "-"),
        Row("logreg_mnist1d", "paper 32 (notebook 31.5)", 32.0),
        Row("mlp_mnist1d", "paper 68 (notebook 65.1)", 68.0),
        Row("cnn_mnist1d", "paper 94 (notebook 92.3)", 94.0),
    ],
    # MNIST-1D, normal then spatially shuffled; paper: Greydanus & Kobak, README table.
    "mnist1d": [
        Row("logreg_mnist1d", "paper 32 (notebook 31.5)", 32.0),
        Row("mlp_mnist1d", "paper 68 (notebook 65.1)", 68.0),
        Row("cnn_mnist1d", "paper 94 (notebook 92.3)", 94.0),
        Row("gru_mnist1d", "paper 91 (notebook 89.1)", 91.0),
        Row("lstm_mnist1d", "not in paper"),
        Row("transformer_mnist1d", "not in paper"),
        Row("svm_mnist1d", "not in paper"),
        Row("logreg_mnist1d_shuffled", "paper 32", 32.0),
        Row("mlp_mnist1d_shuffled", "paper 68", 68.0),
        Row("cnn_mnist1d_shuffled", "paper 56", 56.0),
        Row("gru_mnist1d_shuffled", "paper 57", 57.0),
    ],
}

# table -> reproduce(out, seeds, log) -> markdown, for tables that are not one config per row.
CURVE_TABLES = {
    "ngjordan": ngjordan.reproduce,
    "m1": semisupervised.reproduce_m1,
    "m2": semisupervised.reproduce_m2,
    "augment": semisupervised.reproduce_augment,
}

FLAGS = flags.FLAGS
flags.DEFINE_enum("table", "core", list(TABLES) + list(CURVE_TABLES), "Which table to reproduce.")
flags.DEFINE_string("out", "runs", "Directory for one workdir per row and the table files.")
flags.DEFINE_string("seeds", None, "Override every row's config.seeds, e.g. '3' or '0,1'.")


def get_config(name: str):
  return importlib.import_module(f"experiments.configs.{name}").get_config()


def reproduce(table: str, out: str, seeds: str | None = None, log=print) -> str:
  """Trains (or reads back) every row of `table`, writes OUT/<table>.{md,csv,png}, returns the md."""
  if table in CURVE_TABLES:
    return CURVE_TABLES[table](out, seeds, log=log)
  rows = []
  for row in TABLES[table]:
    config = get_config(row.config)
    workdir = os.path.join(out, row.config)
    if seeds is not None:
      config.seeds = seeds
      workdir += "-seeds-" + seeds.replace(",", "-")
    rows.append((row, train_and_evaluate(config, workdir, log=log)))
  text = "\n".join([results.table_header(("reference",))] +
                   [f"{results.markdown_row(r)} {row.reference} |" for row, r in rows]) + "\n"
  os.makedirs(out, exist_ok=True)
  results.write_text_atomic(os.path.join(out, f"{table}.md"), text)
  results.write_text_atomic(os.path.join(out, f"{table}.csv"), _csv(rows))
  _bar_chart(rows, os.path.join(out, f"{table}.png"), title=f"genvdisc: {table}")
  return text


def _csv(rows) -> str:
  buffer = io.StringIO()
  writer = csv.writer(buffer, lineterminator="\n")
  writer.writerow(["config", "model", "dataset", "seeds", "test_acc_mean", "test_acc_std",
                   "train_acc_mean", "diverged_seeds", "wall_time_s", "paper", "reference"])
  for row, r in rows:
    test = r["summary"].get("test_accuracy", {})
    train = r["summary"].get("train_accuracy", {})
    diverged = [s for s, m in r["per_seed"].items() if m.get("diverged_at_step") is not None]
    writer.writerow([row.config, r["config"]["model"], r["config"]["dataset"], len(r["per_seed"]),
                     _pct(test.get("mean")), _pct(test.get("std")), _pct(train.get("mean")),
                     " ".join(diverged), f"{r['wall_time_s']:.1f}",
                     "" if row.paper is None else row.paper, row.reference])
  return buffer.getvalue()


def _pct(value) -> str:
  return "" if value is None else f"{100 * value:.2f}"


def _bar_chart(rows, path: str, title: str) -> None:
  """Test accuracy mean ± std per row (bars with error bars) and published numbers (markers)."""
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  names = [row.config for row, _ in rows]
  stats = [r["summary"].get("test_accuracy", {"mean": 0.0, "std": 0.0}) for _, r in rows]
  fig, ax = plt.subplots(figsize=(max(6.0, 0.8 * len(rows)), 4.5))
  positions = range(len(rows))
  ax.bar(positions, [100 * s["mean"] for s in stats], yerr=[100 * s["std"] for s in stats],
         capsize=4, color="tab:blue", label="genvdisc (mean ± std over seeds)")
  papers = [(i, row.paper) for i, (row, _) in enumerate(rows) if row.paper is not None]
  if papers:
    ax.scatter(*zip(*papers), marker="D", color="tab:red", zorder=3, label="published")
  ax.set_xticks(list(positions), names, rotation=45, ha="right")
  ax.set_ylabel("test accuracy %")
  ax.set_ylim(0, 100)
  ax.set_title(title)
  ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
  fig.tight_layout()
  tmp = path + ".tmp.png"
  fig.savefig(tmp, dpi=120)
  plt.close(fig)
  os.replace(tmp, path)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if not FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)
  try:
    print(reproduce(FLAGS.table, FLAGS.out, FLAGS.seeds, log=lambda s: print(s, flush=True)))
  except GenvdiscError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
  app.run(main)
