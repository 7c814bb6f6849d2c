"""One command per results table: trains every row's config over its seeds and prints the table.

  python -m experiments.reproduce --table=core --out=runs/core

Each row trains in OUT/<config name> (resumable; a finished row is read back, not retrained) and
the table is written to OUT/<table>.md. `--seeds=3` reruns every row for seed 3 alone (in
OUT/<config name>-seeds-3), bit-identical to that seed's entry in the full run.
"""

import importlib
import os
import sys

from absl import app, flags, logging

from genvdisc import results
from genvdisc.errors import GenvdiscError
from genvdisc.train.run import train_and_evaluate

# table -> [(config module in experiments/configs, published reference for the row)]
TABLES = {
    "core": [
        ("logreg_digits", "sklearn LogisticRegression(C=1), same split: 96.9"),
        ("svm_digits", "sklearn LinearSVC(C=1, crammer_singer), same split: 96.4"),
        ("logreg_iris", "sklearn LogisticRegression(C=1), same split: 97.4"),
        ("svm_iris", "sklearn LinearSVC(C=1, crammer_singer), same split: 100"),
        ("mlp_digits", "-"),
        ("lenet_digits", "-"),
        ("logreg_mnist1d", "paper 32 (notebook 31.5)"),
        ("mlp_mnist1d", "paper 68 (notebook 65.1)"),
        ("cnn_mnist1d", "paper 94 (notebook 92.3)"),
    ],
}

FLAGS = flags.FLAGS
flags.DEFINE_enum("table", "core", list(TABLES), "Which table to reproduce.")
flags.DEFINE_string("out", "runs", "Directory for one workdir per row and the table file.")
flags.DEFINE_string("seeds", None, "Override every row's config.seeds, e.g. '3' or '0,1'.")


def get_config(name: str):
  return importlib.import_module(f"experiments.configs.{name}").get_config()


def reproduce(table: str, out: str, seeds: str | None = None, log=print) -> str:
  """Trains (or reads back) every row of `table` and returns the markdown table."""
  lines = [results.table_header(("reference",))]
  for name, reference in TABLES[table]:
    config = get_config(name)
    workdir = os.path.join(out, name)
    if seeds is not None:
      config.seeds = seeds
      workdir += "-seeds-" + seeds.replace(",", "-")
    row = results.markdown_row(train_and_evaluate(config, workdir, log=log))
    lines.append(f"{row} {reference} |")
  text = "\n".join(lines) + "\n"
  os.makedirs(out, exist_ok=True)
  results.write_text_atomic(os.path.join(out, f"{table}.md"), text)
  return text


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
