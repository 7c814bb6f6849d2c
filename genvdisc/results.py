"""Per-seed results -> results.json, mean ± std summaries and markdown rows, written atomically."""

from __future__ import annotations

import json
import math
import os
import tempfile
from importlib import metadata
from typing import Callable

PACKAGES = ("genvdisc", "jax", "jaxlib", "flax", "optax", "orbax-checkpoint", "numpy",
            "ml_collections", "tensorflow-datasets", "scikit-learn", "mnist1d")


def package_versions() -> dict[str, str]:
  versions = {}
  for name in PACKAGES:
    try:
      versions[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
      versions[name] = "not installed"
  return versions


def mean_std(values) -> dict:
  """{'mean', 'std', 'n'}; std is the sample standard deviation (ddof=1), 0 for one value."""
  values = [float(v) for v in values]
  n = len(values)
  mean = sum(values) / n
  std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
  return {"mean": mean, "std": std, "n": n}


def summarize(per_seed: dict[str, dict]) -> dict[str, dict]:
  """Mean ± std over seeds of every numeric metric, skipping diverged seeds."""
  live = [m for m in per_seed.values() if m.get("diverged_at_step") is None]
  names = sorted({k for m in live for k, v in m.items() if isinstance(v, (int, float))})
  return {name: mean_std([m[name] for m in live]) for name in names} if live else {}


def format_pct(stat: dict | None) -> str:
  if not stat:
    return "n/a"
  return f"{100 * stat['mean']:.1f} ± {100 * stat['std']:.1f}"


COLUMNS = ("config", "model", "dataset", "seeds", "test acc %", "train acc %", "wall s")


def table_header(extra_columns: tuple[str, ...] = ()) -> str:
  """The two markdown header lines for rows from `markdown_row` (plus any extra columns)."""
  columns = COLUMNS + tuple(extra_columns)
  return "| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|"


def markdown_row(results: dict) -> str:
  """One table row (see `table_header`): accuracies as mean ± std % over non-diverged seeds."""
  cfg, summary = results["config"], results["summary"]
  diverged = [s for s, m in results["per_seed"].items() if m.get("diverged_at_step") is not None]
  seeds = f"{len(results['per_seed'])}" + (f" ({len(diverged)} diverged: {','.join(diverged)})"
                                           if diverged else "")
  return (f"| {cfg['name']} | {cfg['model']} | {cfg['dataset']} | {seeds} | "
          f"{format_pct(summary.get('test_accuracy'))} | {format_pct(summary.get('train_accuracy'))} | "
          f"{results['wall_time_s']:.0f} |")


def format_summary(results: dict) -> str:
  """Every summarised metric as 'name: mean ± std (n seeds)', one per line (generative tasks have
  no accuracy column: their NLL, ELBO and classifier-FID are listed here)."""
  return "\n".join(f"{name}: {stat['mean']:.4g} ± {stat['std']:.2g} (n={stat['n']})"
                   for name, stat in results["summary"].items())


def write_atomic(path: str, write: Callable[[str], None]) -> None:
  """write(tmp) makes the file at `tmp`, a fresh name in the directory of `path`; it is then
  renamed over `path`, so a crash never leaves half a file (text, JSON or PNG)."""
  directory = os.path.dirname(os.path.abspath(path))
  os.makedirs(directory, exist_ok=True)
  fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-" + os.path.basename(path))
  os.close(fd)
  try:
    write(tmp)
    os.replace(tmp, path)
  except BaseException:
    if os.path.exists(tmp):
      os.unlink(tmp)
    raise


def write_text_atomic(path: str, text: str) -> None:
  def write(tmp):
    with open(tmp, "w") as f:
      f.write(text)
      f.flush()
      os.fsync(f.fileno())
  write_atomic(path, write)


def write_json_atomic(path: str, obj) -> None:
  write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_json(path: str):
  with open(path) as f:
    return json.load(f)
