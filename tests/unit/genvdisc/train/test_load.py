"""`genvdisc.load(workdir)`: every run's params, seed and point, unpadded; and a finished run
asked for more steps continues from its last checkpoint, bitwise as the longer run."""

import json

import jax
import numpy as np
import pytest

import genvdisc
from genvdisc import config as config_lib
from genvdisc import data
from genvdisc.errors import ConfigError, WorkdirError
from genvdisc.tasks.registry import from_config
from genvdisc.train import load as load_lib
from genvdisc.train import run, sweep
from genvdisc.train import workdir as workdir_lib
from tests.conftest import shrunk_config


def quiet(line):
  del line


def leaves(tree):
  return [np.asarray(x) for x in jax.tree.leaves(tree)]


@pytest.mark.slow
def test_load_gives_every_seed_unpadded_and_evaluates_as_results_json(tmp_path):
  """3 seeds in groups of 2 (seed 2 padded with a copy of itself): one run per seed, without the
  run axis, equal to its group's slot; `evaluate` gives results.json's metrics bitwise and
  `predict` its test accuracy."""
  config = shrunk_config("logreg_digits", seeds="0,1,2", seed_group=2)
  results = run.train_runs(config, str(tmp_path), log=quiet)
  trained = genvdisc.load(str(tmp_path))
  assert config_lib.to_json_dict(trained.config) == results["config"]
  assert list(trained.runs) == ["0", "1", "2"]
  states = run.restore_states(config, str(tmp_path))
  for name, (group, slot) in {"0": (0, 0), "1": (0, 1), "2": (1, 0)}.items():
    model = trained.runs[name]
    assert (model.seed, model.point, model.step) == (int(name), {}, 40)
    group_params = leaves(states[group].params)
    for leaf, stacked in zip(leaves(model.params), group_params, strict=True):
      np.testing.assert_array_equal(leaf, stacked[slot])
  assert trained.seed(2) is trained.runs["2"]
  with pytest.raises(WorkdirError, match=r"^seed 5 has 0 runs here; its seeds: 0,1,2$"):
    trained.seed(5)
  evaluated = trained.evaluate()
  assert evaluated == {name: {k: v for k, v in metrics.items() if k != "loss_increased"}
                       for name, metrics in results["per_seed"].items()}
  model = trained.seed(1)
  x, y = model.dataset.x_test, model.dataset.y_test
  accuracy = float(np.mean(np.argmax(model.predict(x), -1) == y))
  assert accuracy == pytest.approx(results["per_seed"]["1"]["test_accuracy"], abs=1e-6)
  assert 0.5 < accuracy < 1


def test_load_refuses_a_workdir_without_a_run_or_a_checkpoint(tmp_path):
  with pytest.raises(WorkdirError, match=r"holds no run \(config.json\); pass the workdir"):
    genvdisc.load(str(tmp_path))
  config = shrunk_config("logreg_digits")
  workdir_lib.claim(str(tmp_path), config)
  with pytest.raises(WorkdirError, match=r"no checkpoint in .*checkpoints; train there first"):
    genvdisc.load(str(tmp_path))


@pytest.mark.slow
def test_load_names_sweep_runs_as_results_json_with_their_points(tmp_path):
  """A structural x continuous sweep (WORKDIR/batch_size=<b>/ groups): the runs of
  WORKDIR/results.json, each with its full point; a seed has several runs, so `seed` refuses."""
  config = shrunk_config("logreg_digits", seeds="0", seed_group=1,
                         sweep="batch_size=16,32;learning_rate=0.01,0.1")
  results = sweep.train_and_evaluate(config, str(tmp_path), log=quiet)
  trained = genvdisc.load(str(tmp_path))
  assert sorted(trained.runs) == sorted(results["runs"])
  for name, info in results["runs"].items():
    assert trained.runs[name].point == info["point"] and trained.runs[name].seed == info["seed"]
  assert trained.runs["batch_size=32,learning_rate=0.1,seed=0"].point == {"batch_size": 32,
                                                                           "learning_rate": 0.1}
  assert trained.evaluate() == {name: {k: v for k, v in m.items() if k != "loss_increased"}
                                for name, m in results["per_seed"].items()}
  with pytest.raises(WorkdirError, match=r"seed 0 has 4 runs here \(a sweep\); pick one"):
    trained.seed(0)


