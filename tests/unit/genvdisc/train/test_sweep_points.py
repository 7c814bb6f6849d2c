"""Sweeps report per point (results.json summary, curves, TensorBoard means): nothing averages
over different hyperparameters; each run's stored rerun command, pasted as it is, reproduces it
bitwise; lower-is-better selection metrics select the argmin."""

import json
import os
import shlex
import subprocess
import sys

import pytest

from genvdisc import hyperparams, results
from genvdisc.report import curves
from genvdisc.train import experiment, metric_writer
from tests.conftest import ROOT, run_module

LOGREG_IRIS = "experiments/configs/logreg_iris.py"


def swept_run(point: dict, seed: int) -> experiment.Run:
  """The Run of `point` and `seed` as make_train names it (hparams unused here)."""
  label = hyperparams.label(point)
  return experiment.Run(f"{label},seed={seed}", seed, point, label, {})


def test_rerun_command_holds_every_override_of_the_command():
  """The command's own overrides (num_steps, a nested size) join the run's point, seed and
  validation fraction; fields at the file's defaults, the sweep and config_file are left out."""
  config = experiment.load_config_file(LOGREG_IRIS)
  config.config_file = LOGREG_IRIS
  config.num_steps = 200
  config.model_kwargs.hidden_sizes = (32,)
  config.sweep = "learning_rate=1e-2,3e-2"
  config.name = "my run"
  command = experiment.rerun_command(config, swept_run({"learning_rate": 0.03}, 1), "runs/lr")
  assert command == (
      f"python -m experiments.main --config={LOGREG_IRIS} --config.learning_rate=0.03 "
      "--config.model_kwargs.hidden_sizes='(32,)' --config.name='my run' "
      "--config.num_steps=200 --config.seeds=1 --config.validation_fraction=0.1 "
      "--workdir=runs/lr/reruns/learning_rate=0.03,seed=1")
  # a run at the file's own learning rate (0.01) leaves it out
  assert "--config.learning_rate" not in experiment.rerun_command(
      config, swept_run({"learning_rate": 0.01}, 0), "runs/lr")


def test_rerun_of_a_config_built_in_python_is_the_flags_onto_that_config():
  config = experiment.load_config_file(LOGREG_IRIS)
  config.sweep = "learning_rate=1e-2,3e-2;batch_size=16,32"
  config.validation_fraction = 0.2
  run = swept_run({"batch_size": 16, "learning_rate": 0.03}, 4)
  assert experiment.rerun_command(config, run, "unused") == (
      "--config.batch_size=16 --config.learning_rate=0.03 --config.seeds=4 --config.sweep=''")


def test_a_config_file_gone_by_the_end_is_said_so(tmp_path):
  config = experiment.load_config_file(LOGREG_IRIS)
  config.config_file = str(tmp_path / "gone.py")
  assert experiment.rerun_command(config, experiment.Run("0", 0, {}, "", {}), "w").startswith(
      f"unknown: config file {tmp_path / 'gone.py'} no longer loads (FileNotFoundError: ")


def test_run_names_group_by_point():
  names = ["learning_rate=0.01,seed=0", "learning_rate=0.03,seed=0", "learning_rate=0.01,seed=1",
           "batch_size=32,learning_rate=0.01,seed=1"]
  assert results.by_point(names) == {
      "learning_rate=0.01": ["learning_rate=0.01,seed=0", "learning_rate=0.01,seed=1"],
      "learning_rate=0.03": ["learning_rate=0.03,seed=0"],
      "batch_size=32,learning_rate=0.01": ["batch_size=32,learning_rate=0.01,seed=1"]}
  assert results.by_point(["0", "3"]) == {"": ["0", "3"]}


def fake_sweep(metric: str, means: dict[float, tuple[float, float]]) -> tuple[str, list, dict]:
  """(config, runs, per_run) of a learning-rate sweep over 2 seeds: {rate: (seed 0, seed 1)}."""
  runs, per_run = [], {}
  for rate, values in means.items():
    for seed, value in enumerate(values):
      run = swept_run({"learning_rate": rate}, seed)
      runs.append(run)
      per_run[run.name] = {metric: value, "test_accuracy": rate, "diverged_at_step": None}
  return metric, runs, per_run


