"""One command per results table; every table is reproducible seed by seed.

  python -m experiments.reproduce --table=summary --out=runs/summary   # the README's main job
  python -m experiments.reproduce --table=core|mnist1d|generative|ngjordan|... --out=results
  python -m experiments.reproduce --table=all --out=results           # every table in turn
  python -m experiments.reproduce --table=core --out=runs/core --seeds=3   # seed 3 alone

A trained table (`TABLES`) has one row per config: each row trains in OUT/<row> (resumable; a
finished row is read back, not retrained) and the table is written to OUT/<table>.md, .csv,
.json (every seed's metrics and config) and .png (experiments/tables.py). `--seeds=3` reruns
every row for seed 3 alone (in OUT/<row>-seeds-3, files OUT/<table>-seeds-3.*), bit-identical
to that seed's entry in the full run: a seed's numbers depend only on (seed, config,
seed_group), never on the other seeds. `--set field=value` (repeatable) overrides a config
field of every row (workdirs get a suffix), e.g. `--set num_steps=500` for a quick look.
Tables that are not one config per row (`CURVE_TABLES`: ngjordan's learning curves) have
their own module, which writes their files; `--seeds` selects their splits.
"""

import ast
import importlib
import os
import sys
from typing import NamedTuple

from absl import app, flags, logging

from experiments import ngjordan, semisupervised, tables
from experiments.tables import ClosedFormRow, Row
from genvdisc.errors import ConfigError, GenvdiscError
from genvdisc.train.run import train_and_evaluate


class Table(NamedTuple):
  rows: list                                  # Row | ClosedFormRow
  metrics: tuple[tables.Metric, ...] | None   # columns; None: each row's headline metric


_ACCURACY = (tables.TEST_ACC, tables.TRAIN_ACC)
_JUDGED = (("judge", "mlp_digits"),)          # one classifier judges every generator
_TEST_ONLY = (("eval_splits", "test"),)       # the test NLL is the same (its key ignores the train split)
_REAL_DIGITS = "real train images vs test: FID 1.05, IS 9.9"
_QDA = (("reg_param", 0.01),)                 # digits has constant pixels: C_k is singular

TABLES = {
    "core": Table([
        Row("logreg_digits", "sklearn LogisticRegression(C=1), same split: 96.9", 96.9),
        Row("svm_digits", "sklearn LinearSVC(C=1, crammer_singer), same split: 96.4", 96.4),
        Row("logreg_iris", "sklearn LogisticRegression(C=1), same split: 97.4", 97.4),
        Row("svm_iris", "sklearn LinearSVC(C=1, crammer_singer), same split: 100", 100.0),
        Row("mlp_digits"),
        Row("lenet_digits"),
        Row("logreg_mnist1d", "paper 32 (notebook 31.5)", 32.0),
        Row("mlp_mnist1d", "paper 68 (notebook 65.1)", 68.0),
        Row("cnn_mnist1d", "paper 94 (notebook 92.3)", 94.0),
    ], _ACCURACY),
    # MNIST-1D, normal then spatially shuffled; paper: Greydanus & Kobak, README table.
    "mnist1d": Table([
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
    ], _ACCURACY),
    # Classifiers judging generators: the same judge (mlp_digits, seed 0) scores every model's
    # 1000 samples against the test images; classifier-FID is not Inception FID. GNB and QDA are
    # generators too: their fitted class-conditional Gaussians are sampled.
    "generative": Table([
        Row("vae_digits", _REAL_DIGITS, overrides=_JUDGED + _TEST_ONLY, name="vae_digits_judged"),
        Row("iwae_digits", _REAL_DIGITS, overrides=_JUDGED + _TEST_ONLY, name="iwae_digits_judged"),
        Row("gan_digits", _REAL_DIGITS),
        Row("vaegan_digits", _REAL_DIGITS),
        ClosedFormRow("gnb", "digits", _REAL_DIGITS, judge="mlp_digits", seed_is_split=False),
        ClosedFormRow("qda", "digits", _REAL_DIGITS, hyper=_QDA, judge="mlp_digits",
                      seed_is_split=False),
    ], (tables.CLASSIFIER_FID, tables.CLASSIFIER_IS, tables.TEST_NLL)),
    # Every model family on embedded data, 5 seeds, each row with its headline metric: the
    # README's main command (<= 10 min on the 2-core CPU).
    "summary": Table([
        ClosedFormRow("gnb", "digits", "= sklearn GaussianNB per split (tested); its 10-split mean 85.1",
                      85.1),
        ClosedFormRow("lda", "digits", "= sklearn LDA per split (tested); its 10-split mean 95.6", 95.6),
        ClosedFormRow("qda", "digits", "= sklearn QDA(reg_param=0.01) per split", hyper=_QDA),
        Row("logreg_digits", "sklearn LogisticRegression(C=1), same split: 96.9", 96.9),
        Row("svm_digits", "sklearn LinearSVC(C=1, crammer_singer), same split: 96.4", 96.4),
        Row("mlp_digits"),
        Row("lenet_digits"),
        Row("gru_digits"),
        Row("transformer_digits"),
        Row("cnn_mnist1d", "paper 94 (notebook 92.3)", 94.0),
        Row("vae_digits", "NLL <= -ELBO for every seed", overrides=_TEST_ONLY,
            name="vae_digits_test"),
        Row("gan_digits", _REAL_DIGITS),
        Row("vaegan_digits", _REAL_DIGITS),
    ], None),
}