def test_predict_of_a_task_without_class_scores_is_one_line():
  config = shrunk_config("vae_digits")
  dataset = data.load("digits")
  model = load_lib.TrainedRun("0", 0, {}, 0, {}, config, from_config(config, dataset), dataset)
  with pytest.raises(ConfigError, match=r"config.task='vae' gives no class scores; use its "
                                        r"task.sample, task.log_prob or task.encode"):
    model.predict(dataset.x_test)


def stored_run(workdir, **overrides):
  """A workdir as a finished run leaves it (config.json, results.json, results.md)."""
  config = shrunk_config("logreg_digits", **overrides)
  workdir_lib.claim(str(workdir), config)
  (workdir / "results.json").write_text("{}")
  (workdir / "results.md").write_text("| row |\n")
  return config


def test_claim_continues_a_run_asked_for_more_steps_with_a_constant_learning_rate(tmp_path):
  config = stored_run(tmp_path, num_steps=40)
  assert workdir_lib.claim(str(tmp_path), config) == {}  # the same config: finished results
  config.num_steps = 60
  lines = []
  assert workdir_lib.claim(str(tmp_path), config, log=lines.append) is None
  assert lines == [f"[logreg_digits] continuing the 40-step run in {tmp_path} to 60 steps"]
  assert json.loads((tmp_path / "config.json").read_text())["num_steps"] == 60
  assert not (tmp_path / "results.json").exists() and not (tmp_path / "results.md").exists()


@pytest.mark.parametrize("stored, asked, message", [
    (dict(num_steps=60), dict(num_steps=40), r"holds a 60-step run, longer than "
                                             r"config.num_steps=40; use a new --workdir, or "
                                             r"--overwrite to discard it"),
    (dict(num_steps=40, lr_schedule="cosine"), dict(num_steps=60, lr_schedule="cosine"),
     r"holds a 40-step run whose learning rate decays over num_steps \(config.lr_schedule="
     r"'cosine'\), so continuing it would not equal a 60-step run; use a new --workdir"),
    (dict(num_steps=40), dict(num_steps=60, learning_rate=0.5),
     r"holds a run with a different config \(fields: learning_rate, num_steps\)"),
])
def test_claim_refuses_what_cannot_continue_bitwise(tmp_path, stored, asked, message):
  stored_run(tmp_path, **stored)
  with pytest.raises(WorkdirError, match=message):
    workdir_lib.claim(str(tmp_path), shrunk_config("logreg_digits", **asked))
  assert (tmp_path / "results.json").exists()  # nothing removed
  assert json.loads((tmp_path / "config.json").read_text())["num_steps"] == stored["num_steps"]


@pytest.mark.slow
def test_continued_run_equals_the_longer_run_bitwise(tmp_path):
  """40 steps, then the same command asked for 60: the continued run resumes from step 40 and
  ends with the params, per-seed metrics and curves of a run asked for 60 from the start."""
  short = shrunk_config("mlp_digits", num_steps=40, eval_every=20)
  longer = shrunk_config("mlp_digits", num_steps=60, eval_every=20)
  run.train_runs(short, str(tmp_path / "continued"), log=quiet)
  lines = []
  continued = run.train_runs(longer, str(tmp_path / "continued"), log=lines.append)
  straight = run.train_runs(longer, str(tmp_path / "straight"), log=quiet)
  assert "continuing the 40-step run" in lines[0] and "resumed from step 40" in lines[1]
  assert continued["resumed_from_step"] == 40
  assert continued["per_seed"] == straight["per_seed"]
  assert continued["curves"] == straight["curves"]
  assert [p["step"] for p in continued["curves"]] == [1, 20, 40, 60]
  params = {name: leaves([s.params for s in run.restore_states(longer, str(tmp_path / name))])
            for name in ("continued", "straight")}
  for a, b in zip(params["continued"], params["straight"], strict=True):
    np.testing.assert_array_equal(a, b)
