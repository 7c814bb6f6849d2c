"""`--table=fashion`: the Fashion-MNIST benchmark by seed, beside today's scikit-learn on the same
data and the numbers Xiao et al. published in 2017.

Rows (`ROWS`): the closed-form GNB, LDA and QDA (`trained.ClosedFormRow`, QDA with reg_param 0.01
as the digits rows), logistic regression, the Crammer-Singer linear SVM, an MLP 784-100-10 (ReLU,
as scikit-learn's MLPClassifier), a LeNet-style CNN and a row-by-row GRU (`trained.Row`, the
configs experiments/configs/*_fashion_mnist.py, each recipe chosen on a validation split, never
on test). The trained tables' machinery computes them (`trained.table`): 5 seeds, test accuracy
on all 10,000 test images, train accuracy on all 60,000 training images. Fashion-MNIST has one
fixed split, so a closed-form row's 5 seeds are 5 identical fits (std 0).

Three reference columns beside the grid:
  sklearn today: the row's scikit-learn estimator (`SKLEARN`, today's defaults but for the
    arguments named) fitted once (random_state=0 where it has one) on the very arrays the rows read
    (`data.load("fashion_mnist")`, 784 float32 pixels in [0, 1]) and scored on the test split
    (`sklearn_reference`); computed at table time, cached in OUT/sklearn/<row>.json (reused
    while the estimator's repr and scikit-learn's version match) and kept in the table's json
    under 'sklearn'. '*' marks a fit that stopped at its max_iter (not converged).
  sklearn standardised: the same after a StandardScaler fitted on the training split, Xiao et
    al.'s preprocessing (below), for GNB, LR and the MLP (`STANDARDISED`; cached in
    OUT/sklearn/<row>-standardised.json, kept under 'sklearn_standardised'): measures how much
    of a gap to the published number the pixels' scaling explains.
  published: Xiao et al. 2017 (arXiv 1708.07747, Table 3), the row's reference text and its
    chart marker. Their benchmark (zalandoresearch/fashion-mnist, benchmark/runner.py) fitted
    scikit-learn of 2017 on 0-255 pixels standardised per pixel (StandardScaler fitted on the
    training split), the training set shuffled, best of a small grid per estimator.
"""

from __future__ import annotations

import importlib
import os
import time
import warnings
from typing import Any

import numpy as np

from experiments.tables import trained
from experiments.tables.spec import GridRow, Section, Table, TableData
from experiments.tables.trained import ClosedFormRow, Row
from genvdisc import data, results
from genvdisc.report import format as fmt

NAME = "fashion"
DATASET = "fashion_mnist"
_QDA = (("reg_param", 0.01),)   # 57 pixels are constant in class 7 (sandals): C_k is singular
ROWS = [
    ClosedFormRow("gnb", DATASET, "51.1", 51.1),
    ClosedFormRow("lda", DATASET),
    ClosedFormRow("qda", DATASET, hyper=_QDA),
    Row("logreg_fashion_mnist", "84.2", 84.2),
    Row("svm_fashion_mnist", "83.5", 83.5),
    Row("mlp_fashion_mnist", "87.1", 87.1),
    Row("lenet_fashion_mnist"),
    Row("gru_fashion_mnist"),
]


# Row name -> its scikit-learn twin: (class under sklearn., the arguments it is given). The SVM
# has none: LinearSVC(C=1, multi_class='crammer_singer') had not finished after 20 CPU minutes
# here, and max_iter=50 not after 5, beyond the table's budget.
SKLEARN: dict[str, tuple[str, dict[str, Any]]] = {
    "gnb_fashion_mnist": ("naive_bayes.GaussianNB", {}),
    "lda_fashion_mnist": ("discriminant_analysis.LinearDiscriminantAnalysis", {}),
    "qda_fashion_mnist": ("discriminant_analysis.QuadraticDiscriminantAnalysis", dict(_QDA)),
    "logreg_fashion_mnist": ("linear_model.LogisticRegression", {"C": 1.0}),
    "mlp_fashion_mnist": ("neural_network.MLPClassifier", {
        "hidden_layer_sizes": (100,), "activation": "relu", "random_state": 0}),
}
STANDARDISED = ("gnb_fashion_mnist", "logreg_fashion_mnist", "mlp_fashion_mnist")
_GRID = trained.table(NAME, ROWS, (fmt.TEST_ACCURACY, fmt.TRAIN_ACCURACY))


