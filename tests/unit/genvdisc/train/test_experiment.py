"""Log, eval and checkpoint intervals of any length: chunks are cut at them, and neither a run's
numbers nor its logged losses depend on how its steps were chunked."""

import jax
import numpy as np
import pytest

from genvdisc.train import run
from tests.conftest import shrunk_config


def test_chunks_are_cut_at_every_log_eval_and_checkpoint_step():
  config = shrunk_config("logreg_iris", num_steps=100, chunk_steps=30, log_every=25,
                         eval_every=40, checkpoint_every=50)
  experiment = run.make_train(config)
  assert list(experiment.chunks(0)) == [(0, 25), (25, 15), (40, 10), (50, 25), (75, 5), (80, 20)]
  assert list(experiment.chunks(40)) == [(40, 10), (50, 25), (75, 5), (80, 20)]
  config.eval_every = 0  # no periodic evaluation: only log and checkpoint steps cut
  assert list(run.make_train(config).chunks(0)) == [(0, 25), (25, 25), (50, 25), (75, 25)]


def params_of(config, workdir):
  return [np.asarray(x) for s in run.restore_states(config, workdir)
          for x in jax.tree.leaves(s.params)]


def losses(results):
  return {point["step"]: {seed: m["minibatch_loss"] for seed, m in point["per_seed"].items()}
          for point in results["curves"] if "minibatch_loss" in point["per_seed"]["0"]}


@pytest.mark.slow
def test_numbers_and_logged_losses_do_not_depend_on_the_chunking(tmp_path):
  """The same 60 steps in 20-step chunks, and in chunks of at most 7 cut at evaluations every 15
  and checkpoints every 25 steps (lengths 7, 7, 1, 5, 5, 5, 7, 3, ...;
  1 is a jitted step, not a scan): final params and metrics
  and the losses logged every 20 steps are bitwise equal; the logged loss is the mean of the
  20 steps' losses since the previous log step."""
  base = dict(num_steps=60, log_every=20)
  whole = shrunk_config("mlp_digits", **base, chunk_steps=20, eval_every=20, checkpoint_every=60)
  cut = shrunk_config("mlp_digits", **base, chunk_steps=7, eval_every=15, checkpoint_every=25)
  assert {n for _, n in run.make_train(cut).chunks(0)} == {1, 3, 5, 7}
  r_whole = run.train_runs(whole, str(tmp_path / "whole"), log=lambda s: None)
  r_cut = run.train_runs(cut, str(tmp_path / "cut"), log=lambda s: None)
  assert r_cut["per_seed"] == r_whole["per_seed"]
  for a, b in zip(params_of(cut, str(tmp_path / "cut")), params_of(whole, str(tmp_path / "whole")),
                  strict=True):
    np.testing.assert_array_equal(a, b)
  assert losses(r_cut) == losses(r_whole) and sorted(losses(r_cut)) == [1, 20, 40, 60]
  evaluated = [p["step"] for p in r_cut["curves"] if "test_accuracy" in p["per_seed"]["0"]]
  assert evaluated == [15, 30, 45, 60]

  experiment = run.make_train(whole)  # the first 20 steps again, every step's loss
  _, metrics = experiment.trainer.train_chunk(experiment.init_states()[0],
                                              experiment.device_data(), 20)
  step_losses = np.asarray(metrics["step_losses"])
  assert step_losses.shape == (2, 20)
  assert losses(r_whole)[20] == {"0": float(np.mean(step_losses[0], dtype=np.float64)),
                                 "1": float(np.mean(step_losses[1], dtype=np.float64))}
  assert losses(r_whole)[1] == {"0": float(step_losses[0, 0]), "1": float(step_losses[1, 0])}
