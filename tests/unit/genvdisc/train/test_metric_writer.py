"""TensorBoard event files and curves.png: series per seed and their mean; resume without
duplicate steps (read back with our reader and with TensorBoard's own, from the test extra)."""

import os

import pytest
from tensorboard.backend.event_processing import event_accumulator

from genvdisc.checkpoint import Checkpointer
from genvdisc.train import metric_writer, run
from tests.conftest import shrunk_config


def losses(values):
  return {seed: {"minibatch_loss": v} for seed, v in values.items()}


def write_interrupted_then_resumed(directory):
  """Steps 10..40 written, then a resume at step 20 that writes 20..50 again."""
  first = metric_writer.MetricWriter(directory, [0, 1], 0)
  for step in (10, 20, 30, 40):
    first.write(step, losses({"0": step, "1": step + 1.0}))
  first.close()
  resumed = metric_writer.MetricWriter(directory, [0, 1], 20)
  for step in (20, 30, 40, 50):
    resumed.write(step, losses({"0": -step, "1": float("nan")}))
  resumed.close()


def test_resumed_writer_continues_the_series_without_duplicate_steps(tmp_path):
  write_interrupted_then_resumed(str(tmp_path))
  assert sorted(os.listdir(tmp_path)) == ["mean", "seed_0", "seed_1"]
  assert len(os.listdir(tmp_path / "seed_0")) == 2     # one file per start
  scalars = metric_writer.read_scalars(str(tmp_path))
  assert scalars["seed_0"] == {"minibatch_loss": [(10, 10.0), (20, -20.0), (30, -30.0),
                                                  (40, -40.0), (50, -50.0)]}
  assert scalars["seed_1"] == {"minibatch_loss": [(10, 11.0)]}   # NaN is not written
  assert scalars["mean"]["minibatch_loss"] == [(10, 10.5), (20, -20.0), (30, -30.0),
                                               (40, -40.0), (50, -50.0)]


def test_tensorboard_reads_the_same_series(tmp_path):
  write_interrupted_then_resumed(str(tmp_path))
  for run_name, series in metric_writer.read_scalars(str(tmp_path)).items():
    events = event_accumulator.EventAccumulator(str(tmp_path / run_name))
    events.Reload()
    assert [(e.step, e.value) for e in events.Scalars("minibatch_loss")] == series["minibatch_loss"]


def test_the_mean_leaves_out_diverged_and_non_finite_seeds(tmp_path):
  writer = metric_writer.MetricWriter(str(tmp_path), [0, 1, 2], 0)
  writer.write(100, {"0": {"test_accuracy": 0.8, "diverged_at_step": None, "loss_increased": True},
                     "1": {"test_accuracy": 0.1, "diverged_at_step": 7},
                     "2": {"test_accuracy": 0.6, "diverged_at_step": None}})
  writer.close()
  scalars = metric_writer.read_scalars(str(tmp_path))
  assert scalars["mean"] == {"test_accuracy": [(100, pytest.approx(0.7))]}
  assert scalars["seed_1"] == {"test_accuracy": [(100, pytest.approx(0.1))]}   # its own series
  assert metric_writer.MetricWriter(None, [0], 0).write(1, {"0": {"a": 1.0}}) is None  # no files


class Crash(Exception):
  pass


@pytest.mark.slow
def test_a_resumed_run_writes_the_uninterrupted_runs_event_series(tmp_path, monkeypatch):
  config = shrunk_config("logreg_iris", log_every=10, eval_every=10)
  uninterrupted = run.train_runs(config, str(tmp_path / "a"), log=lambda s: None)

  real_save = Checkpointer.save

  def crash_before_saving_40(self, step, state):
    if step == 40:
      raise Crash("killed at step 40, after its events were written")
    real_save(self, step, state)

  monkeypatch.setattr(Checkpointer, "save", crash_before_saving_40)
  with pytest.raises(Crash):
    run.train_runs(config, str(tmp_path / "b"), log=lambda s: None)
  written = metric_writer.read_scalars(str(tmp_path / "b" / "tensorboard"))
  assert [s for s, _ in written["seed_0"]["minibatch_loss"]] == [1, 10, 20, 30, 40]
  monkeypatch.setattr(Checkpointer, "save", real_save)
  resumed = run.train_runs(config, str(tmp_path / "b"), log=lambda s: None)
  assert resumed["resumed_from_step"] == 20 and resumed["curves"] == uninterrupted["curves"]

  expected = metric_writer.read_scalars(str(tmp_path / "a" / "tensorboard"))
  assert expected == metric_writer.read_scalars(str(tmp_path / "b" / "tensorboard"))
  assert sorted(expected) == ["mean", "seed_0", "seed_1"]
  assert [s for s, _ in expected["mean"]["minibatch_loss"]] == [1, 10, 20, 30, 40]
  assert [s for s, _ in expected["seed_1"]["test_accuracy"]] == [10, 20, 30, 40]
  final = uninterrupted["per_seed"]["1"]["test_accuracy"]
  assert expected["seed_1"]["test_accuracy"][-1] == (40, pytest.approx(final))
  assert len(os.listdir(tmp_path / "b" / "tensorboard" / "seed_0")) == 2

  for workdir in ("a", "b"):
    with open(tmp_path / workdir / "curves.png", "rb") as f:
      assert f.read(8) == b"\x89PNG\r\n\x1a\n"
