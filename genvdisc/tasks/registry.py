"""config.task -> builder(config, dataset) -> Task. Builders check their own fields;
config.robustness adds the corrupted-input accuracies (`tasks.robustness`)."""

from __future__ import annotations

from typing import Any, Callable

from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.tasks.autoregressive import autoregressive_from_config
from genvdisc.tasks.base import Task
from genvdisc.tasks.classification import classification_from_config
from genvdisc.tasks.diffusion import ddpm_from_config
from genvdisc.tasks.gan import gan_from_config
from genvdisc.tasks.m2 import m2_from_config
from genvdisc.tasks.robustness import with_robustness
from genvdisc.tasks.vae import vae_from_config
from genvdisc.tasks.vaegan import vaegan_from_config

TASKS: dict[str, Callable[[Any, Dataset], Task]] = {
    "classification": classification_from_config,
    "vae": vae_from_config,
    "iwae": vae_from_config,
    "gan": gan_from_config,
    "vaegan": vaegan_from_config,
    "m2": m2_from_config,
    "autoregressive": autoregressive_from_config,
    "ddpm": ddpm_from_config,
}


def from_config(config, dataset: Dataset) -> Task:
  """The task config.task (default classification) for `dataset`; nothing is trained or read."""
  name = config.task
  if name not in TASKS:
    raise ConfigError(f"unknown task {name!r} (config.task); valid: {', '.join(TASKS)}")
  task = TASKS[name](config, dataset)
  return with_robustness(task, dataset, name) if config.robustness else task
