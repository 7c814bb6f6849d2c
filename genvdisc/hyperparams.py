"""A run's hyperparameters: the continuous ones travel as data, the structural ones build programs.

Continuous fields are plain numbers the train step reads from the run's `hparams` leaf of the
train state (`train.state.TrainState.hparams`), never from closure constants, so a sweep over them
is one vmapped run axis in one compiled program, and a point run alone (the same values in the
config, the same seed group width) is bitwise the run it is inside the sweep. Every run carries
every field of `CONTINUOUS` (the resolved config's value), so a swept and a lone run
compile the same program.

Structural fields change shapes or code (sizes, batch size, step count, the model): each value
combination is its own compiled group (`genvdisc.train.sweep`).

`config.sweep`: 'field=v1,v2;field2=w1,w2' — the grid product of the value lists.
"""

from __future__ import annotations

import itertools
import math

import ml_collections
import numpy as np

from genvdisc.errors import ConfigError

# Plain numbers the train step reads from the state (defaults and meanings:
# genvdisc.config_schema). Learning rates <= 0 named by an optimizer other than `learning_rate`
# fall back to `learning_rate` (optim.Optimizer).
CONTINUOUS = ("learning_rate", "discriminator_learning_rate", "adam_b1", "momentum", "C", "beta",
              "alpha", "classifier_weight")

# Fields that change the compiled program; integers unless listed in STRING_FIELDS. Dotted
# names reach into config.model_kwargs; tuple fields take values like 100x100.
STRUCTURAL = ("batch_size", "num_steps", "latent_dim", "model", "model_kwargs.hidden_sizes",
              "model_kwargs.hidden_size", "model_kwargs.num_layers", "model_kwargs.num_heads",
              "model_kwargs.channels", "model_kwargs.d_model", "model_kwargs.mlp_dim",
              "model_kwargs.patch_size", "model_kwargs.patch_stride", "model_kwargs.width",
              "model_kwargs.num_blocks", "model_kwargs.head_rank", "model_kwargs.embedding_dim",
              "labelled_batch_size", "train_samples", "quantize_bins", "diffusion_steps")
STRING_FIELDS = ("model",)


def values(config) -> dict[str, float]:
  """{field: value} of every continuous field of the resolved `config`."""
  return {name: float(config[name]) for name in CONTINUOUS}


def as_arrays(runs: list[dict[str, float]]) -> dict[str, np.ndarray]:
  """[{field: value}] of W runs -> {field: float32[W]}, the engine's stacked hparams."""
  return {name: np.asarray([run[name] for run in runs], np.float32) for name in CONTINUOUS}


def _parse_value(field: str, text: str):
  if field in STRING_FIELDS:
    return text
  if field in STRUCTURAL:
    parts = text.split("x")
    if not all(p.isdigit() for p in parts):
      raise ConfigError(f"config.sweep: structural field {field} takes integers (or NxM for "
                        f"sizes), not {text!r}")
    return tuple(int(p) for p in parts) if len(parts) > 1 or field.endswith("_sizes") else int(text)
  try:
    value = float(text)
  except ValueError:
    value = math.nan
  if not math.isfinite(value):
    raise ConfigError(f"config.sweep: {field}={text!r} is not a finite number")
  return value


def parse_sweep(text: str) -> list[tuple[str, list]]:
  """'learning_rate=1e-3,3e-3;beta=0.5,1' -> [('learning_rate', [1e-3, 3e-3]), ('beta', [0.5, 1.0])].

  Raises a one-line ConfigError for an unknown field, an empty value list, a repeated field, a
  structural field with a non-integer value, or a sweep over `seeds` (seeds are crossed with
  every point already: set config.seeds).
  """
  fields = []
  for part in (p.strip() for p in text.split(";")):
    if not part:
      continue
    field, sep, rest = part.partition("=")
    field = field.strip()
    if field == "seeds":
      raise ConfigError("config.sweep cannot sweep seeds: every point runs every seed of "
                        "config.seeds (e.g. --config.seeds=0,1,2)")
    if not sep or (field not in CONTINUOUS and field not in STRUCTURAL):
      raise ConfigError(f"config.sweep: unknown field {field!r}; continuous: "
                        f"{', '.join(CONTINUOUS)}; structural: {', '.join(STRUCTURAL)}")
    items = [v.strip() for v in rest.split(",") if v.strip()]
    if not items:
      raise ConfigError(f"config.sweep: {field} has no values; write {field}=v1,v2")
    if field in (f for f, _ in fields):
      raise ConfigError(f"config.sweep: {field} appears twice; list all its values once")
    fields.append((field, [_parse_value(field, v) for v in items]))
  return fields


def grid(fields: list[tuple[str, list]]) -> list[dict]:
  """The grid product of parse_sweep's fields, in row-major order: [{field: value}]."""
  names = [f for f, _ in fields]
  return [dict(zip(names, combo)) for combo in itertools.product(*(v for _, v in fields))]


def split(point: dict) -> tuple[dict, dict]:
  """(structural part, continuous part) of a sweep point."""
  return ({k: v for k, v in point.items() if k not in CONTINUOUS},
          {k: v for k, v in point.items() if k in CONTINUOUS})


def label(point: dict) -> str:
  """'learning_rate=0.003,beta=0.5': a point's name in rows, keys and directories."""
  show = lambda v: "x".join(map(str, v)) if isinstance(v, tuple) else f"{v:g}" if isinstance(
      v, float) else str(v)
  return ",".join(f"{k}={show(v)}" for k, v in point.items())


def apply(config, point: dict):
  """An unfrozen copy of `config` with the point's values set (dotted fields inside model_kwargs)."""
  frozen = isinstance(config, ml_collections.FrozenConfigDict)
  out = (config.as_configdict() if frozen else config).copy_and_resolve_references()
  with out.unlocked():
    for field, value in point.items():
      target, _, name = field.rpartition(".")
      (out[target] if target else out)[name] = value
    out.sweep = ""
  return out