# table -> reproduce(out, seeds, log) -> markdown, for tables that are not one config per row.
CURVE_TABLES = {
    "ngjordan": ngjordan.reproduce,
    "m1": semisupervised.reproduce_m1,
    "m2": semisupervised.reproduce_m2,
    "augment": semisupervised.reproduce_augment,
}

FLAGS = flags.FLAGS
flags.DEFINE_enum("table", "summary", list(TABLES) + list(CURVE_TABLES) + ["all"],
                  "Which table to reproduce ('all': every table in turn).")
flags.DEFINE_string("out", "runs", "Directory for one workdir per row and the table files.")
flags.DEFINE_string("seeds", None, "Override every row's config.seeds, e.g. '3' or '0,1'.")
flags.DEFINE_multi_string("set", [], "field=value overriding a config field of every trained "
                          "row, e.g. num_steps=500 (repeatable).")


def get_config(name: str):
  return importlib.import_module(f"experiments.configs.{name}").get_config()


def parse_sets(sets: list[str]) -> tuple[tuple[str, str], ...]:
  pairs = []
  for text in sets:
    field, sep, value = text.partition("=")
    if not sep or not field:
      raise ConfigError(f"--set={text!r} is invalid; use field=value, e.g. --set=num_steps=500")
    pairs.append((field, value))
  return tuple(pairs)


def _with_sets(config, sets: tuple[tuple[str, str], ...]):
  """Each `--set` value read as a Python literal (else a string), type-checked by ConfigDict."""
  for field, text in sets:
    try:
      value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
      value = text
    try:
      tables.apply_overrides(config, ((field, value),))
    except (KeyError, AttributeError):
      raise ConfigError(f"--set {field}=...: {config.name} has no field {field!r}; the fields "
                        "are documented in experiments/configs/default.py") from None
    except TypeError as e:
      raise ConfigError(f"--set {field}={text!r} has the wrong type ({e})") from None
  return config


def _row_results(row, seeds: str | None, sets, out: str, log) -> dict:
  if isinstance(row, ClosedFormRow):
    from genvdisc.config import parse_seeds
    return tables.closed_form_results(row, parse_seeds(seeds or "0,1,2,3,4"))
  config = get_config(row.config)
  tables.apply_overrides(config, row.overrides)
  if row.name:
    config.name = row.name
  _with_sets(config, sets)
  workdir = os.path.join(out, row.label + _suffix(seeds, sets))
  if seeds is not None:
    config.seeds = seeds
  return train_and_evaluate(config, workdir, log=log)


def _suffix(seeds: str | None, sets) -> str:
  suffix = "" if seeds is None else "-seeds-" + seeds.replace(",", "-")
  return suffix + "".join(f"-{f}-{v}".replace(",", "-") for f, v in sets)


def reproduce(table: str, out: str, seeds: str | None = None, log=print,
              sets: tuple[tuple[str, str], ...] = ()) -> str:
  """Trains (or reads back) every row of `table`, writes its files under OUT, returns the md."""
  if table == "all":
    return "\n".join(f"## {name}\n\n" + reproduce(name, out, seeds, log, sets)
                     for name in [*TABLES, *CURVE_TABLES])
  if table in CURVE_TABLES:
    return CURVE_TABLES[table](out, seeds, log=log)
  spec = TABLES[table]
  rows = [(row, _row_results(row, seeds, sets, out, log)) for row in spec.rows]
  return tables.write(table, rows, spec.metrics, out, table + _suffix(seeds, sets))


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if not FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)
  try:
    print(reproduce(FLAGS.table, FLAGS.out, FLAGS.seeds, log=lambda s: print(s, flush=True),
                    sets=parse_sets(FLAGS.set)))
  except GenvdiscError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
  app.run(main)
