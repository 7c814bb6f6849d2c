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
from genvdisc.evaluate.frechet import Judge, check_judge_data
from genvdisc.train import sweep

JUDGES_DIR = "judges"


def load_judge(name: str, dataset: str, directory: str, log=print, split_seed: int = 0) -> Judge:
  """The judge `experiments/configs/<name>.py` for (`dataset`, `split_seed`), checked before it
  trains (`frechet.check_judge_data`), trained into `<directory>/<name>` (or read back)."""
  config = get_config(name)
  if config.get("task", "classification") != "classification":
    raise ConfigError(f"config.judge={name!r} is not a classification config; use e.g. 'mlp_digits'")
  check_judge_data(name, config.dataset, config.get("split_seed", 0), dataset, split_seed)
  return judge_lib.train_judge(config, os.path.join(directory, name), log=log)


def judge_for(config, directory: str, log=print) -> Judge | None:
  """The judge `config.judge` names (None when it names none), under `directory`. `config` is
  checked first (`train.sweep.check`), so its bad input fails before the judge trains."""
  name = config.get("judge", "")
  if not name:
    return None
  sweep.check(config)
  return load_judge(name, config.dataset, directory, log, config.get("split_seed", 0))
