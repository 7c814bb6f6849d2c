"""PNG grids of image batches, viewable without a notebook."""

from __future__ import annotations

import math

import numpy as np

from genvdisc import results


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


def save_grid(path: str, images: np.ndarray, columns: int | None = None, scale: int = 4) -> None:
  """Writes `grid(images)` as a greyscale (C = 1) or RGB (C = 3) PNG, each pixel scale x scale.

  Written atomically (`results.write_atomic`), so a crash never leaves half a PNG.
  """
  import matplotlib
  matplotlib.use("Agg")
  from matplotlib import pyplot as plt
  image = grid(np.asarray(images, np.float32), columns)
  image = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
  if image.shape[-1] == 1:
    write = lambda tmp: plt.imsave(tmp, image[..., 0], cmap="gray", vmin=0.0, vmax=1.0, format="png")
  else:
    write = lambda tmp: plt.imsave(tmp, image, format="png")
  results.write_atomic(path, write)
