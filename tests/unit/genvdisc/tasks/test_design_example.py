"""docs/design.md's "Adding a task" example runs as written: one module + one registry line."""

import pathlib
import re
import types

import numpy as np
import pytest

from genvdisc.tasks import registry
from genvdisc.train import sweep
from tests.conftest import ROOT, shrunk_config


def example_module() -> types.ModuleType:
  text = pathlib.Path(ROOT, "docs", "design.md").read_text()
  section = text.split("## Adding a task", 1)[1]
  code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
  assert len(code.splitlines()) <= 45   # the promise: a short module
  module = types.ModuleType("brier")
  exec(compile(code, "docs/design.md", "exec"), module.__dict__)  # pylint: disable=exec-used
  return module


def test_the_brier_score_is_the_formula():
  brier = example_module().brier
  # softmax([0, 0]) = (1/2, 1/2) against class 0: (1/2 - 1)^2 + (1/2)^2 = 1/2.
  np.testing.assert_allclose(brier(np.zeros((1, 2)), np.asarray([0])), [0.5])
  # A confident right answer scores ~0, a confident wrong one ~2.
  scores = np.asarray([[20.0, 0.0], [20.0, 0.0]])
  np.testing.assert_allclose(brier(scores, np.asarray([0, 1])), [0.0, 2.0], atol=1e-6)


@pytest.mark.slow
def test_the_example_task_trains_with_one_registry_line(tmp_path, monkeypatch):
  monkeypatch.setitem(registry.TASKS, "brier", example_module().brier_from_config)
  config = shrunk_config("mlp_digits", task="brier", num_steps=300, seeds="0,1",
                         seed_group=2, log_every=100, checkpoint_every=300)
  results = sweep.train_and_evaluate(config, str(tmp_path), log=lambda line: None)
  assert results["headline"] == "test_accuracy"
  for metrics in results["per_seed"].values():
    assert metrics["test_accuracy"] > 0.85
    assert 0.0 < metrics["test_brier"] < 0.3
