"""Per-seed results -> results.json and mean ± std summaries, written atomically (their text:
genvdisc.report)."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import uuid
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


def machine() -> str:
  """This machine's accelerators (jax.devices()) or CPU model (/proc/cpuinfo), e.g.
  'CPU: AMD EPYC, 2 cores' or '1 x NVIDIA H200 (gpu)'. Bitwise equality holds per machine kind."""
  import jax  # here, not at the top: writing a table json must not need a backend until now
  devices = jax.devices()
  if devices[0].platform != "cpu":
    return f"{len(devices)} x {devices[0].device_kind} ({devices[0].platform})"
  try:
    with open("/proc/cpuinfo") as f:
      models = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
  except OSError:
    models = []
  return f"CPU: {models[0] if models else platform.processor() or platform.machine()}, " \
         f"{os.cpu_count()} cores"


def source_commit() -> dict:
  """{'commit': the git HEAD of genvdisc's source tree (None outside a checkout), 'dirty':
  whether tracked files differ from it (None when unknown)}."""
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  def git(*args):
    return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True,
                          timeout=30, check=True).stdout.strip()
  try:
    commit = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
  except (OSError, subprocess.SubprocessError):
    return {"commit": None, "dirty": None}
  return {"commit": commit, "dirty": dirty}


def provenance() -> dict:
  """What made a result: {'commit', 'dirty', 'machine', 'python', 'versions'}. Two results can
  be bitwise equal only when commit (clean), machine kind and versions agree."""
  return {**source_commit(), "machine": machine(), "python": platform.python_version(),
          "versions": package_versions()}


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


HIGHER_IS_BETTER = ("accuracy", "elbo", "bound", "classifier_is")
LOWER_IS_BETTER = ("loss", "nll", "bits_per_dim", "classifier_fid", "kl", "mse")


def higher_is_better(metric: str) -> bool:
  """The direction of a metric, by its name's ending (val_accuracy: up, val_nll: down)."""
  for suffixes, higher in ((HIGHER_IS_BETTER, True), (LOWER_IS_BETTER, False)):
    if metric.endswith(suffixes):
      return higher
  raise ValueError(f"no known direction for metric {metric!r}")


def selection_metric(select: str, headline: str) -> str:
  """config.select (`select`), else the validation twin of the task's headline (test_accuracy ->
  val_accuracy); '' when the headline has no split (classifier-FID)."""
  return select or ("val_" + headline.removeprefix("test_") if headline.startswith("test_") else "")


def sweep_summary(select: str, runs, per_run: dict[str, dict]) -> dict:
  """A sweep's `points` (each: its values, label, run names and `summarize` of its runs),
  `selected`: the point with the best mean of the validation metric `select`
  (`selection_metric`; None when no point has it), and `summary`: the selected point's own
  (`summary_of` names it; {} when none is selected), so that no number averages over different
  hyperparameters. runs: objects with .name, .point and .label; {} when no run has a point (no
  sweep). Test metrics are reported for every point and never used here."""
  if not any(run.point for run in runs):
    return {}
  points = {}
  for run in runs:
    entry = points.setdefault(run.label, {"label": run.label, "point": run.point, "runs": []})
    entry["runs"].append(run.name)
  for entry in points.values():
    entry["summary"] = summarize({name: per_run[name] for name in entry["runs"]})
  scored = [e for e in points.values() if select in e["summary"]]
  selected, best = None, None
  if scored:
    sign = 1.0 if higher_is_better(select) else -1.0
    best = max(scored, key=lambda e: sign * e["summary"][select]["mean"])
    selected = {"metric": select, "label": best["label"], "point": best["point"],
                "value": best["summary"][select]["mean"]}
  return {"points": list(points.values()), "selected": selected,
          "summary": best["summary"] if best else {},
          "summary_of": (f"the selected point {best['label']} (by {select})" if best
                         else "no point: none has the selection metric")}


