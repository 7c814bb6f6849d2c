"""Every results table (`TABLES`) and `reproduce(name, out, seeds, log, sets)`, which computes one
(spec.py: what a table is) and writes OUT/<name><suffix>.md, .csv, .json and .png (writers.py);
`compute` gives its data unwritten, optionally of some rows alone (experiments.verify).

Each table's numbers depend only on (seed, config): `seeds=(3,)` writes <name>-seeds-3.* from
workdirs <row>-seeds-3 with seed 3's numbers of the full run.
"""

from __future__ import annotations

from experiments.tables import (augment, fashion, features, genclf, likelihood, ngjordan,
                                 semisupervised, sweep_lr, trained)
from experiments.tables import pretrain
from experiments.tables.spec import Table, suffix
from experiments.tables.trained import ClosedFormRow, Row
from experiments.tables.writers import write
from genvdisc.errors import ConfigError
from genvdisc.report import format as fmt

_ACCURACY = (fmt.TEST_ACCURACY, fmt.TRAIN_ACCURACY)
_JUDGED = (("judge", "mlp_digits"),)          # one classifier judges every generator
_TEST_ONLY = (("eval_splits", "test"),)       # the test NLL is the same (its key ignores the train split)
_REAL_DIGITS = "real train images vs test: FID 1.05, IS 9.9"
_QDA = (("reg_param", 0.01),)                 # digits has constant pixels: C_k is singular
_LOGREG_DIGITS = Row("logreg_digits", "sklearn LogisticRegression(C=1), same split: 96.9", 96.9)
_SVM_DIGITS = Row("svm_digits", "sklearn LinearSVC(C=1, crammer_singer), same split: 96.4", 96.4)
_MNIST1D = [Row("logreg_mnist1d", "paper 32 (notebook 31.5)", 32.0),
            Row("mlp_mnist1d", "paper 68 (notebook 65.1)", 68.0),
            Row("cnn_mnist1d", "paper 94 (notebook 92.3)", 94.0)]

TABLES: dict[str, Table] = {table.name: table for table in (
    trained.table("core", [
        _LOGREG_DIGITS,
        _SVM_DIGITS,
        Row("logreg_iris", "sklearn LogisticRegression(C=1), same split: 97.4", 97.4),
        Row("svm_iris", "sklearn LinearSVC(C=1, crammer_singer), same split: 100", 100.0),
        Row("mlp_digits"),
        Row("lenet_digits"),
        *_MNIST1D,
    ], _ACCURACY),
    # MNIST-1D, normal then spatially shuffled; paper: Greydanus & Kobak, README table.
    trained.table("mnist1d", [
        *_MNIST1D,
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
    # generators too: their fitted class-conditional Gaussians are sampled. ddpm_digits and
    # ar_digits are the likelihood table's rows (the configs as they are, the same workdirs:
    # one training serves both tables); the conditional rows' NLL is -log p(x|y) and their
    # samples draw y uniformly.
    trained.table("generative", [
        Row("vae_digits", _REAL_DIGITS, overrides=_JUDGED + _TEST_ONLY, name="vae_digits_judged"),
        Row("iwae_digits", _REAL_DIGITS, overrides=_JUDGED + _TEST_ONLY, name="iwae_digits_judged"),
        Row("gan_digits", _REAL_DIGITS),
        Row("vaegan_digits", _REAL_DIGITS),
        Row("ddpm_digits", _REAL_DIGITS),
        Row("ar_digits", _REAL_DIGITS),
        Row("ddpm_digits_conditional", _REAL_DIGITS),
        # test split only, in batches of 250: the Bayes-rule accuracy scores 10 classes at once
        Row("ar_digits_conditional", _REAL_DIGITS,
            overrides=_TEST_ONLY + (("eval_batch_size", 250),), name="ar_digits_conditional_test"),
        ClosedFormRow("gnb", "digits", _REAL_DIGITS, judge="mlp_digits", seed_is_split=False),
        ClosedFormRow("qda", "digits", _REAL_DIGITS, hyper=_QDA, judge="mlp_digits",
                      seed_is_split=False),
    ], (fmt.CLASSIFIER_FID, fmt.CLASSIFIER_IS, fmt.TEST_NLL)),
    # Every model family on embedded data, 5 seeds, each row with its headline metric: the
    # README's main command (<= 10 min on the 2-core CPU).
    trained.table("summary", [
        ClosedFormRow("gnb", "digits", "= sklearn GaussianNB per split (tested); its 10-split mean 85.1",
                      85.1),
        ClosedFormRow("lda", "digits", "= sklearn LDA per split (tested); its 10-split mean 95.6", 95.6),
        ClosedFormRow("qda", "digits", "= sklearn QDA(reg_param=0.01) per split", hyper=_QDA),
        _LOGREG_DIGITS,
        _SVM_DIGITS,
        Row("mlp_digits"),
        Row("lenet_digits"),
        Row("gru_digits"),
        Row("transformer_digits"),
        _MNIST1D[2],
        Row("vae_digits", "NLL <= -ELBO for every seed", overrides=_TEST_ONLY,
            name="vae_digits_test"),
        Row("gan_digits", _REAL_DIGITS),
        Row("vaegan_digits", _REAL_DIGITS),
    ], None),
    ngjordan.TABLE,
    semisupervised.M1,
    semisupervised.M2,
    augment.TABLE,
    likelihood.TABLE,
    sweep_lr.TABLE,
    *genclf.TABLES,
    features.TABLE,
    pretrain.TABLE,
    fashion.TABLE,
)}


def check_sets(names, sets: tuple[tuple[str, str], ...]) -> None:
  """--set applies to the trained tables only: refuse it for any other before anything runs."""
  refused = [name for name in names if sets and not TABLES[name].takes_sets]
  if refused:
    settable = ", ".join(name for name, table in TABLES.items() if table.takes_sets)
    raise ConfigError(f"--set does not apply to table {refused[0]!r}; it overrides config fields "
                      f"of the trained tables ({settable})")


def parse_sets(sets: list[str]) -> tuple[tuple[str, str], ...]:
  """--set texts 'field=value' -> (field, value) pairs; a text without '=' is a ConfigError."""
  pairs = []
  for text in sets:
    field, sep, value = text.partition("=")
    if not sep or not field:
      raise ConfigError(f"--set={text!r} is invalid; use field=value, e.g. --set=num_steps=500")
    pairs.append((field, value))
  return tuple(pairs)


def compute(name: str, out: str, seeds: tuple[int, ...] | None = None, log=print,
            sets: tuple[tuple[str, str], ...] = (), only: tuple[str, ...] | None = None):
  """Table `name`'s `TableData` (its runs trained or read back under OUT), not written; `only`:
  the rows to compute (None: all; spec.py), a partial record when given."""
  check_sets([name], sets)
  return TABLES[name].compute(out, seeds, log, sets, only)


def reproduce(name: str, out: str, seeds: tuple[int, ...] | None = None, log=print,
              sets: tuple[tuple[str, str], ...] = ()) -> str:
  """Computes table `name` (trains or reads back its runs under OUT), writes its files to
  OUT/<name><suffix>.*, returns the markdown."""
  return write(TABLES[name], compute(name, out, seeds, log, sets), out, name + suffix(seeds, sets))
