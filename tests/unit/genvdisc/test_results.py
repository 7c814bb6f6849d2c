"""genvdisc.results: the atomic writer (modes, crashes) and the rows' headline metrics."""

import json
import os

import pytest

from genvdisc import results
from genvdisc.report import runs as runs_report


@pytest.fixture
def umask():
  """Sets a umask for the test and restores the old one."""
  old = os.umask(0o022)
  yield os.umask
  os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_respect_the_umask(tmp_path, umask, mask, mode):
  umask(mask)
  results.write_json_atomic(str(tmp_path / "results.json"), {"a": 1})
  results.write_text_atomic(str(tmp_path / "results.md"), "| row |\n")
  results.write_atomic(str(tmp_path / "picture.png"), lambda tmp: open(tmp, "wb").write(b"\x89PNG"))
  for name in ("results.json", "results.md", "picture.png"):
    assert os.stat(tmp_path / name).st_mode & 0o777 == mode, name
  # rewriting an existing file gives it the same mode
  results.write_json_atomic(str(tmp_path / "results.json"), {"a": 2})
  assert os.stat(tmp_path / "results.json").st_mode & 0o777 == mode


def test_a_crash_between_writing_and_renaming_keeps_the_previous_file(tmp_path, monkeypatch):
  path = tmp_path / "results.json"
  results.write_json_atomic(str(path), {"run": "previous"})

  def crash(src, dst):
    raise OSError("killed between write and rename")

  monkeypatch.setattr(os, "replace", crash)
  with pytest.raises(OSError, match="killed between write and rename"):
    results.write_json_atomic(str(path), {"run": "new"})
  assert json.loads(path.read_text()) == {"run": "previous"}
  assert os.listdir(tmp_path) == ["results.json"]   # no temporary file left behind


def test_a_failing_writer_leaves_no_file(tmp_path):
  def half_written(tmp):
    with open(tmp, "w") as f:
      f.write("{")
    raise ValueError("savefig failed")

  with pytest.raises(ValueError):
    results.write_atomic(str(tmp_path / "curves.png"), half_written)
  assert os.listdir(tmp_path) == []


def run_results(task, per_seed, **config):
  return {"config": {"name": f"{task}_run", "model": "mlp", "dataset": "digits", "task": task,
                     **config},
          "per_seed": per_seed, "summary": results.summarize(per_seed), "wall_time_s": 12.4}


@pytest.mark.parametrize("task, metrics, cells", [
    ("classification", [{"test_accuracy": 0.9, "train_accuracy": 1.0},
                        {"test_accuracy": 0.8, "train_accuracy": 1.0}], "test acc % | 85.0 ± 7.1"),
    ("m2", [{"test_accuracy": 0.5}, {"test_accuracy": 0.7}], "test acc % | 60.0 ± 14.1"),
    ("vae", [{"test_nll": 22.61, "test_elbo": -23.2}, {"test_nll": 22.69, "test_elbo": -23.1}],
     "test NLL (nats) | 22.65 ± 0.06"),
    ("iwae", [{"test_nll": 22.0}, {"test_nll": 22.0}], "test NLL (nats) | 22.00 ± 0.00"),
    ("gan", [{"classifier_fid": 10.0}, {"classifier_fid": 14.0}], "classifier-FID | 12.0 ± 2.8"),
    ("vaegan", [{"test_kl": 3.0}, {"test_kl": 4.0}], "classifier-FID | -"),  # no judge: no FID
])
def test_every_row_shows_its_own_headline_metric(task, metrics, cells):
  per_seed = {str(s): {**m, "diverged_at_step": None, "loss_increased": False}
              for s, m in enumerate(metrics)}
  row = runs_report.markdown_row(run_results(task, per_seed))
  assert row == f"| {task}_run | mlp | digits | 2 | {cells} | 12 |"
  assert "n/a" not in row
  assert len(row.split("|")) == len(runs_report.table_header().splitlines()[0].split("|"))


def test_rows_name_diverged_and_loss_increased_seeds():
  per_seed = {"0": {"test_accuracy": 0.9, "diverged_at_step": None, "loss_increased": True},
              "1": {"test_accuracy": 0.1, "diverged_at_step": 130, "loss_increased": False},
              "2": {"test_accuracy": 0.7, "diverged_at_step": None, "loss_increased": True}}
  run = run_results("classification", per_seed)
  # the flag is not a metric: diverged seeds are left out, loss-increased ones still count
  assert sorted(run["summary"]) == ["test_accuracy"]
  assert run["summary"]["test_accuracy"]["n"] == 2
  assert runs_report.markdown_row(run) == ("| classification_run | mlp | digits | "
                                           "3 (1 diverged: 1; 2 loss increased: 0,2) | "
                                           "test acc % | 80.0 ± 14.1 | 12 |")
