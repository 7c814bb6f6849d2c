"""A config resolved once: every field of the schema, each value checked, then frozen.

`resolve(config)` is what library code reads (`config.field`, never a default of its own): the
fields a config lacks take their one default from `genvdisc.config_schema`, where each field's
meaning is documented. Every failure is a `ConfigError` whose one-line message names the field
and a valid value. Checks that need the data (`check_fits_dataset`) run once it is loaded.
"""

from __future__ import annotations

import json

import ml_collections

from genvdisc import config_schema
from genvdisc import data as data_lib
from genvdisc.errors import ConfigError
from genvdisc.optim import OPTIMIZERS, SCHEDULES

# Fields that control how a run proceeds, not what it computes: a workdir accepts changes to them.
RUN_CONTROL_FIELDS = ("allow_fresh_start", "halt_on_divergence", "log_every", "config_file")
# Sub-configs whose fields belong to something else: a model's constructor takes model_kwargs.
FREE_FORM = ("model_kwargs",)


def resolve(config) -> ml_collections.FrozenConfigDict:
  """`config` (a ConfigDict or its JSON dict) with every schema field, a missing one at its
  default, each value of its default's type and checked (`validate`), frozen. Idempotent. A stored
  config (results.json, a workdir's config.json) resolves the same way, so a field added to the
  schema after it was written reads back as the default, the value that reproduces that run."""
  if isinstance(config, ml_collections.ConfigDict):
    config = config.to_dict()
  resolved = config_schema.defaults()
  for name, value in config.items():
    _assign(resolved, name, value, "")
  validate(resolved)
  return ml_collections.FrozenConfigDict(resolved)


def _assign(target: ml_collections.ConfigDict, name: str, value, prefix: str) -> None:
  """target[name] = value with the schema's type, or one line naming the field."""
  field = prefix + name
  if name not in target:
    raise ConfigError(f"config.{field} is not a field; --show_config lists the fields (a table's "
                      "own settings live in its module, experiments/tables/)")
  if field in FREE_FORM:
    target[name] = ml_collections.ConfigDict(value)
  elif isinstance(target[name], ml_collections.ConfigDict):
    for key, item in dict(value).items():
      _assign(target[name], key, item, field + ".")
  else:
    try:
      target[name] = value
    except TypeError:
      raise ConfigError(f"config.{field}={value!r} is invalid; use a "
                        f"{type(target[name]).__name__} like {target[name]!r}") from None


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
  _require(config.optimizer in OPTIMIZERS, "optimizer", config.optimizer,
           f"one of {', '.join(OPTIMIZERS)}")
  _require(config.lr_schedule in SCHEDULES, "lr_schedule", config.lr_schedule,
           f"one of {', '.join(SCHEDULES)}")
  _require(config.learning_rate > 0, "learning_rate", config.learning_rate, "a value > 0, e.g. 1e-3")
  _require(config.batch_size >= 1, "batch_size", config.batch_size, "an integer >= 1")
  _require(config.num_steps >= 1, "num_steps", config.num_steps, "an integer >= 1")
  _require(config.seed_group >= 1, "seed_group", config.seed_group, "an integer >= 1, e.g. 5")
  _require(config.chunk_steps == -1 or config.chunk_steps >= 1, "chunk_steps", config.chunk_steps,
           "-1 (per-backend default) or an integer >= 1")
  _require(config.keep_checkpoints >= 1, "keep_checkpoints", config.keep_checkpoints, "an integer >= 1")
  _require(config.max_length >= 1, "max_length", config.max_length, "an integer >= 1, e.g. 256")
  _require(config.input in ("device", "stream"), "input", config.input,
           "device (the training split on every device) or stream (read from disk)")
  _require(config.stream_eval_examples >= 1, "stream_eval_examples", config.stream_eval_examples,
           "an integer >= 1, e.g. 10000")
  _require(config.eval_batch_size >= 1, "eval_batch_size", config.eval_batch_size, "an integer >= 1")
  for field in ("log_every", "checkpoint_every"):
    _require(config[field] >= 1, field, config[field], "an integer >= 1")
  fraction = config.validation_fraction
  _require(fraction == -1.0 or 0 <= fraction < 1, "validation_fraction", fraction,
           "-1 (0.1 with a sweep, else 0), 0, or a fraction in (0, 1)")
  _require(config.eval_every >= 0, "eval_every", config.eval_every,
           "0 (only at the end) or an integer >= 1")
  if config.select and not config.select.startswith("val_"):
    raise ConfigError(f"config.select={config.select!r} is invalid; choose by a validation "
                      "metric, e.g. val_accuracy or val_nll (test numbers are never used for choosing)")
  return parse_seeds(config.seeds)


def check_fits_dataset(config, dataset: data_lib.Dataset) -> None:
  """config.batch_size against the training split (config.labels_per_class:
  `data.subsets.label_budget`)."""
  if config.batch_size > dataset.num_train:
    raise ConfigError(f"config.batch_size={config.batch_size} exceeds the {dataset.num_train} "
                      f"training examples of {dataset.name!r}; use --config.batch_size<={dataset.num_train}")


def to_json_dict(config) -> dict:
  """The config as plain JSON types (tuples become lists), for results and workdir checks."""
  return json.loads(json.dumps(config.to_dict()))
