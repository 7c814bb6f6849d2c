"""The memory estimate stored in results.json ("memory", genvdisc/train/memory.py): XLA's analysis
of the compiled chunk, its parts consistent with the buffers the chunk holds."""

from __future__ import annotations

import json
import os

import jax
import pytest

from genvdisc.train import memory, run
from tests.conftest import shrunk_config

KEYS = {"argument_bytes", "output_bytes", "temp_bytes", "alias_bytes", "peak_bytes",
        "device_limit_bytes", "chunk_steps", "seed_group"}


def nbytes(tree) -> int:
  return sum(x.nbytes for x in jax.tree.leaves(tree))


def estimate_of(config) -> tuple[dict, object, dict]:
  """(memory.check_chunk's estimate, the first group's state, the device data) for `config`."""
  experiment = run.make_train(config)
  state, data = experiment.init_states()[0], experiment.device_data()
  return memory.check_chunk(experiment, state, data, 0, lambda line: None), state, data


def test_the_estimate_counts_the_donated_state_and_the_training_split():
  """The train state is donated, so its bytes are the aliased ones; the arguments hold it and
  the training split."""
  two, state, data = estimate_of(shrunk_config("logreg_iris"))
  assert set(two) == KEYS and all(two[k] > 0 for k in KEYS)
  assert two["peak_bytes"] == (two["argument_bytes"] + two["output_bytes"] + two["temp_bytes"]
                               - two["alias_bytes"])
  assert two["alias_bytes"] == nbytes(state)
  assert two["argument_bytes"] >= nbytes(state) + nbytes([data["x_train"], data["y_train"]])
  assert two["output_bytes"] > nbytes(state)             # the new state and the chunk's losses
  assert (two["chunk_steps"], two["seed_group"]) == (10, 2)
  assert two["device_limit_bytes"] == (os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
                                       // jax.local_device_count())


@pytest.mark.slow
def test_two_more_runs_per_group_add_their_state_to_the_arguments():
  two, state, _ = estimate_of(shrunk_config("logreg_iris", seeds="0,1,2,3", seed_group=2))
  four, wider, _ = estimate_of(shrunk_config("logreg_iris", seeds="0,1,2,3", seed_group=4))
  assert four["argument_bytes"] - two["argument_bytes"] == nbytes(wider) - nbytes(state) > 0
  assert four["alias_bytes"] == 2 * two["alias_bytes"] and four["temp_bytes"] > two["temp_bytes"]


@pytest.mark.slow
def test_results_json_stores_xlas_analysis_of_the_compiled_chunk(tmp_path):
  config = shrunk_config("logreg_iris")
  run.train_runs(config, str(tmp_path), log=lambda line: None)
  stored = json.loads((tmp_path / "results.json").read_text())["memory"]
  experiment = run.make_train(config)
  compiled = experiment.trainer.train_chunk.lower(experiment.init_states()[0],
                                                  experiment.device_data(), 10).compile()
  analysis = compiled.memory_analysis()
  assert set(stored) == KEYS
  assert (stored["argument_bytes"], stored["output_bytes"], stored["temp_bytes"],
          stored["alias_bytes"]) == (analysis.argument_size_in_bytes,
                                     analysis.output_size_in_bytes, analysis.temp_size_in_bytes,
                                     analysis.alias_size_in_bytes)
  assert stored["peak_bytes"] == (stored["argument_bytes"] + stored["output_bytes"]
                                  + stored["temp_bytes"] - stored["alias_bytes"]) > 0
  assert stored["device_limit_bytes"] == memory.device_limit_bytes()
  assert (stored["chunk_steps"], stored["seed_group"]) == (10, 2)
