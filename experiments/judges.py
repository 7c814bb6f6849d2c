"""Judge classifiers for the runs and tables that score samples (classifier-FID/IS).

A judge is trained once, seed 0, into an explicit directory and read back afterwards:
`experiments.main` uses `<workdir>/judges/<name>` and `experiments.reproduce` uses
`<out>/judges/<name>`. Nothing goes to a path relative to where the command was started.
"""

from __future__ import annotations

import os

from experiments.configs import get_config
from genvdisc.errors import ConfigError
from genvdisc.evaluate import judge as judge_lib
from genvdisc.evaluate.frechet import Judge

JUDGES_DIR = "judges"


def load_judge(name: str, dataset: str, directory: str, log=print) -> Judge:
  """The judge `experiments/configs/<name>.py` for `dataset`, trained into `<directory>/<name>`
  (or read back from there)."""
  config = get_config(name)
  if config.get("task", "classification") != "classification":
    raise ConfigError(f"config.judge={name!r} is not a classification config; use e.g. 'mlp_digits'")
  if config.dataset != dataset:
    raise ConfigError(f"config.judge={name!r} is trained on {config.dataset!r}, not on "
                      f"{dataset!r}; pick a judge config for the same dataset")
  return judge_lib.train_judge(config, os.path.join(directory, name), log=log)


def judge_for(config, directory: str, log=print) -> Judge | None:
  """The judge `config.judge` names (None when it names none), under `directory`."""
  name = config.get("judge", "")
  return load_judge(name, config.dataset, directory, log) if name else None
