"""Run configs: `get_config()` per model x dataset, each runnable by `python -m experiments.main
--config=experiments/configs/<name>.py`; every field is the schema's (`genvdisc.config_schema`
documents its meaning and one default). A table's own settings are its module's `settings()`
(experiments/tables; m1's in semisupervised.py)."""

import importlib

from genvdisc.errors import ConfigError


def get_config(name: str):
  """experiments/configs/<name>.py's `get_config()`; an unknown name is a one-line ConfigError."""
  try:
    module = importlib.import_module(f"experiments.configs.{name}")
  except ModuleNotFoundError as e:
    if e.name != f"experiments.configs.{name}":
      raise
    raise ConfigError(f"{name!r} is not a config in experiments/configs; use e.g. 'mlp_digits'") from None
  return module.get_config()
