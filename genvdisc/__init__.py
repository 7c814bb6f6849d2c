"""genvdisc: generative and discriminative models on one functional JAX training engine."""

from __future__ import annotations

__version__ = "0.1.0"


def load(workdir: str, step: int | None = None, dataset=None, judge=None):
  """The trained models of `workdir` at checkpoint `step` (default: the newest), restored with
  Orbax: its config and, per run, seed, sweep point and params (`genvdisc.train.load`)."""
  # pylint: disable-next=import-outside-toplevel -- `import genvdisc` stays light (no jax)
  from genvdisc.train import load as load_lib
  return load_lib.load(workdir, step, dataset, judge)
