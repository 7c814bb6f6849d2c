"""Sweep tables: genvdisc.report.sweeps (a workdir's sweep.md, .csv, .png) and table sweep_lr."""

import csv
import json

import pytest

from experiments import tables
from experiments.tables import sweep_lr
from genvdisc import results
from genvdisc.report import sweeps
from genvdisc.report.format import CLASSIFIER_FID, TEST_NLL, Metric, Stat


class _Run:
  def __init__(self, name, point, label):
    self.name, self.point, self.label = name, point, label


def sweep_results(accuracies: dict) -> dict:
  """A results.json-shaped sweep over hidden sizes x learning rate from {(sizes, lr): [acc per
  seed]} (test accuracy = val accuracy - 0.1; seed 1 of the first point diverged), read back
  from JSON as a workdir's results.json is."""
  runs, per_seed, run_list = {}, {}, []
  for index, ((sizes, lr), values) in enumerate(accuracies.items()):
    point = {"model_kwargs.hidden_sizes": sizes, "learning_rate": lr}
    label = f"model_kwargs.hidden_sizes={'x'.join(map(str, sizes))},learning_rate={lr:g}"
    for seed, acc in enumerate(values):
      name = f"{label},seed={seed}"
      diverged = 30 if (index, seed) == (0, 1) else None
      runs[name] = {"seed": seed, "point": point, "rerun": ""}
      per_seed[name] = {"val_accuracy": acc, "test_accuracy": acc - 0.1,
                        "diverged_at_step": diverged}
      run_list.append(_Run(name, point, label))
  config = {"name": "toy", "task": "classification", "sweep": "...", "select": ""}
  out = {"config": config, "runs": runs, "per_seed": per_seed, "validation_fraction": 0.1,
         **results.sweep_summary("val_accuracy", run_list, per_seed)}
  return json.loads(json.dumps(out))


def test_sweep_files_list_every_point_with_its_numbers_and_the_selection(tmp_path):
  r = sweep_results({((32,), 1e-3): [0.50, 0.99, 0.70], ((32,), 1e-2): [0.80, 0.82, 0.84],
                     ((64, 64), 1e-3): [0.60, 0.62, 0.64], ((64, 64), 1e-2): [0.70, 0.75, 0.80]})
  sweeps.write(r, str(tmp_path))
  md = (tmp_path / sweeps.SWEEP_MD).read_text().splitlines()
  assert md[0].startswith("Selected by val_accuracy on the validation split (0.1 of the training "
                          "split): model_kwargs.hidden_sizes=32,learning_rate=0.01.")
  assert md[2] == ("| model_kwargs.hidden_sizes | learning_rate | seeds | val acc % | test acc % "
                   "| selected |")
  # the diverged seed (0.99) is left out of the mean and named
  assert md[4] == "| 32 | 0.001 | 3 (1 diverged: 1) | 60.0 ± 14.1 | 50.0 ± 14.1 |  |"
  assert md[5] == "| 32 | 0.01 | 3 | 82.0 ± 2.0 | 72.0 ± 2.0 | ✓ |"
  assert md[7] == "| 64x64 | 0.01 | 3 | 75.0 ± 5.0 | 65.0 ± 5.0 |  |"
  lines = list(csv.DictReader((tmp_path / sweeps.SWEEP_CSV).open()))
  assert [(l["model_kwargs.hidden_sizes"], l["learning_rate"], l["selected"]) for l in lines] == [
      ("32", "0.001", "0"), ("32", "0.01", "1"), ("64x64", "0.001", "0"), ("64x64", "0.01", "0")]
  assert lines[0]["val_accuracy_n"] == "2" and lines[0]["val_accuracy_mean"] == "0.60000"
  for line, point in zip(lines, r["points"]):   # the csv's numbers are the points' summaries
    for key in ("val_accuracy", "test_accuracy"):
      assert float(line[f"{key}_mean"]) == pytest.approx(point["summary"][key]["mean"], abs=5e-6)
      assert float(line[f"{key}_std"]) == pytest.approx(point["summary"][key]["std"], abs=5e-6)
  assert (tmp_path / sweeps.SWEEP_PNG).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_axis_is_logarithmic_for_learning_rates_and_wide_positive_ranges():
  assert sweeps.axis("learning_rate", [1e-3, 3e-3]) == ([1e-3, 3e-3], True)
  assert sweeps.axis("discriminator_learning_rate", [1e-4, 2e-4]) == ([1e-4, 2e-4], True)
  assert sweeps.axis("beta", [0.5, 1.0, 4.0]) == ([0.5, 1.0, 4.0], False)
  assert sweeps.axis("beta", [0.1, 1.0, 4.0]) == ([0.1, 1.0, 4.0], True)
  assert sweeps.axis("momentum", [0.0, 0.9]) == ([0.0, 0.9], False)
  assert sweeps.axis("model", ["mlp", "cnn1d"]) == ([0, 1], False)


