"""Checkpoint retention: after several saves, the newest config.keep_checkpoints steps are kept
(genvdisc/checkpoint.py, through genvdisc/train/workdir.py in a run), and the kept ones restore."""

from __future__ import annotations

import pathlib

import jax.numpy as jnp
import numpy as np
import pytest

from genvdisc.checkpoint import Checkpointer
from genvdisc.train import run
from tests.conftest import shrunk_config


def step_dirs(directory: pathlib.Path) -> list[int]:
  """The saved steps on disk (finished saves only)."""
  return sorted(int(p.name) for p in directory.iterdir() if p.name.isdigit())


@pytest.mark.parametrize("keep", [1, 2, 3])
def test_the_newest_keep_steps_are_kept_and_restore(tmp_path, keep):
  checkpointer = Checkpointer(str(tmp_path), keep=keep)
  states = {step: {"w": jnp.full((2, 3), float(step)), "step": jnp.asarray(step)}
            for step in (10, 20, 30, 40, 50)}
  for step, state in states.items():
    checkpointer.save(step, state)
  checkpointer.wait()
  kept = [10, 20, 30, 40, 50][-keep:]
  assert step_dirs(tmp_path) == kept and checkpointer.latest_step() == 50
  for step in kept:
    restored = checkpointer.restore(step, states[step])
    np.testing.assert_array_equal(restored["w"], np.full((2, 3), float(step)))
    assert int(restored["step"]) == step
  checkpointer.close()


@pytest.mark.slow
def test_a_run_keeps_the_configured_number_of_checkpoints(tmp_path):
  """60 steps saved every 10 with keep_checkpoints=3: steps 40, 50 and 60 (the final save) stay;
  the newest holds the trained state."""
  config = shrunk_config("logreg_iris", num_steps=60, checkpoint_every=10, log_every=10,
                         keep_checkpoints=3)
  run.train_runs(config, str(tmp_path), log=lambda line: None)
  assert step_dirs(tmp_path / "checkpoints") == [40, 50, 60]
  states = run.restore_states(config, str(tmp_path))
  assert np.all(np.asarray(states[0].step) == 60)
  older = run.restore_states(config, str(tmp_path), step=40)
  assert np.all(np.asarray(older[0].step) == 40)
