"""Figures: matplotlib on the Agg backend, axes helpers, mean ± std bands of curves, PNG grids of
image batches, and the one way a figure becomes a file (`save_figure`, atomically)."""

from __future__ import annotations

import math
import textwrap

import numpy as np

from genvdisc import results
from genvdisc.report.format import Stat

# The caption band of an image grid (pixels at _DPI): an 8-point monospace character is < 7
# pixels wide.
_DPI, _FONT_POINTS, _CHAR_WIDTH, _LINE_HEIGHT, _MARGIN = 100, 8, 7, 14, 4


def pyplot():
  """matplotlib.pyplot on the Agg backend (no display needed)."""
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  return plt


def save_figure(fig, path: str, dpi: int = 120, metadata: dict | None = None) -> None:
  """Lays out (tight, when the figure has axes and no layout engine of its own), saves as PNG
  atomically (`results.write_atomic`, so a crash never leaves half a PNG), with `metadata`
  as its text chunks, and closes a figure."""
  if fig.axes and fig.get_layout_engine() is None:
    fig.tight_layout()
  results.write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png",
                                                     metadata=metadata))
  pyplot().close(fig)


def log_y(ax) -> None:
  """A log-scale y axis whose ticks read as plain numbers (1, 2, 3, 5 per decade)."""
  from matplotlib import ticker
  ax.set_yscale("log")
  axis = ax.yaxis
  axis.set_major_locator(ticker.LogLocator(subs=(1, 2, 3, 5)))
  axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
  axis.set_minor_formatter(ticker.NullFormatter())


def axis_label(stat: Stat) -> str:
  return stat.label + (" (lower is better)" if stat.lower_is_better else "")


def band(ax, steps, means, stds, per_seed: dict, color: str, label: str | None) -> None:
  """A curve on `ax` (as `report.curves.series` gives it): each seed a faint line, the mean with a
  ± std band (an error bar when there is one step), in `color`, named `label` in the legend."""
  for seed_steps, values in per_seed.values():
    ax.plot(seed_steps, values, color=color, alpha=0.25, linewidth=0.8, zorder=1)
  if len(steps) == 1:
    ax.errorbar(steps, means, yerr=stds, fmt="o", capsize=4, color=color, zorder=3, label=label)
  elif len(steps):
    ax.fill_between(steps, means - stds, means + stds, color=color, alpha=0.25, zorder=2)
    ax.plot(steps, means, color=color, linewidth=1.5, zorder=3, label=label)


def grid(images: np.ndarray, columns: int | None = None, pad: int = 1) -> np.ndarray:
  """[N, H, W, C] in [0, 1] -> one [rows (H + pad) + pad, columns (W + pad) + pad, C] image.

  Missing cells and the padding are mid-grey, so black digits on a black background stay visible.
  """
  n, height, width, channels = images.shape
  columns = columns or math.ceil(math.sqrt(n))
  rows = math.ceil(n / columns)
  out = np.full((rows * (height + pad) + pad, columns * (width + pad) + pad, channels), 0.5,
                np.float32)
  for i, image in enumerate(np.clip(images, 0.0, 1.0)):
    r, c = divmod(i, columns)
    top, left = pad + r * (height + pad), pad + c * (width + pad)
    out[top:top + height, left:left + width] = image
  return out


def grid_caption(config_name: str, run: str, step: int, what: str) -> str:
  """'ddpm_digits seed 0, step 5000: 64 samples, ...': what a grid of `run` (a seed, or a sweep
  run's name such as 'learning_rate=0.01,seed=0') shows at `step`."""
  return f"{config_name} {'seed ' * run.isdigit()}{run}, step {step}: {what}"


def save_grid(path: str, images: np.ndarray, columns: int | None = None, scale: int = 4,
              caption: str = "") -> None:
  """Writes `grid(images)` as a greyscale (C = 1) or RGB (C = 3) PNG, each pixel scale x scale,
  below `caption` (black on white, wrapped to the grid's width; '' = no caption band),
  which is also the PNG's 'Description' text. Written by `save_figure`."""
  from matplotlib.figure import Figure
  image = grid(np.asarray(images, np.float32), columns)
  image = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
  height, width = image.shape[:2]
  lines = textwrap.wrap(caption, max(1, (width - 2 * _MARGIN) // _CHAR_WIDTH))
  band_height = len(lines) * _LINE_HEIGHT + 2 * _MARGIN if lines else 0
  # Sizes in pixels at _DPI; the extra quarter pixel keeps float rounding from dropping one.
  figure = Figure(figsize=((width + 0.25) / _DPI, (height + band_height + 0.25) / _DPI), dpi=_DPI)
  figure.figimage(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray", vmin=0.0,
                  vmax=1.0, origin="upper")
  if lines:
    figure.text(_MARGIN / width, 1.0 - _MARGIN / (height + band_height), "\n".join(lines),
                ha="left", va="top", family="monospace", fontsize=_FONT_POINTS)
  save_figure(figure, path, _DPI, {"Description": caption} if caption else None)
