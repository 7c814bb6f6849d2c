"""PNG grids of image batches with a caption line saying what they show, viewable without a
notebook."""

from __future__ import annotations

import math
import textwrap

import numpy as np

from genvdisc import results

# The caption band (pixels at _DPI): an 8-point monospace character is < 7 pixels wide.
_DPI, _FONT_POINTS, _CHAR_WIDTH, _LINE_HEIGHT, _MARGIN = 100, 8, 7, 14, 4


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
  which is also the PNG's 'Description' text.

  Written atomically (`results.write_atomic`), so a crash never leaves half a PNG.
  """
  from matplotlib.figure import Figure
  image = grid(np.asarray(images, np.float32), columns)
  image = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
  height, width = image.shape[:2]
  lines = textwrap.wrap(caption, max(1, (width - 2 * _MARGIN) // _CHAR_WIDTH))
  band = len(lines) * _LINE_HEIGHT + 2 * _MARGIN if lines else 0
  # Sizes in pixels at _DPI; the extra quarter pixel keeps float rounding from dropping one.
  figure = Figure(figsize=((width + 0.25) / _DPI, (height + band + 0.25) / _DPI), dpi=_DPI)
  figure.figimage(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray", vmin=0.0,
                  vmax=1.0, origin="upper")
  if lines:
    figure.text(_MARGIN / width, 1.0 - _MARGIN / (height + band), "\n".join(lines), ha="left",
                va="top", family="monospace", fontsize=_FONT_POINTS)
  results.write_atomic(path, lambda tmp: figure.savefig(
      tmp, format="png", dpi=_DPI, metadata={"Description": caption} if caption else None))
