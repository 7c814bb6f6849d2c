"""The fashion table (experiments/tables/fashion.py) on a tiny Fashion-MNIST written here as the
Debian package's IDX files: every row and column builds, the scikit-learn references run on the
rows' arrays and are cached, the closed-form rows equal scikit-learn's; the real-data test runs
where dataset-fashion-mnist is installed and is skipped otherwise."""

import numpy as np
import pytest

from experiments import tables
from experiments.tables import fashion, writers
from genvdisc import data
from genvdisc.analysis import closed_form
from genvdisc.data import images
from tests.unit.genvdisc.data.test_images import HAS_REAL_FASHION_MNIST, write_idx

SIZES = {"train": 200, "test": 50}
QUICK = (("num_steps", 2), ("chunk_steps", 1), ("log_every", 1), ("checkpoint_every", 2))


@pytest.fixture
def tiny_fashion(tmp_path, monkeypatch):
  """A 200 / 50 image Fashion-MNIST (labels cycling 0..9, pixel means 20 + 20 y plus noise) as
  the installed package's files."""
  package = tmp_path / "package"
  package.mkdir()
  rng = np.random.default_rng(0)
  for split, (image_name, label_name) in images.IDX_FILES.items():
    y = np.arange(SIZES[split]) % 10
    x = np.clip(rng.normal(20.0 + 20.0 * y[:, None, None], 30.0, (len(y), 28, 28)), 0, 255)
    write_idx(package / image_name, x.astype(np.uint8))
    write_idx(package / label_name, y.astype(np.uint8))
  monkeypatch.setattr(images, "PACKAGE_DIRS", (str(package),))
  monkeypatch.setattr(images, "FASHION_MNIST_SIZES", SIZES)
  return tmp_path / "out"


def test_the_table_is_registered_with_a_twin_for_every_sklearn_model():
  assert tables.TABLES["fashion"] is fashion.TABLE and fashion.TABLE.takes_sets
  labels = [row.label for row in fashion.ROWS]
  assert set(fashion.SKLEARN) < set(labels)
  assert {row.label: row.paper for row in fashion.ROWS if row.paper} == {
      "gnb_fashion_mnist": 51.1, "logreg_fashion_mnist": 84.2, "svm_fashion_mnist": 83.5,
      "mlp_fashion_mnist": 87.1}


def synthetic_record() -> dict:
  """A record of every row (test accuracy 0.8, train 0.9 on seeds 0-4), sklearn twins at 0.85
  (the MLP's stopped at max_iter) and standardised ones at 0.8."""
  per_seed = {str(s): {"test_accuracy": 0.8, "train_accuracy": 0.9, "diverged_at_step": None}
              for s in range(5)}
  rows = [{"name": row.label, "per_seed": per_seed,
           "config": {"model": row.label.split("_")[0], "dataset": "fashion_mnist"},
           "wall_time_s": 1.0, "reference": row.reference, "paper": row.paper}
          for row in fashion.ROWS]
  twins = {row: {"version": "1.2.3", "test_accuracy": 0.85, "converged": True}
           for row in fashion.SKLEARN}
  twins["mlp_fashion_mnist"]["converged"] = False
  standardised = {row: {"version": "1.2.3", "test_accuracy": 0.8, "converged": True}
                  for row in fashion.STANDARDISED}
  return {"table": "fashion", "rows": rows, "sklearn": twins, "sklearn_standardised": standardised}


def test_every_row_shows_its_sklearn_twin_and_published_number():
  section, = fashion.TABLE.sections(synthetic_record())
  assert [row.keys[0] for row in section.rows] == [row.label for row in fashion.ROWS]
  assert section.columns == ("test acc %", "train acc %")
  assert section.texts == ("wall s", "sklearn today", "sklearn standardised", "published 2017")
  texts = {row.keys[0]: row.texts[1:] for row in section.rows}
  assert texts == {
      "gnb_fashion_mnist": ("85.00", "80.00", "51.1"), "lda_fashion_mnist": ("85.00", "-", "-"),
      "qda_fashion_mnist": ("85.00", "-", "-"), "logreg_fashion_mnist": ("85.00", "80.00", "84.2"),
      "svm_fashion_mnist": ("-", "-", "83.5"),
      "mlp_fashion_mnist": ("85.00*", "80.00", "87.1"), "lenet_fashion_mnist": ("-", "-", "-"),
      "gru_fashion_mnist": ("-", "-", "-")}
  assert "scikit-learn 1.2.3" in section.caption
  assert [row.marker for row in section.rows][:4] == [51.1, None, None, 84.2]
  assert writers.markdown((section,)).count("\n| ") == len(fashion.ROWS) + 1


