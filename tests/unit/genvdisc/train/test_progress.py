"""Progress lines: compile time, steady-state steps/s and ETA, evaluations, loss warnings."""

import json
import re

import ml_collections
import numpy as np
import pytest

from genvdisc.train import progress, run
from genvdisc.train.workdir import Curves
from tests.conftest import shrunk_config


class FakeClock:
  def __init__(self):
    self.now = 100.0

  def __call__(self):
    return self.now


def ticker(num_steps=1000, num_seeds=5):
  lines, clock = [], FakeClock()
  return progress.Progress("run", num_steps, num_seeds, lines.append, clock), lines, clock


def test_rate_and_eta_leave_out_the_compiling_chunk():
  p, lines, clock = ticker()
  with p.compiling(0, 100):
    clock.now += 13.7                  # compile and the first 100 steps
  assert lines == ["[run] compiling the training step (first chunk: 100 steps per call, 5 seeds)"
                   " ...",
                   "[run] compiled in 13.7 s (the first chunk's steps included)"]
  p.report(100, {"0": 2.0, "1": 1.0}, [])
  assert "steps/s and ETA from the next chunk on (this one compiled)" in lines[-1]
  clock.now += 2.0                     # steady state: 200 steps in 2 s
  p.report(300, {"0": 1.0, "1": None}, [])
  assert lines[-1] == ("[run] step 300/1000 (30%) | 100 steps/s, 500 seed-steps/s | ETA 7s | "
                       "loss 1.0000 (mean over finite seeds, last chunk)")


def test_a_run_shorter_than_a_chunk_still_reports():
  p, lines, clock = ticker(num_steps=20)
  with p.compiling(0, 20):
    clock.now += 1.0
  p.report(20, {"0": None}, [])
  assert lines[-1].startswith("[run] step 20/20 (100%) | steps/s and ETA from the next chunk on")
  assert lines[-1].endswith("loss: every seed is NaN/Inf")


def test_slow_evaluations_are_announced_with_their_size_and_groups():
  p, lines, clock = ticker(num_steps=5000)
  with p.compiling(0, 100):
    clock.now += 5.0
  config = ml_collections.ConfigDict({"task": "vae", "iw_samples": 5000, "iw_chunk": 100,
                                      "judge": ""})
  groups = [np.array([0, 1, 2]), np.array([3, 4, 4])]
  done = p.evaluating(1000, config, groups, {"test": 450})
  clock.now += 50.0
  assert done(0, "metrics of group 0") == "metrics of group 0"
  clock.now += 55.2
  done(1, None)
  assert lines[2:] == [
      "[run] evaluating 5 seeds in 2 groups: test split 450 examples, IW-NLL k=5000 in chunks of "
      "100 ...",
      "[run] evaluated group 1/2 (seeds 0,1,2) at 50.0 s",
      "[run] evaluated group 2/2 (seeds 3,4) at 105.2 s",
      "[run] evaluated in 105.2 s"]
  # the evaluation is left out of the next rate: 100 steps in 1 s after it
  clock.now += 1.0
  p.report(1100, {"0": 1.0}, [])
  assert "| 100 steps/s," in lines[-1]
  # the previous one was slow: announced again; a fast one silences the next
  p.evaluating(1100, config, groups[:1], {"test": 450})(0, None)
  assert lines[-2].startswith("[run] evaluating 5 seeds in 1 group: test split 450 examples")
  assert lines[-1] == "[run] evaluated in 0.0 s"
  p.evaluating(1200, config, groups[:1], {"test": 450})(0, None)
  assert lines[-1] == "[run] evaluated in 0.0 s" and len(lines) == 9


def test_describe_evaluation_names_the_classifier_fid():
  config = ml_collections.ConfigDict({"task": "gan", "judge": "cnn_digits", "fid_samples": 1000})
  assert progress.describe_evaluation(config, 3, 1, {"test": 450}) == (
      "3 seeds in 1 group: test split 450 examples, classifier-FID/IS of 1000 samples")


