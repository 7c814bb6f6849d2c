"""Config checks that run before anything is compiled or written.

Every failure is a `ConfigError` whose one-line message names the field and a valid value.
The fields themselves are documented in `experiments/configs/default.py`.
"""

from __future__ import annotations

import json

import numpy as np

from genvdisc import data as data_lib
from genvdisc.errors import ConfigError
from genvdisc.optim import OPTIMIZERS, SCHEDULES

REQUIRED = ("name", "task", "model", "model_kwargs", "dataset", "optimizer", "learning_rate",
            "batch_size", "num_steps", "seeds", "seed_group", "chunk_steps", "log_every",
            "checkpoint_every", "keep_checkpoints", "eval_batch_size", "mesh")


# Fields that control how a run proceeds, not what it computes: a workdir accepts changes to them.
RUN_CONTROL_FIELDS = ("allow_fresh_start", "halt_on_divergence", "log_every", "config_file")
# Fields added to the defaults after runs were stored, with the value that reproduces those runs:
# a stored config without one matches a config holding that value.
ADDED_FIELDS = {"labels_per_class": 0, "robustness": False, "classify_samples": 100,
                "classify_timesteps": 50, "dequantize": "none", "class_batch": 0}


def parse_seeds(seeds) -> tuple[int, ...]:
  """'0,1,2,3,4' or '0-4' -> (0, 1, 2, 3, 4); '3' or 3 -> (3,); '0-2,7' -> (0, 1, 2, 7).
  Seeds are distinct non-negative ints; a range 'a-b' includes both ends (a <= b)."""
  text = ",".join(str(s) for s in seeds) if isinstance(seeds, (tuple, list)) else str(seeds)
  try:
    parsed = tuple(seed for part in text.replace(" ", "").split(",") if part
                   for seed in _seed_range(part))
  except ValueError:
    parsed = ()
  if not parsed or min(parsed) < 0 or len(set(parsed)) != len(parsed):
    raise ConfigError(f"config.seeds={seeds!r} must be distinct non-negative integers, "
                      "e.g. --config.seeds=0,1,2,3,4 or 0-4")
  return parsed


def _seed_range(part: str) -> range:
  """'3' -> range(3, 4); '0-9' -> range(0, 10); ValueError for anything else."""
  first, dash, last = part.partition("-")
  start, stop = int(first), int(last if dash else first)
  if stop < start:
    raise ValueError(part)
  return range(start, stop + 1)


def _require(condition: bool, field: str, value, valid: str) -> None:
  if not condition:
    raise ConfigError(f"config.{field}={value!r} is invalid; use {valid}")


def validate(config) -> tuple[int, ...]:
  """Checks the fields every task shares and that need no data. Returns the parsed seeds.

  Task-specific fields (model, objective, ...) are checked by the task's builder
  (`genvdisc.tasks.registry.TASKS`), which sees the dataset too.
  """
  missing = [f for f in REQUIRED if f not in config]
  if missing:
    raise ConfigError(f"config is missing field(s) {', '.join(missing)}; start from "
                      "experiments/configs/default.py")
  _require(config.optimizer in OPTIMIZERS, "optimizer", config.optimizer,
           f"one of {', '.join(OPTIMIZERS)}")
  _require(config.get("lr_schedule", "constant") in SCHEDULES, "lr_schedule",
           config.get("lr_schedule"), f"one of {', '.join(SCHEDULES)}")
  _require(config.learning_rate > 0, "learning_rate", config.learning_rate, "a value > 0, e.g. 1e-3")
  _require(config.batch_size >= 1, "batch_size", config.batch_size, "an integer >= 1")
  _require(config.num_steps >= 1, "num_steps", config.num_steps, "an integer >= 1")
  _require(config.seed_group >= 1, "seed_group", config.seed_group, "an integer >= 1, e.g. 5")
  _require(config.chunk_steps == -1 or config.chunk_steps >= 1, "chunk_steps", config.chunk_steps,
           "-1 (per-backend default) or an integer >= 1")
  _require(config.keep_checkpoints >= 1, "keep_checkpoints", config.keep_checkpoints, "an integer >= 1")
  _require(config.get("max_length", 1) >= 1, "max_length", config.get("max_length"),
           "an integer >= 1, e.g. 256")
  _require(config.get("input", "device") in ("device", "stream"), "input", config.get("input"),
           "device (the training split on every device) or stream (read from disk)")
  _require(config.get("stream_eval_examples", 1) >= 1, "stream_eval_examples",
           config.get("stream_eval_examples"), "an integer >= 1, e.g. 10000")
  _require(config.eval_batch_size >= 1, "eval_batch_size", config.eval_batch_size, "an integer >= 1")
  for field in ("log_every", "checkpoint_every"):
    _require(config[field] >= 1, field, config[field], "an integer >= 1")
  fraction = config.get("validation_fraction", -1.0)
  _require(fraction == -1.0 or 0 <= fraction < 1, "validation_fraction", fraction,
           "-1 (0.1 with a sweep, else 0), 0, or a fraction in (0, 1)")
  _require(config.get("eval_every", 0) >= 0, "eval_every", config.get("eval_every"),
           "0 (only at the end) or an integer >= 1")
  return parse_seeds(config.seeds)


def check_fits_dataset(config, dataset: data_lib.Dataset) -> None:
  """Sizes against the training split, and config.labels_per_class against its classes."""
  if config.batch_size > dataset.num_train:
    raise ConfigError(f"config.batch_size={config.batch_size} exceeds the {dataset.num_train} "
                      f"training examples of {dataset.name!r}; use --config.batch_size<={dataset.num_train}")
  per_class = config.get("labels_per_class", 0)
  if per_class:
    if dataset.y_train is None or not isinstance(dataset.x_train, np.ndarray):
      raise ConfigError(f"config.labels_per_class={per_class} needs a labelled training split on "
                        "the device (--config.input=device); use 0")
    fewest = int(np.bincount(dataset.y_train, minlength=dataset.num_classes).min())
    if not isinstance(per_class, int) or not 1 <= per_class <= fewest:
      raise ConfigError(f"config.labels_per_class={per_class!r} is invalid; use an integer from 1 "
                        f"to {fewest} (the smallest class of {dataset.name!r}), or 0 for all")


def to_json_dict(config) -> dict:
  """The config as plain JSON types (tuples become lists), for results and workdir checks."""
  return json.loads(json.dumps(config.to_dict()))