@pytest.mark.slow
def test_every_row_and_twin_runs_on_a_tiny_fashion_mnist(tiny_fashion, monkeypatch):
  """Each row trained 2 steps, seed 0, and every twin fitted (QDA's by shrinkage: scikit-learn
  refuses a class with fewer examples than pixels)."""
  monkeypatch.setitem(fashion.SKLEARN, "qda_fashion_mnist", (
      "discriminant_analysis.QuadraticDiscriminantAnalysis",
      {"solver": "eigen", "shrinkage": "auto"}))
  record = fashion.TABLE.compute(str(tiny_fashion), (0,), lambda s: None, QUICK).record
  assert [r["name"] for r in record["rows"]] == [row.label for row in fashion.ROWS]
  assert all(len(r["per_seed"]) == 1 for r in record["rows"])
  assert set(record["sklearn"]) == set(fashion.SKLEARN)
  assert set(record["sklearn_standardised"]) == set(fashion.STANDARDISED)
  section, = fashion.TABLE.sections(record)
  for row in section.rows:
    assert row.texts[1:3] == tuple(fashion.sklearn_text(record[key].get(row.keys[0]))
                                   for key in ("sklearn", "sklearn_standardised"))


def test_asked_for_some_rows_the_table_fits_no_sklearn_twin(tiny_fashion):
  record = fashion.TABLE.compute(str(tiny_fashion), (0,), lambda s: None, (),
                                 only=("gnb_fashion_mnist",)).record
  assert [r["name"] for r in record["rows"]] == ["gnb_fashion_mnist"]
  assert record["sklearn"] == record["sklearn_standardised"] == {}
  assert fashion.TABLE.sections(record)[0].rows[0].texts[1] == "-"


def test_an_sklearn_reference_is_cached_until_its_estimator_changes(tiny_fashion, monkeypatch):
  first = fashion.sklearn_reference("gnb_fashion_mnist", str(tiny_fashion), lambda s: None)
  assert first["estimator"] == "GaussianNB()" and first["converged"]

  def no_data(*args, **kwargs):
    raise AssertionError("refitted")
  monkeypatch.setattr(data, "load", no_data)
  assert fashion.sklearn_reference("gnb_fashion_mnist", str(tiny_fashion), lambda s: None) == first
  monkeypatch.setitem(fashion.SKLEARN, "gnb_fashion_mnist",
                      ("naive_bayes.GaussianNB", {"var_smoothing": 1e-3}))
  with pytest.raises(AssertionError, match="refitted"):
    fashion.sklearn_reference("gnb_fashion_mnist", str(tiny_fashion), lambda s: None)


def test_a_standardised_reference_is_a_pipeline_cached_apart(tiny_fashion):
  plain = fashion.sklearn_reference("gnb_fashion_mnist", str(tiny_fashion), lambda s: None)
  scaled = fashion.sklearn_reference("gnb_fashion_mnist", str(tiny_fashion), lambda s: None,
                                     standardised=True)
  assert scaled["estimator"].startswith("Pipeline(") and "StandardScaler()" in scaled["estimator"]
  assert sorted(p.name for p in (tiny_fashion / "sklearn").iterdir()) == [
      "gnb_fashion_mnist-standardised.json", "gnb_fashion_mnist.json"]
  assert plain["estimator"] == "GaussianNB()"


def test_a_fit_stopped_at_max_iter_is_starred(tiny_fashion, monkeypatch):
  monkeypatch.setitem(fashion.SKLEARN, "logreg_fashion_mnist",
                      ("linear_model.LogisticRegression", {"C": 1.0, "max_iter": 1}))
  reference = fashion.sklearn_reference("logreg_fashion_mnist", str(tiny_fashion), lambda s: None)
  assert not reference["converged"]
  assert fashion.sklearn_text(reference).endswith("*") and fashion.sklearn_text(None) == "-"


@pytest.mark.parametrize("model", ["gnb", "lda"])
def test_closed_form_rows_equal_sklearn_on_the_tiny_set(tiny_fashion, model):
  """(QDA is not compared here: with fewer examples per class than pixels scikit-learn keeps
  only the span of a class's examples; on the real set, 6,000 per class, the table shows both.)"""
  ours = closed_form.run(model, model, "fashion_mnist", (0,))["per_seed"]["0"]["test_accuracy"]
  theirs = fashion.sklearn_reference(f"{model}_fashion_mnist", str(tiny_fashion), lambda s: None)
  assert ours == theirs["test_accuracy"]


@pytest.mark.slow
@pytest.mark.skipif(not HAS_REAL_FASHION_MNIST, reason="dataset-fashion-mnist is not installed")
@pytest.mark.parametrize("model", ["gnb", "lda"])
def test_closed_form_rows_equal_sklearn_on_the_real_set(tmp_path, model):
  """Our float32 fit against scikit-learn's on the same arrays: at most 2 of 10,000 test images
  apart (rounding; measured: GNB equal, LDA 1 apart)."""
  ours = closed_form.run(model, model, "fashion_mnist", (0,))["per_seed"]["0"]["test_accuracy"]
  theirs = fashion.sklearn_reference(f"{model}_fashion_mnist", str(tmp_path), lambda s: None)
  assert abs(ours - theirs["test_accuracy"]) <= 2e-4
