"""Hyperparameter sweeps: a point inside a sweep equals its lone run bitwise, the validation split
never trains, the selected point is the validation argmax, and bad sweeps are one line."""

import json
import signal

import jax
import numpy as np
import pytest

from tests.conftest import Child, run_module, shrunk_config, wait_until
from genvdisc import data, hyperparams
from genvdisc.data import subsets
from genvdisc.errors import ConfigError
from genvdisc.train import experiment, memory, preemption, run, sweep


def params_by_run(config, workdir):
  """{run name: numpy params} of the newest checkpoint of every real run."""
  built = experiment.make_train(config)
  states = run.restore_states(config, str(workdir))
  return {r.name: [np.asarray(x[slot]) for x in jax.tree.leaves(states[g].params)]
          for g, slot, r in built.run_slots()}


@pytest.mark.slow
@pytest.mark.parametrize("name, field, values, lone", [
    ("logreg_iris", "learning_rate", "1e-2,3e-2", 3e-2),
    ("vae_digits", "beta", "0.5,1.0", 0.5),
])
def test_sweep_point_equals_its_lone_run_bitwise(tmp_path, name, field, values, lone):
  """The (point, seed 1) run of a 2-point x 2-seed sweep, and that run alone with the same group
  width (seed_group 2, the rerun flags results.json prints): same metrics and params, bitwise."""
  extra = ({"iw_samples": 10, "iw_chunk": 10, "eval_splits": "test", "num_steps": 20}
           if name == "vae_digits" else {})
  swept = shrunk_config(name, sweep=f"{field}={values}", **extra)
  results = run.train_runs(swept, str(tmp_path / "sweep"), log=lambda s: None)
  key = f"{field}={lone:g},seed=1"
  assert results["runs"][key]["rerun"] == (f"--config.{field}={lone!r} --config.seeds=1 "
                                           "--config.sweep='' --config.validation_fraction=0.1")
  alone = shrunk_config(name, seeds="1", validation_fraction=0.1, **{field: lone}, **extra)
  lone_results = run.train_runs(alone, str(tmp_path / "alone"), log=lambda s: None)
  assert results["per_seed"][key] == lone_results["per_seed"]["1"]
  classifier = name == "logreg_iris"
  assert "val_" + ("accuracy" if classifier else "nll") in lone_results["per_seed"]["1"]
  for a, b in zip(params_by_run(swept, tmp_path / "sweep")[key],
                  params_by_run(alone, tmp_path / "alone")["1"], strict=True):
    np.testing.assert_array_equal(a, b)
  # the other point really differs (the run axis carries the value)
  other = [k for k in results["per_seed"] if k.endswith("seed=1") and k != key][0]
  metric = "test_loss" if classifier else "test_elbo"
  assert results["per_seed"][other][metric] != results["per_seed"][key][metric]


@pytest.mark.slow
def test_selected_point_is_the_validation_argmax_and_rows_are_distinct(tmp_path):
  config = shrunk_config("logreg_iris", sweep="learning_rate=1e-3,1e-2,1e-1", seeds="0,1,2",
                         seed_group=3, num_steps=60, log_every=30, checkpoint_every=60)
  results = run.train_runs(config, str(tmp_path), log=lambda s: None)
  means = {}
  for name, metrics in results["per_seed"].items():
    means.setdefault(name.rsplit(",seed=", 1)[0], []).append(metrics["val_accuracy"])
  assert len(means) == 3 and all(len(v) == 3 for v in means.values())
  best = max(means, key=lambda label: np.mean(means[label]))
  assert results["selected"]["label"] == best
  assert results["selected"]["value"] == pytest.approx(np.mean(means[best]))
  rows = (tmp_path / "results.md").read_text().splitlines()[2:]
  assert len(rows) == 3 and len(set(rows)) == 3
  assert sum("✓ val_accuracy" in row for row in rows) == 1
  assert all(f"[{label}]" in "".join(rows) for label in means)


def test_validation_split_is_stratified_and_never_trains():
  """The held-out examples are a stratified 10 % of the training split, disjoint from what is
  left to train on (the engine draws minibatches from x_train only), and the test split is
  untouched; the choice is a function of split_seed."""
  full = data.load("digits")
  held = subsets.hold_out_validation(full, 0.1, seed=0)
  rows = lambda x: {r.tobytes() for r in x.reshape(x.shape[0], -1)}
  assert held.num_train + held.x_val.shape[0] == full.num_train
  train_rows, val_rows = rows(held.x_train), rows(held.x_val)
  duplicates = full.num_train - len(rows(full.x_train))  # identical images in the split itself
  assert len(train_rows & val_rows) <= duplicates
  counts = np.bincount(full.y_train, minlength=10)
  np.testing.assert_array_equal(np.bincount(held.y_val, minlength=10), np.round(0.1 * counts))
  np.testing.assert_array_equal(held.x_test, full.x_test)
  config = shrunk_config("mlp_digits", sweep="learning_rate=1e-3,2e-3")
  built = experiment.make_train(config)
  device = built.device_data()
  np.testing.assert_array_equal(np.asarray(device["x_train"]), held.x_train)
  np.testing.assert_array_equal(np.asarray(device["x_val"]), held.x_val)
  other = subsets.hold_out_validation(full, 0.1, seed=1)
  assert rows(other.x_val) != val_rows