@pytest.mark.parametrize("first, last, increased", [
    (2.3, 23.0, False), (2.3, 23.1, True), (2.3, 3.9e27, True), (2.3, 0.1, False),
    (-10.0, 80.0, False), (-10.0, 81.0, True),   # negative losses: last > first + 9 |first|
    (None, 1e30, False), (2.3, None, False), (float("nan"), 1e30, False),
    (2.3, float("inf"), False),
])
def test_loss_increase_rule(first, last, increased):
  assert progress.LOSS_INCREASE_FACTOR == 10.0
  assert progress.loss_increased(first, last) is increased


def test_curves_flag_against_the_first_finite_loss(tmp_path):
  curves = Curves(str(tmp_path), [0, 1], None)
  curves.add_losses(1, {"0": 2.3, "1": float("nan")})
  curves.add_losses(10, {"0": 30.0, "1": 2.0})
  curves.add(10, {"0": {"test_accuracy": 0.5}})
  curves.add_losses(20, {"0": 20.0, "1": 25.0})
  curves.close()
  assert curves.points[0] == {"step": 1, "per_seed": {"0": {"minibatch_loss": 2.3},
                                                      "1": {"minibatch_loss": None}}}
  assert curves.points[1]["per_seed"]["0"] == {"minibatch_loss": 30.0, "test_accuracy": 0.5}
  assert curves.loss_increased() == {"0": False, "1": True}


@pytest.mark.slow
def test_a_run_prints_compile_lines_and_a_final_line_below_log_every(tmp_path):
  config = shrunk_config("logreg_iris", num_steps=20, chunk_steps=10, log_every=100,
                         checkpoint_every=20)
  lines = []
  run.train_runs(config, str(tmp_path), log=lines.append)
  assert lines[0].startswith("[logreg_iris] compiling the training step (first chunk: 10 steps")
  assert re.match(r"\[logreg_iris\] XLA memory estimate of one 10-step chunk, per device: "
                  r"[0-9.]+ MiB \(arguments [0-9.]+, temporaries [0-9.]+\) for seed_group=2; "
                  r"device memory \d+ MiB$", lines[1]), lines[1]
  assert lines[2].startswith("[logreg_iris] compiled in ")
  final = [line for line in lines if "step 20/20 (100%)" in line]
  assert len(final) == 1 and "steps/s" in final[0] and "ETA" in final[0]
  assert lines[-2].startswith("[logreg_iris] evaluating 2 seeds in 1 group: train split")


@pytest.mark.slow
def test_an_exploding_loss_is_flagged_not_stopped(tmp_path):
  """Adam at learning rate 1e9 (the issue's run): the loss explodes within the first chunk."""
  config = shrunk_config("mlp_digits", learning_rate=1e9, log_every=10)
  lines = []
  results = run.train_runs(config, str(tmp_path), log=lines.append)
  step_lines = [line for line in lines if "| loss " in line]
  assert len(step_lines) == 4
  assert all("| loss increased: seeds 0,1 (> 10x the first logged loss)" in line
             for line in step_lines)
  assert [p["step"] for p in results["curves"]][:2] == [1, 10]
  first = results["curves"][0]["per_seed"]["0"]["minibatch_loss"]
  assert 1.0 < first < 3.0                       # step 0: about log(10) on 10 classes
  assert results["curves"][-1]["per_seed"]["0"]["minibatch_loss"] > 1e10 * first
  for metrics in results["per_seed"].values():
    assert metrics["loss_increased"] is True and metrics["diverged_at_step"] is None
  assert results["summary"]["test_accuracy"]["n"] == 2
  row = (tmp_path / "results.md").read_text().splitlines()[-1]
  assert row.startswith("| mlp_digits | mlp | digits | 2 (2 loss increased: 0,1) | test acc % |")
  assert json.loads((tmp_path / "results.json").read_text())["per_seed"] == results["per_seed"]
