"""Config validation: every bad field is a ConfigError naming the field and a valid value."""

import importlib
import pathlib
import subprocess
import sys

import pytest
import tensorflow_datasets as tfds

from genvdisc import config as config_lib
from genvdisc import config_schema
from genvdisc.errors import ConfigError
from genvdisc.train import experiment, run
from tests.conftest import ROOT, shrunk_config


@pytest.mark.parametrize("text, seeds", [("0,1,2,3,4", (0, 1, 2, 3, 4)), ("3", (3,)), (3, (3,)),
                                         ((0, 2), (0, 2)), (" 4, 5 ", (4, 5)),
                                         ("0-4", (0, 1, 2, 3, 4)), ("0-2,7", (0, 1, 2, 7)),
                                         ("5-5", (5,))])
def test_parse_seeds(text, seeds):
  assert config_lib.parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["", "a", "1,1", "-1", "0;1", "3-1", "0-", "0-2,2", "1-a"])
def test_parse_seeds_rejects(text):
  with pytest.raises(ConfigError, match="config.seeds=.*e.g. --config.seeds=0,1,2,3,4 or 0-4"):
    config_lib.parse_seeds(text)


@pytest.mark.parametrize("field, value, message", [
    ("objective", "hinge", r"config.objective='hinge' is invalid; use cross_entropy for model 'logreg'"),
    ("objective", "mse", r"config.objective='mse' is invalid; use one of cross_entropy, hinge"),
    ("optimizer", "lbfgs", r"config.optimizer='lbfgs' is invalid; use one of adam, sgd"),
    ("learning_rate", 0.0, r"config.learning_rate=0.0 is invalid; use a value > 0"),
    ("num_steps", 0, r"config.num_steps=0 is invalid; use an integer >= 1"),
    ("seed_group", 0, r"config.seed_group=0 is invalid"),
    ("chunk_steps", 0, r"config.chunk_steps=0 is invalid; use -1"),
    ("log_every", 0, r"config.log_every=0 is invalid; use an integer >= 1"),
    ("batch_size", 500, r"config.batch_size=500 exceeds the 112 training examples of 'iris'"),
    ("model", "cnn1d", r"model 'cnn1d' needs sequence inputs but dataset 'iris' is tabular \(4,\)"),
])
def test_invalid_fields(field, value, message):
  config = shrunk_config("logreg_iris", **{field: value})
  with pytest.raises(ConfigError, match=message):
    run.make_train(config)


def test_missing_field_takes_its_one_default():
  config = shrunk_config("logreg_iris")
  del config["seed_group"]
  del config["mesh"]["data"]
  resolved = config_lib.resolve(config)
  assert resolved.seed_group == config_schema.defaults().seed_group == 5
  assert resolved.mesh.data == 1 and resolved.name == config.name
  assert config_lib.resolve(resolved) == resolved  # idempotent


def test_unknown_or_mistyped_field_is_one_line():
  config = shrunk_config("logreg_iris")
  with config.unlocked():
    config.seed_grup = 5
  with pytest.raises(ConfigError, match=r"^config.seed_grup is not a field"):
    config_lib.resolve(config)
  stored = config_lib.to_json_dict(shrunk_config("logreg_iris"))
  with pytest.raises(ConfigError, match=r"^config.mesh.data='two' is invalid; use a int like 1$"):
    config_lib.resolve({**stored, "mesh": {"data": "two"}})


def test_resolved_config_is_frozen_and_complete():
  resolved = config_lib.resolve(shrunk_config("logreg_iris"))
  assert set(resolved.keys()) == set(config_schema.defaults().keys())
  with pytest.raises((AttributeError, ValueError)):
    resolved.seed_group = 2


def test_old_stored_config_reads_back():
  """A results.json config written before a field existed resolves with the field's default."""
  stored = config_lib.to_json_dict(shrunk_config("logreg_iris"))
  for added in ("labels_per_class", "robustness", "class_batch", "random_shift"):
    stored.pop(added, None)
  resolved = config_lib.resolve(stored)
  assert (resolved.labels_per_class, resolved.robustness, resolved.class_batch) == (0, False, 0)


def test_library_code_supplies_no_defaults():
  """Every default is in genvdisc.config_schema: no `config.get(field, default)` in genvdisc/."""
  import pathlib
  import re
  offenders = [f"{path.name}:{i}" for path in pathlib.Path(ROOT, "genvdisc").rglob("*.py")
               for i, line in enumerate(path.read_text().splitlines(), 1)
               if re.search(r"\bconfig\.get\(", line)]
  assert not offenders, offenders


def experiment_config_names(*excluded: str) -> list[str]:
  """Every module of experiments/configs but __init__ and `excluded`: each one a run config."""
  return sorted(p.stem for p in pathlib.Path(ROOT, "experiments", "configs").glob("*.py")
                if p.stem not in ("__init__", *excluded))


def test_every_experiment_config_resolves():
  """One schema: a table's own settings live in its module, so every config file resolves."""
  names = experiment_config_names("default")
  assert len(names) >= 25
  for name in names:
    config_lib.resolve(importlib.import_module(f"experiments.configs.{name}").get_config())


@pytest.mark.slow
def test_every_experiment_config_is_valid():
  with tfds.testing.mock_data(num_examples=256):  # the tfds:<name> configs
    for name in experiment_config_names():
      experiment.make_train(shrunk_config(name))  # resolves and builds; trains nothing


def test_a_boolean_field_given_a_word_is_one_line_naming_it(tmp_path):
  """`--config.robustness=maybe`: one line naming the field, not absl's Python tuple."""
  out = subprocess.run([sys.executable, "-m", "experiments.main",
                        "--config=experiments/configs/logreg_digits.py", "--config.robustness=maybe",
                        f"--workdir={tmp_path}/run"], cwd=ROOT, capture_output=True, text=True)
  assert out.returncode == 2
  assert out.stderr.strip() == "error: config.robustness='maybe' must be True or False"
  assert not (tmp_path / "run").exists()
