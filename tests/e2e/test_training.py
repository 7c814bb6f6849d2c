"""The engine end to end on shrunk real configs: seeds, resume, divergence, results."""

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from genvdisc import sharding
from genvdisc.checkpoint import Checkpointer
from genvdisc.errors import DivergenceError
from genvdisc import rng
from genvdisc.tasks.base import Task
from genvdisc.train import engine, run
from tests.conftest import shrunk_config


def params_of(config, workdir):
  """Final params of every real seed, keyed by seed, as numpy arrays."""
  experiment = run.make_train(config)
  states = run.restore_states(config, workdir)
  return {r.seed: jax.tree.map(lambda a: np.asarray(a[slot]), states[g].params)
          for g, slot, r in experiment.run_slots()}


def assert_trees_equal(a, b):
  for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
    np.testing.assert_array_equal(x, y)


@pytest.mark.slow
def test_trains_and_writes_results(tmp_path):
  config = shrunk_config("logreg_iris", num_steps=200, chunk_steps=50, log_every=100,
                         checkpoint_every=100, seeds="0,1,2", seed_group=2)
  lines = []
  results = run.train_runs(config, str(tmp_path), log=lines.append)
  assert sorted(results["per_seed"]) == ["0", "1", "2"]
  assert results["summary"]["test_accuracy"]["mean"] > 0.8
  assert results["summary"]["test_accuracy"]["n"] == 3
  assert results["seed_group"] == 2 and results["chunk_steps"] == 50
  assert "jax" in results["versions"] and results["wall_time_s"] > 0
  assert json.loads((tmp_path / "results.json").read_text())["per_seed"] == results["per_seed"]
  assert "| logreg_iris | logreg | iris | 3 |" in (tmp_path / "results.md").read_text()
  assert any("step 200/200 (100%)" in line and "steps/s" in line and "ETA" in line for line in lines)
  assert sorted(os.listdir(tmp_path / "checkpoints")) == ["100", "200"]
  # A finished workdir is read back, not retrained.
  again = run.train_runs(config, str(tmp_path), log=lines.append)
  assert again == json.loads((tmp_path / "results.json").read_text())
  assert "not retraining" in lines[-1]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mlp_digits", "cnn_mnist1d"])
def test_vmapped_seed_equals_seed_trained_alone(tmp_path, name):
  """Seed 1 in a group with seeds 0 and 2 == seed 1 alone (padded to the same width), bitwise."""
  chunk = 1 if name == "cnn_mnist1d" else 10
  together = shrunk_config(name, seeds="0,1,2", seed_group=3, chunk_steps=chunk)
  alone = shrunk_config(name, seeds="1", seed_group=3, chunk_steps=chunk)
  r_together = run.train_runs(together, str(tmp_path / "together"), log=lambda s: None)
  r_alone = run.train_runs(alone, str(tmp_path / "alone"), log=lambda s: None)
  assert r_alone["per_seed"]["1"] == r_together["per_seed"]["1"]
  assert r_together["per_seed"]["0"] != r_together["per_seed"]["1"]
  assert_trees_equal(params_of(alone, str(tmp_path / "alone"))[1],
                     params_of(together, str(tmp_path / "together"))[1])


class Crash(Exception):
  pass


@pytest.mark.slow
def test_resumed_run_equals_uninterrupted(tmp_path, monkeypatch):
  config = shrunk_config("svm_digits", num_steps=60, seeds="0,1,2", seed_group=2, eval_every=10)
  uninterrupted = run.train_runs(config, str(tmp_path / "a"), log=lambda s: None)

  real_save = Checkpointer.save

  def save_then_crash(self, step, state):
    real_save(self, step, state)
    self.wait()
    raise Crash(f"killed after saving step {step}")

  monkeypatch.setattr(Checkpointer, "save", save_then_crash)
  with pytest.raises(Crash, match="step 20"):
    run.train_runs(config, str(tmp_path / "b"), log=lambda s: None)
  assert not (tmp_path / "b" / "results.json").exists()
  monkeypatch.setattr(Checkpointer, "save", real_save)
  lines = []
  resumed = run.train_runs(config, str(tmp_path / "b"), log=lines.append)
  assert "resumed from step 20" in lines[0]
  assert resumed["resumed_from_step"] == 20
  assert resumed["per_seed"] == uninterrupted["per_seed"]
  assert resumed["curves"] == uninterrupted["curves"]
  assert [point["step"] for point in resumed["curves"]] == [1, 10, 20, 30, 40, 50, 60]
  assert_trees_equal(params_of(config, str(tmp_path / "a")), params_of(config, str(tmp_path / "b")))


def test_diverging_seed_is_frozen_and_others_carry_on():
  """w doubles each step; the loss log(limit - w) turns NaN once w > limit, at a seed-dependent step."""
  limit = 100.0

  def init(key, x_example):
    del x_example
    return {"w": jax.random.uniform(key, (), minval=1.0, maxval=2.0)}, ()

  def update(params, opt_state, batch, key, hparams):
    w = params["w"] * 2.0
    return {"w": w}, opt_state, {"loss": jnp.log(limit - w)}

  task = Task(init=init, update=update, eval_metrics=lambda p, b, k: {"w": b["y"] * 0.0 + p["w"]},
              headline="test_w")
  trainer = engine.make_trainer(task, (1,), batch_size=1, mesh=sharding.make_mesh())
  data = {"x_train": jnp.zeros((4, 1)), "y_train": jnp.zeros((4,), jnp.int32),
          "x_test": jnp.zeros((4, 1)), "y_test": jnp.zeros((4,), jnp.int32)}
  state = trainer.init(jnp.arange(3, dtype=jnp.int32), {"learning_rate": jnp.ones(3)})
  w0 = np.asarray(state.params["w"])
  state, _ = trainer.train_chunk(state, data, 10)
  # Step t (0-based) makes w = w0 * 2^(t+1); it diverges at the first t with that > limit.
  expected_step = np.ceil(np.log2(limit / w0)).astype(int) - 1
  np.testing.assert_array_equal(state.diverged_at, expected_step)
  np.testing.assert_allclose(state.params["w"], w0 * 2.0 ** expected_step, rtol=1e-6)
  assert np.all(np.asarray(state.step) == 10)


@pytest.mark.slow
def test_divergence_is_recorded_or_fatal(tmp_path):
  config = shrunk_config("mlp_digits", optimizer="sgd", learning_rate=1e30)
  results = run.train_runs(config, str(tmp_path / "freeze"), log=lambda s: None)
  assert all(m["diverged_at_step"] is not None for m in results["per_seed"].values())
  assert results["summary"] == {}
  config.halt_on_divergence = True
  with pytest.raises(DivergenceError, match=r"seed 0 diverged \(NaN/Inf\) at step \d+"):
    run.train_runs(config, str(tmp_path / "halt"), log=lambda s: None)
  assert not (tmp_path / "halt" / "results.json").exists()


def test_seed_groups_pad_by_repeating():
  groups = rng.seed_groups((4, 7, 9), 2)
  assert [g.tolist() for g in groups] == [[4, 7], [9, 9]]
