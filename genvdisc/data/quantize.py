"""The discrete view of a dataset: every input value becomes one of `num_bins` tokens.

One rule, a uniform quantiser: `num_bins` bins of width w = (high - low) / num_bins over
[low, high], edges low + i w (i = 0..num_bins), values clipped into [low, high] first;
token(x) = min(floor((clip(x) - low) / w), num_bins - 1), and a token decodes to its bin centre
low + (k + 1/2) w. Fixed per dataset, never fitted to the data:

| data | bins | range [low, high] | width w | centres |
|---|---|---|---|---|
| `digits` (pixels k/16) | 17 | [-1/32, 33/32] | 1/16 | k/16: the pixels themselves, exactly |
| other images (`tfds:`, pixels k/255) | 256 | [-1/510, 1 + 1/510] | 1/255 | k/255 (to float rounding) |
| sequences (`mnist1d`: mean 0, std 1) | `config.quantize_bins` | [-4, 4], clipped (0.02 % of MNIST-1D values) | 8 / bins (32 bins: 0.25) | -4 + (k + 1/2) w |

A discrete model's log P(tokens) is in nats per sequence; the piecewise-constant density it
defines in data units is log P - D log w for D values per example. `unit` maps tokens onto
[0, 1] (k / (num_bins - 1)), which for images is the pixel value itself.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError

SEQUENCE_RANGE = (-4.0, 4.0)  # of standardised sequences (MNIST-1D), in their own units


@dataclasses.dataclass(frozen=True)
class Quantizer:
  """`num_bins` bins of equal width over [low, high] (module docstring). Works on numpy and jax
  arrays alike."""
  low: float
  high: float
  num_bins: int

  @property
  def width(self) -> float:
    return (self.high - self.low) / self.num_bins

  @property
  def edges(self) -> np.ndarray:
    """low + i w, i = 0..num_bins: [num_bins + 1] float64."""
    return self.low + self.width * np.arange(self.num_bins + 1)

  def tokens(self, x):
    """min(floor((clip(x, low, high) - low) / w), num_bins - 1) as int32, shaped like x."""
    scaled = (x.clip(self.low, self.high) - self.low) / self.width
    return (scaled // 1).clip(0, self.num_bins - 1).astype(np.int32)

  def values(self, tokens):
    """Bin centres low + (k + 1/2) w in the data's units, float32, shaped like tokens."""
    return (self.low + (tokens + 0.5) * self.width).astype(np.float32)

  def unit(self, tokens):
    """k / (num_bins - 1) in [0, 1] (images: the pixel value), float32."""
    return (tokens / (self.num_bins - 1)).astype(np.float32)

  def from_unit(self, u):
    """The inverse of `unit`: round(u (num_bins - 1)), clipped to the tokens, int32."""
    return (u * (self.num_bins - 1)).round().clip(0, self.num_bins - 1).astype(np.int32)


def levels(num_levels: int) -> Quantizer:
  """Pixels k / (L - 1), k = 0..L-1: L bins of width 1 / (L - 1) centred on them."""
  half = 0.5 / (num_levels - 1)
  return Quantizer(-half, 1.0 + half, num_levels)


def for_dataset(dataset: Dataset, num_bins: int) -> Quantizer:
  """The fixed quantiser of `dataset` (module docstring); `num_bins` (config.quantize_bins)
  applies to sequences only. One-line ConfigError for bins < 2 or a dataset of another kind."""
  if not (isinstance(num_bins, int) and num_bins >= 2):
    raise ConfigError(f"config.quantize_bins={num_bins!r} is invalid; use an integer >= 2, e.g. 32")
  if dataset.kind == "image":
    return levels(17 if dataset.name == "digits" else 256)
  if dataset.kind == "sequence":
    return Quantizer(*SEQUENCE_RANGE, num_bins)
  raise ConfigError(f"dataset {dataset.name!r} is {dataset.kind}, which has no fixed "
                    "quantisation; use an image or sequence dataset, e.g. --config.dataset=digits")
