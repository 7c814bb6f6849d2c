"""Per-seed results -> results.json, mean ± std summaries and markdown rows, written atomically."""

from __future__ import annotations

import json
import math
import os
import uuid
from importlib import metadata
from typing import Callable, NamedTuple

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


def is_number(value) -> bool:
  """A metric value (int or float), not a flag such as `loss_increased`."""
  return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite_number(value) -> bool:
  return is_number(value) and math.isfinite(value)


def summarize(per_seed: dict[str, dict]) -> dict[str, dict]:
  """Mean ± std over seeds of every numeric metric, skipping diverged seeds."""
  live = [m for m in per_seed.values() if m.get("diverged_at_step") is None]
  names = sorted({k for m in live for k, v in m.items() if is_number(v)})
  return {name: mean_std([m[name] for m in live]) for name in names} if live else {}


class Headline(NamedTuple):
  """A task's headline metric: per-seed key, label, display scale and decimals."""
  key: str
  label: str
  scale: float = 1.0
  digits: int = 1


TEST_ACCURACY = Headline("test_accuracy", "test acc %", 100.0, 1)
TEST_NLL = Headline("test_nll", "test NLL (nats)", 1.0, 2)
CLASSIFIER_FID = Headline("classifier_fid", "classifier-FID", 1.0, 1)
# config.task -> its headline metric (the tables' mixed rows use the same).
HEADLINES = {"classification": TEST_ACCURACY, "m2": TEST_ACCURACY, "vae": TEST_NLL,
             "iwae": TEST_NLL, "gan": CLASSIFIER_FID, "vaegan": CLASSIFIER_FID}
COLUMNS = ("config", "model", "dataset", "seeds", "metric", "mean ± std", "wall s")


def headline(config: dict) -> Headline:
  return HEADLINES.get(config.get("task", "classification"), TEST_ACCURACY)


def table_header(extra_columns: tuple[str, ...] = ()) -> str:
  """The two markdown header lines for rows from `markdown_row` (plus any extra columns)."""
  columns = COLUMNS + tuple(extra_columns)
  return "| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|"


def flagged_seeds(per_seed: dict[str, dict]) -> str:
  """'' or ' (1 diverged: 3; 2 loss increased: 0,4)': the seeds a row's reader should know of."""
  notes = []
  for note, flagged in (("diverged", lambda m: m.get("diverged_at_step") is not None),
                        ("loss increased", lambda m: m.get("loss_increased", False))):
    seeds = [s for s, m in per_seed.items() if flagged(m)]
    if seeds:
      notes.append(f"{len(seeds)} {note}: {','.join(seeds)}")
  return f" ({'; '.join(notes)})" if notes else ""


def markdown_row(results: dict) -> str:
  """One table row (see `table_header`): the task's headline metric (`HEADLINES`) as mean ± std
  over the non-diverged seeds ('-' if they have none), and the flagged seeds."""
  cfg, per_seed = results["config"], results["per_seed"]
  metric = headline(cfg)
  stat = results["summary"].get(metric.key)
  value = (f"{metric.scale * stat['mean']:.{metric.digits}f} ± "
           f"{metric.scale * stat['std']:.{metric.digits}f}" if stat else "-")
  return (f"| {cfg['name']} | {cfg['model']} | {cfg['dataset']} | "
          f"{len(per_seed)}{flagged_seeds(per_seed)} | {metric.label} | {value} | "
          f"{results['wall_time_s']:.0f} |")


def format_summary(results: dict) -> str:
  """Every summarised metric as 'name: mean ± std (n seeds)', one per line (the row above holds
  only the headline metric)."""
  return "\n".join(f"{name}: {stat['mean']:.4g} ± {stat['std']:.2g} (n={stat['n']})"
                   for name, stat in results["summary"].items())


def write_atomic(path: str, write: Callable[[str], None]) -> None:
  """write(tmp) makes the file at `tmp`, a fresh name in the directory of `path`; it is then
  renamed over `path`, so a crash never leaves half a file (text, JSON or PNG). The file is
  created with mode 0666 less the umask (0644 under umask 022), as `open` would."""
  directory = os.path.dirname(os.path.abspath(path))
  os.makedirs(directory, exist_ok=True)
  tmp = os.path.join(directory, f".tmp-{os.path.basename(path)}-{uuid.uuid4().hex}")
  os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
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