@pytest.mark.slow
def test_structural_groups_run_in_turn_and_their_runs_equal_lone_runs(tmp_path):
  config = shrunk_config("logreg_iris", sweep="batch_size=16,32;learning_rate=1e-2,3e-2",
                         seeds="0")
  results = sweep.train_and_evaluate(config, str(tmp_path), log=lambda s: None)
  assert sorted(results["per_seed"]) == sorted(
      f"batch_size={b},learning_rate={lr},seed=0" for b in (16, 32) for lr in ("0.01", "0.03"))
  assert [g["label"] for g in results["groups"]] == ["batch_size=16", "batch_size=32"]
  assert (tmp_path / "batch_size=32" / "results.json").exists()
  assert results["runs"]["batch_size=32,learning_rate=0.03,seed=0"]["rerun"] == (
      "--config.learning_rate=0.03 --config.sweep='' --config.validation_fraction=0.1")
  alone = shrunk_config("logreg_iris", batch_size=32, learning_rate=0.03, seeds="0",
                        validation_fraction=0.1)
  lone = run.train_runs(alone, str(tmp_path / "alone"), log=lambda s: None)
  assert results["per_seed"]["batch_size=32,learning_rate=0.03,seed=0"] == lone["per_seed"]["0"]
  assert len((tmp_path / "results.md").read_text().splitlines()) == 2 + 4


@pytest.mark.parametrize("sweep_text, message", [
    ("learning_rat=1e-3", "unknown field 'learning_rat'"),
    ("learning_rate=", "learning_rate has no values"),
    ("batch_size=3.5", "structural field batch_size takes integers"),
    ("seeds=0,1", "cannot sweep seeds"),
    ("learning_rate=1e-3;learning_rate=1e-2", "appears twice"),
    ("learning_rate=nan", "not a finite number"),
])
def test_bad_sweeps_are_one_line(sweep_text, message):
  with pytest.raises(ConfigError, match=message):
    hyperparams.parse_sweep(sweep_text)


def test_bad_sweep_values_and_selection_fail_before_compiling():
  with pytest.raises(ConfigError, match="config.learning_rate=-0.1 is invalid"):
    experiment.make_train(shrunk_config("mlp_digits", sweep="learning_rate=1e-3,-0.1"))
  with pytest.raises(ConfigError, match="config.beta=0.0 is invalid"):
    experiment.make_train(shrunk_config("vae_digits", sweep="beta=1,0"))
  with pytest.raises(ConfigError, match="choose by a validation metric"):
    experiment.make_train(shrunk_config("mlp_digits", sweep="learning_rate=1e-3", select="test_accuracy"))


@pytest.mark.slow
def test_cli_bad_sweep_exits_2_with_one_line_and_writes_nothing(tmp_path):
  proc = run_module("experiments.main", "--config=experiments/configs/mlp_digits.py",
                    f"--workdir={tmp_path / 'w'}", "--config.sweep=seeds=0,1")
  assert proc.returncode == 2
  assert proc.stderr.strip().splitlines() == [
      "error: config.sweep cannot sweep seeds: every point runs every seed of config.seeds "
      "(e.g. --config.seeds=0,1,2)"]
  assert not (tmp_path / "w").exists()


@pytest.mark.slow
def test_a_group_too_big_for_the_device_names_seed_group(tmp_path, monkeypatch):
  monkeypatch.setattr(memory, "device_limit_bytes", lambda: 1000)
  config = shrunk_config("logreg_iris", seeds="0,1,2,3", seed_group=4)
  with pytest.raises(ConfigError, match=r"config.seed_group=4 needs ~\d+ MiB per device .* use "
                                        r"--config.seed_group=0"):
    run.train_runs(config, str(tmp_path), log=lambda s: None)


@pytest.mark.slow
def test_sigkill_mid_sweep_then_resume_is_bitwise(tmp_path):
  overrides = dict(sweep="learning_rate=1e-2,3e-2", num_steps=4000, chunk_steps=50,
                   log_every=500, checkpoint_every=500)
  flags = [f"--config.{k}={v}" for k, v in overrides.items()]
  workdir = tmp_path / "killed"
  child = Child("experiments.main", "--config=experiments/configs/logreg_iris.py",
                f"--workdir={workdir}", "--config.seeds=0,1", "--config.seed_group=2", *flags,
                env={preemption.PAUSE_ENV: "1000"})  # waits at step 1000, its save complete
  wait_until((workdir / f"{preemption.PAUSED_MARKER}.0").exists, "step 1000", [child])
  child.proc.send_signal(signal.SIGKILL)
  child.finish()
  code, _, err = Child("experiments.main", "--config=experiments/configs/logreg_iris.py",
                       f"--workdir={workdir}", "--config.seeds=0,1", "--config.seed_group=2",
                       *flags).finish(timeout=600)
  assert code == 0, err[-2000:]
  resumed = json.loads((workdir / "results.json").read_text())
  assert resumed["resumed_from_step"] == 1000
  reference = run.train_runs(shrunk_config("logreg_iris", **overrides),
                                     str(tmp_path / "reference"), log=lambda s: None)
  assert resumed["per_seed"] == reference["per_seed"]
  assert resumed["curves"] == reference["curves"]