def test_each_task_is_selected_and_reported_by_its_own_metrics():
  vae = {"config": {"task": "vae", "select": ""}, "selected": None}
  assert sweeps.metrics(vae) == (Metric("val_nll", Stat("val NLL (nats)", 1.0, 2, True)), TEST_NLL)
  chosen = {"config": {"task": "classification", "select": "val_loss"},
            "selected": {"metric": "val_loss"}}
  assert sweeps.metrics(chosen)[0] == Metric("val_loss", Stat("val_loss", 1.0, 4, True))
  gan = {"config": {"task": "gan", "select": ""}, "selected": None}   # classifier-FID has no validation twin
  assert sweeps.metrics(gan) == (Metric("", Stat("", 1.0, 4)), CLASSIFIER_FID)


def test_the_registered_table_sweeps_four_rates_around_each_configs_own():
  assert [row.config for row in sweep_lr.ROWS] == ["mlp_mnist1d", "cnn_mnist1d", "vae_digits"]
  assert sweep_lr.learning_rates(1e-2) == (1e-3, 3e-3, 1e-2, 3e-2)
  assert sweep_lr.learning_rates(1e-3) == (1e-4, 3e-4, 1e-3, 3e-3)
  assert tables.TABLES["sweep_lr"].compute.args == ("sweep_lr", sweep_lr.ROWS)


_SHRUNK = (("num_steps", 40), ("chunk_steps", 20), ("log_every", 20), ("checkpoint_every", 40),
           ("seed_group", 8))


@pytest.mark.slow
def test_sweep_lr_table_end_to_end(tmp_path, monkeypatch):
  """Shrunk (the mlp_mnist1d row, 40 steps, seeds 0 and 1): the selected row is the best of the
  validation metric, and the csv's numbers are the json's."""
  shrunk = sweep_lr.table("sweep_lr", (sweep_lr.SweepRow("mlp_mnist1d", _SHRUNK),))
  monkeypatch.setitem(tables.TABLES, "sweep_lr", shrunk)
  tables.reproduce("sweep_lr", str(tmp_path), seeds=(0, 1), log=lambda line: None)
  stem = tmp_path / "sweep_lr-seeds-0-1"
  record = json.loads(stem.with_suffix(".json").read_text())
  lines = list(csv.DictReader(stem.with_suffix(".csv").open()))
  assert stem.with_suffix(".png").exists() and (tmp_path / "mlp_mnist1d_sweep-seeds-0-1").is_dir()
  entry, = record["rows"]
  assert [l["learning rate"] for l in lines] == [lr for lr in ("0.001", "0.003", "0.01", "0.03")
                                                  for _ in ("val", "test")]
  assert {l["column"] for l in lines} == {"val acc %", "test acc %"}
  points = {p["label"]: p["summary"] for p in entry["points"]}
  for line in lines:
    key = {"val acc %": "val_accuracy", "test acc %": "test_accuracy"}[line["column"]]
    summary = points[f"learning_rate={line['learning rate']}"][key]
    assert (line["n"], line["mean"], line["std"]) == (
        "2", f"{summary['mean']:.5f}", f"{summary['std']:.5f}")
  val = sorted((l for l in lines if l["column"] == "val acc %"), key=lambda l: float(l["mean"]))
  assert float(val[-1]["mean"]) > float(val[-2]["mean"])   # one best rate after 40 steps
  best = val[-1]["learning rate"]
  assert [l["learning rate"] for l in lines if l["selected"] == "✓"] == [best, best]
  assert entry["selected"] == {"metric": "val_accuracy", "label": f"learning_rate={best}",
                               "point": {"learning_rate": float(best)},
                               "value": points[f"learning_rate={best}"]["val_accuracy"]["mean"]}
