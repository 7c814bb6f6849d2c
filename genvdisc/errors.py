"""The errors genvdisc raises for bad input. Each message is one line that names the fix.

`experiments/main.py` turns any `GenvdiscError` into that line on stderr and exit code 2.
"""


class GenvdiscError(Exception):
  """Base class: a user-facing problem with a one-line explanation."""


class ConfigError(GenvdiscError, ValueError):
  """A config field has a bad value or does not fit the model, dataset or mesh."""


class DataError(GenvdiscError, ValueError):
  """A dataset is unknown, missing, or has the wrong shape for the model."""


class WorkdirError(GenvdiscError, OSError):
  """The workdir cannot be written or holds a different run."""


class CheckpointError(GenvdiscError, RuntimeError):
  """No checkpoint in the workdir can be restored."""


class DivergenceError(GenvdiscError, FloatingPointError):
  """A seed's loss or parameters became NaN/Inf and `config.halt_on_divergence` is set."""