def sklearn_reference(row: str, out: str, log=print, standardised: bool = False) -> dict:
  """{'estimator' (its repr), 'version', 'test_accuracy', 'converged', 'seconds'} of row
  `row`'s scikit-learn estimator (`SKLEARN`; `standardised`: after a StandardScaler) fitted on
  the table's flattened training split and scored on its test split; read back from
  OUT/sklearn/<row>[-standardised].json when that holds the same estimator and version."""
  import sklearn
  from sklearn.exceptions import ConvergenceWarning
  where, kwargs = SKLEARN[row]
  module, name = where.rsplit(".", 1)
  estimator = getattr(importlib.import_module(f"sklearn.{module}"), name)(**kwargs)
  if standardised:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    estimator = make_pipeline(StandardScaler(), estimator)
  path = os.path.join(out, "sklearn", f"{row}{'-standardised' if standardised else ''}.json")
  described = " ".join(repr(estimator).split())   # one line
  if os.path.exists(path):
    cached = results.read_json(path)
    if (cached["estimator"], cached["version"]) == (described, sklearn.__version__):
      return cached
  d = data.load(DATASET)
  flat = lambda x: np.asarray(x).reshape(len(x), -1)
  start = time.time()
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ConvergenceWarning)
    estimator.fit(flat(d.x_train), np.asarray(d.y_train))
  accuracy = float(estimator.score(flat(d.x_test), np.asarray(d.y_test)))
  reference = {"estimator": described, "version": sklearn.__version__,
               "test_accuracy": accuracy, "seconds": time.time() - start,
               "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught)}
  results.write_json_atomic(path, reference)
  log(f"[sklearn {row}] {reference['estimator']}: test acc {100 * accuracy:.2f} % "
      f"({reference['seconds']:.0f} s{'' if reference['converged'] else ', not converged'})")
  return reference


def compute(out: str, seeds, log=print, sets=(), only=None) -> TableData:
  """The trained grid's record (`trained.table`) plus {'sklearn': {row: sklearn_reference}} and
  'sklearn_standardised' of the `STANDARDISED` rows; asked for some rows (`only`, a comparison of
  per-seed numbers), no references."""
  record = _GRID.compute(out, seeds, log, sets, only).record
  record["sklearn"] = {} if only else {row: sklearn_reference(row, out, log) for row in SKLEARN}
  record["sklearn_standardised"] = {} if only else {
      row: sklearn_reference(row, out, log, standardised=True) for row in STANDARDISED}
  return TableData(record)


def sklearn_text(reference: dict | None) -> str:
  """'84.45' (test accuracy %, 2 decimals: one run on 10,000 images), '84.45*' when the fit
  stopped at max_iter, '-' without a twin."""
  if reference is None:
    return "-"
  return f"{100 * reference['test_accuracy']:.2f}" + ("" if reference["converged"] else "*")


def sections(record: dict) -> tuple[Section, ...]:
  """The trained grid, its 'reference' column split into sklearn today, sklearn standardised
  and published 2017."""
  grid, = _GRID.sections(record)
  today, standardised = record.get("sklearn", {}), record.get("sklearn_standardised", {})
  versions = sorted({r["version"] for r in (*today.values(), *standardised.values())})
  rows = tuple(GridRow(row.keys, row.cells, (
      row.texts[0], sklearn_text(today.get(row.keys[0])),
      sklearn_text(standardised.get(row.keys[0])), row.texts[1]), row.marker) for row in grid.rows)
  caption = (
      "Fashion-MNIST (60,000 train / 10,000 test, pixels / 255): test and train accuracy % "
      "(mean ± std over seeds; a closed-form row's seeds are 5 identical fits of the one split). "
      f"sklearn: scikit-learn {', '.join(versions) or '-'} on the same arrays, one fit "
      "(random_state=0; * = stopped at max_iter), standardised: after a StandardScaler, as "
      "Xiao et al. Published: Xiao et al. 2017, Table 3 (scikit-learn of 2017 on standardised "
      "pixels, best of a small grid); their best, SVC(rbf, C=10) 89.7, has no row here. CPU "
      "recipes chosen on a validation split: experiments/configs/*_fashion_mnist.py. The SVM "
      "has no sklearn twin: LinearSVC(crammer_singer) did not finish within the CPU budget.")
  return (Section(caption, grid.keys, grid.columns,
                  ("wall s", "sklearn today", "sklearn standardised", "published 2017"), rows),)


TABLE = Table(NAME, compute, sections, takes_sets=True)
