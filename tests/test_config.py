"""Config validation: every bad field is a ConfigError naming the field and a valid value."""

import subprocess
import sys

import pytest
import tensorflow_datasets as tfds

from genvdisc import config as config_lib
from genvdisc.errors import ConfigError
from genvdisc.train import run
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


def test_missing_field():
  config = shrunk_config("logreg_iris")
  del config["seed_group"]
  with pytest.raises(ConfigError, match="missing field.*seed_group"):
    config_lib.validate(config)


@pytest.mark.slow
def test_every_experiment_config_is_valid():
  import pathlib
  # ngjordan configures learning curves, m1 and augment semi-supervised tables, features the
  # learned-feature curves, not a training run: tests/test_learning_curves.py,
  # tests/test_semisupervised.py, tests/test_features_table.py.
  names = sorted(p.stem for p in pathlib.Path(ROOT, "experiments", "configs").glob("*.py")
                 if not p.stem.startswith("_")
                 and p.stem not in ("default", "generative", "ngjordan", "m1", "augment",
                                      "features"))
  assert len(names) >= 25
  with tfds.testing.mock_data(num_examples=256):  # the tfds:<name> configs
    for name in names:
      config = shrunk_config(name)
      run.make_train(config)  # building a task trains nothing, judges included


def test_a_boolean_field_given_a_word_is_one_line_naming_it(tmp_path):
  """`--config.robustness=maybe`: one line naming the field, not absl's Python tuple."""
  out = subprocess.run([sys.executable, "-m", "experiments.main",
                        "--config=experiments/configs/logreg_digits.py", "--config.robustness=maybe",
                        f"--workdir={tmp_path}/run"], cwd=ROOT, capture_output=True, text=True)
  assert out.returncode == 2
  assert out.stderr.strip() == "error: config.robustness='maybe' must be True or False"
  assert not (tmp_path / "run").exists()