@pytest.mark.parametrize("metric", ["val_nll", "val_loss"])
def test_lower_is_better_metrics_select_the_argmin(metric):
  select, runs, per_run = fake_sweep(metric, {0.001: (5.0, 7.0), 0.01: (3.0, 4.0),
                                              0.1: (1.0, 9.0)})
  swept = results.sweep_summary(select, runs, per_run)
  assert swept["selected"] == {"metric": metric, "label": "learning_rate=0.01",
                               "point": {"learning_rate": 0.01}, "value": 3.5}
  # the summary is the selected point's, over its 2 seeds, not a pool of all 6 runs
  assert swept["summary"][metric] == results.mean_std([3.0, 4.0])
  assert swept["summary"]["test_accuracy"] == {"mean": 0.01, "std": 0.0, "n": 2}
  assert swept["summary_of"] == f"the selected point learning_rate=0.01 (by {metric})"
  higher = results.sweep_summary("val_accuracy", runs,
                                 {n: {"val_accuracy": m[metric]} for n, m in per_run.items()})
  assert higher["selected"]["label"] == "learning_rate=0.001"  # mean 6.0, the argmax


def test_without_a_selection_metric_nothing_is_summarised():
  _, runs, per_run = fake_sweep("val_nll", {0.001: (5.0, 7.0), 0.01: (3.0, 4.0)})
  swept = results.sweep_summary("val_elbo", runs, per_run)
  assert swept["selected"] is None and swept["summary"] == {}


def test_tensorboard_mean_is_per_point(tmp_path):
  names = ["learning_rate=0.01,seed=0", "learning_rate=0.01,seed=1", "learning_rate=0.1,seed=0"]
  writer = metric_writer.MetricWriter(str(tmp_path), names, 0)
  writer.write(10, {names[0]: {"loss": 1.0}, names[1]: {"loss": 3.0}, names[2]: {"loss": 10.0}})
  writer.close()
  scalars = metric_writer.read_scalars(str(tmp_path))
  assert sorted(scalars) == ["mean_learning_rate=0.01", "mean_learning_rate=0.1",
                             *(f"seed_{n}" for n in sorted(names))]
  assert scalars["mean_learning_rate=0.01"] == {"loss": [(10, 2.0)]}
  assert scalars["mean_learning_rate=0.1"] == {"loss": [(10, 10.0)]}


def test_curves_average_seeds_within_a_point_only(tmp_path):
  names = ["learning_rate=0.01,seed=0", "learning_rate=0.01,seed=1", "learning_rate=0.1,seed=0"]
  run_curves = [{"step": step, "per_seed": {n: {"loss": step * v}
                                            for n, v in zip(names, (1, 3, 10))}}
                for step in (10, 20)]
  groups = curves.points(run_curves)
  assert groups == {"learning_rate=0.01": names[:2], "learning_rate=0.1": names[2:]}
  steps, means, stds, per_seed = curves.series(run_curves, "loss", groups["learning_rate=0.01"])
  assert (steps.tolist(), means.tolist()) == ([10, 20], [20.0, 40.0])
  assert sorted(per_seed) == names[:2]
  curves.plot(run_curves, str(tmp_path / "curves.png"), "sweep")
  assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_pasted_rerun_command_reproduces_a_sweep_run_bitwise(tmp_path):
  """A 2-point x 2-seed sweep via experiments.main with its own overrides (num_steps, ...): each
  run's stored rerun command, pasted as it is, gives bitwise equal metrics; results.json's
  summary is the selected point's, never a pool of both points."""
  workdir = str(tmp_path / "sweep")
  proc = run_module("experiments.main", f"--config={LOGREG_IRIS}", f"--workdir={workdir}",
                    "--config.num_steps=40", "--config.chunk_steps=10", "--config.log_every=20",
                    "--config.checkpoint_every=40", "--config.seeds=0,1", "--config.seed_group=2",
                    "--config.sweep=learning_rate=1e-2,1e-1")
  assert proc.returncode == 0, proc.stderr
  with open(os.path.join(workdir, "results.json")) as f:
    swept = json.load(f)
  chosen = swept["selected"]["label"]
  assert swept["summary"] == next(p["summary"] for p in swept["points"] if p["label"] == chosen)
  assert swept["summary"]["test_accuracy"]["n"] == 2
  name = "learning_rate=0.1,seed=1"
  command = swept["runs"][name]["rerun"]
  assert command == (
      f"python -m experiments.main --config={LOGREG_IRIS} --config.checkpoint_every=40 "
      "--config.chunk_steps=10 --config.learning_rate=0.1 --config.log_every=20 "
      "--config.num_steps=40 --config.seed_group=2 --config.seeds=1 "
      f"--config.validation_fraction=0.1 --workdir={workdir}/reruns/{name}")
  words = shlex.split(command)
  assert words[:3] == ["python", "-m", "experiments.main"]
  rerun = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
  assert rerun.returncode == 0, rerun.stderr
  with open(os.path.join(workdir, "reruns", name, "results.json")) as f:
    alone = json.load(f)
  assert alone["per_seed"]["1"] == swept["per_seed"][name]
  # the other point's seed 1 really differs
  assert swept["per_seed"]["learning_rate=0.01,seed=1"] != swept["per_seed"][name]