def build(config: dict, per_seed: dict[str, dict], wall_time_s: float, headline: str, runs=None,
          rerun: Callable | None = None, select: str = "", **extra) -> dict:
  """The results dict of every producer (a run, a structural sweep, a closed-form fit):
  `config` (as JSON), `headline` (the metric it leads with, declared by its task), `seeds`,
  `runs` ({name: {'seed', 'point', 'rerun': rerun(run) when given}}), `per_seed` (each run's
  metrics; 'diverged_at_step' is None unless the producer reports a step: a closed-form fit
  never diverges), `summary` (`summarize`; of a sweep the selected point's, by `select`
  (config.select) or the headline's validation twin, beside the other keys of `sweep_summary`),
  `versions`, `provenance`, `wall_time_s` and the producer's own `extra` keys (curves, mesh,
  groups, ...).
  runs: objects with .name, .seed, .point and .label (`train.experiment.Run`); None: one run
  per key of per_seed, named by its seed (a closed-form fit's)."""
  per_seed = {name: {"diverged_at_step": None, **metrics} for name, metrics in per_seed.items()}
  if runs is None:
    listed = {name: {"seed": int(name), "point": {}} for name in per_seed}
  else:
    listed = {run.name: {"seed": run.seed, "point": run.point,
                         **({"rerun": rerun(run)} if rerun else {})} for run in runs}
  swept = sweep_summary(selection_metric(select, headline), runs or (), per_seed)
  return {"config": config, "headline": headline,
          "seeds": sorted({run["seed"] for run in listed.values()}),
          "runs": listed, "per_seed": per_seed, "summary": summarize(per_seed), **swept, **extra,
          "versions": package_versions(), "provenance": provenance(), "wall_time_s": wall_time_s}


def table_row(results: dict, **extra) -> dict:
  """What a table's record keeps of one results dict: `extra` (its name, reference, ...), then
  config, headline (`headline_key`), per_seed, summary and wall_time_s."""
  return {**extra, "config": results["config"], "headline": headline_key(results),
          **{key: results[key] for key in ("per_seed", "summary", "wall_time_s")}}


def point_label(run_name: str) -> str:
  """The sweep point of a run's name: 'learning_rate=0.01' of 'learning_rate=0.01,seed=2',
  '' of a run without a sweep ('2'); names as `train.experiment.Run` makes them."""
  return run_name.rpartition(",seed=")[0]


def by_point(run_names) -> dict[str, list[str]]:
  """{point label: its run names}, in first-seen order ({'': names} without a sweep)."""
  groups: dict[str, list[str]] = {}
  for name in run_names:
    groups.setdefault(point_label(name), []).append(name)
  return groups


# The headline of results written before `build` recorded the task's own, by config.task.
RECORDED_BEFORE_HEADLINES = {
    "classification": "test_accuracy", "m2": "test_accuracy", "vae": "test_nll",
    "iwae": "test_nll", "gan": "classifier_fid", "vaegan": "classifier_fid",
    "autoregressive": "test_nll", "ddpm": "test_nll"}


def headline_key(results: dict) -> str:
  """The metric a results dict (or a table row of one) leads with: the one its task declared
  (`Task.headline`, recorded by `build`), or, in a file written before that, its task's then."""
  if "headline" in results:
    return results["headline"]
  return RECORDED_BEFORE_HEADLINES[results["config"]["task"]]


def write_atomic(path: str, write: Callable[[str], None]) -> None:
  """write(tmp) makes the file at `tmp`, a fresh name in the directory of `path`; it is then
  renamed over `path`, so a crash never leaves half a file (text, JSON or PNG). The file is
  created with mode 0666 less the umask (0644 under umask 022), as `open` would. Any failure
  removes `tmp`; an OS error (disk full, ...) is raised as OSError(errno, strerror, path)."""
  directory = os.path.dirname(os.path.abspath(path))
  tmp = os.path.join(directory, f".tmp-{os.path.basename(path)}-{uuid.uuid4().hex}")
  try:
    os.makedirs(directory, exist_ok=True)
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    write(tmp)
    os.replace(tmp, path)
  except BaseException as e:
    if os.path.exists(tmp):
      os.unlink(tmp)
    if isinstance(e, OSError):
      raise OSError(e.errno, e.strerror or str(e), path) from None
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
