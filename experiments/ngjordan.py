"""The Ng & Jordan (2001) table: learning curves of generative vs discriminative classifiers.

`reproduce(out, seeds)` computes every dataset's curves (experiments/configs/ngjordan.py) and
writes OUT/ngjordan.md (crossover table, mean error ± 95% half-width per m, the breast_cancer
anchor), .csv (one row per dataset, classifier and m), .json (every split's errors, the config,
versions, wall time) and OUT/ngjordan_<dataset>.png (mean and 95% band against m). With
`seeds` (e.g. '3') only those splits run and the files are OUT/ngjordan-seeds-3.*; each split's
errors equal its entry in the full run.

Crossover m of a (generative, discriminative) pair: the smallest m on the grid from which the
discriminative model's mean error is lower at every larger m, when the generative model is at
least as good at some smaller m.
"""

from __future__ import annotations

import csv
import io
import math
import os
import time

import numpy as np

from experiments.configs import ngjordan as ngjordan_config
from genvdisc import data, learning_curves, results
from genvdisc.errors import ConfigError

GENERATIVE = ("gnb", "lda", "qda")
LABELS = {"gnb": "GNB", "lda": "LDA", "qda": "QDA", "logreg": "LR", "linear_svm": "SVM"}
# Shared README: sklearn on breast_cancer, 100 random splits (GaussianNB; LogisticRegression C=1e4).
ANCHOR = {"breast_cancer": {"gnb": {10: .131, 20: .074, 40: .062, 320: .063},
                            "logreg": {10: .112, 20: .079, 40: .061, 320: .044}}}


def parse_seeds(text: str) -> tuple[int, ...]:
  try:
    seeds = tuple(int(s) for s in text.split(","))
  except ValueError:
    seeds = ()
  if not seeds or min(seeds) < 0:
    raise ConfigError(f"--seeds={text!r} is invalid; use comma-separated split seeds >= 0, e.g. 3")
  return seeds


def compute(config, split_seeds: tuple[int, ...], log=print) -> dict:
  """{dataset: {'sizes', 'split_seeds', 'errors': {classifier: [splits][sizes]}}}."""
  fits = learning_curves.classifiers(config)
  out = {}
  for name in config.datasets.split(","):
    if name not in config.sizes:
      raise ConfigError(f"dataset {name!r} has no config.sizes entry; add one, e.g. '10,20,40'")
    sizes = tuple(int(m) for m in config.sizes[name].split(","))
    start = time.time()
    dataset = data.load(name, split_seed=config.split_seed)
    errors = learning_curves.learning_curves(dataset, sizes, split_seeds, fits, config.split_group,
                                             config.min_per_class)
    log(f"{name}: {len(split_seeds)} splits x {len(sizes)} sizes x {len(fits)} classifiers "
        f"in {time.time() - start:.0f} s")
    out[name] = {"sizes": list(sizes), "split_seeds": list(split_seeds),
                 "errors": {k: v.tolist() for k, v in errors.items()}}
  return out


def mean_ci(errors) -> tuple[np.ndarray, np.ndarray]:
  """Mean over splits and the 95% half-width 1.96 s / sqrt(n) (s: sample std; 0 for one split)."""
  e = np.asarray(errors, np.float64)
  n = e.shape[0]
  half = 1.96 * e.std(0, ddof=1) / math.sqrt(n) if n > 1 else np.zeros(e.shape[1])
  return e.mean(0), half


def crossover(sizes, generative, discriminative) -> str:
  """The crossover m (module docstring) of two mean-error curves, or why there is none."""
  gen, disc = np.asarray(generative), np.asarray(discriminative)
  disc_better = disc < gen
  if disc_better.all():
    return "none: discriminative wins at every m"
  if not disc_better[-1]:
    return "none: generative wins at the largest m"
  first = len(sizes) - int(np.argmin(disc_better[::-1]))   # start of the final winning run
  return str(sizes[first])


def markdown(curves: dict, config) -> str:
  classifiers = [c for c in config.classifiers.split(",") if c]
  pairs = [(g, d) for g in classifiers if g in GENERATIVE for d in classifiers if d not in GENERATIVE]
  means = {ds: {c: mean_ci(r["errors"][c])[0] for c in classifiers} for ds, r in curves.items()}
  lines = [f"Crossover m (C = {config.C:g} for LR and the SVM; mean test error over "
           f"{len(next(iter(curves.values()))['split_seeds'])} splits):", "",
           "| dataset | m grid | " + " | ".join(f"{LABELS[g]} vs {LABELS[d]}" for g, d in pairs) + " |",
           "|---" * (2 + len(pairs)) + "|"]
  for ds, r in curves.items():
    cells = [crossover(r["sizes"], means[ds][g], means[ds][d]) for g, d in pairs]
    lines.append(f"| {ds} | {', '.join(map(str, r['sizes']))} | " + " | ".join(cells) + " |")
  for ds, r in curves.items():
    lines += ["", f"{ds}: test error, mean ± 95% half-width", "",
              "| classifier | " + " | ".join(f"m={m}" for m in r["sizes"]) + " |",
              "|---" * (1 + len(r["sizes"])) + "|"]
    for c in classifiers:
      mean, half = mean_ci(r["errors"][c])
      lines.append(f"| {LABELS[c]} | " + " | ".join(f"{a:.3f} ± {h:.3f}" for a, h in zip(mean, half))
                   + " |")
    for c, anchor in ANCHOR.get(ds, {}).items():
      lines.append(f"| {LABELS[c]}, sklearn anchor | " + " | ".join(
          f"{anchor[m]:.3f}" if m in anchor else "-" for m in r["sizes"]) + " |")
  return "\n".join(lines) + "\n"


def csv_text(curves: dict) -> str:
  buffer = io.StringIO()
  writer = csv.writer(buffer, lineterminator="\n")
  writer.writerow(["dataset", "classifier", "m", "splits", "test_error_mean", "ci95_half_width"])
  for ds, r in curves.items():
    for c, errors in r["errors"].items():
      mean, half = mean_ci(errors)
      for m, a, h in zip(r["sizes"], mean, half):
        writer.writerow([ds, c, m, len(errors), f"{a:.5f}", f"{h:.5f}"])
  return buffer.getvalue()


def plot(name: str, r: dict, path: str) -> None:
  """Mean test error against m (log scale) with the 95% band, one line per classifier."""
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  fig, ax = plt.subplots(figsize=(6, 4.5))
  for c in sorted(r["errors"], key=list(LABELS).index):   # fixed colours (json sorts keys)
    mean, half = mean_ci(r["errors"][c])
    line, = ax.plot(r["sizes"], mean, marker="o", label=LABELS[c],
                    linestyle="--" if c in GENERATIVE else "-")
    ax.fill_between(r["sizes"], mean - half, mean + half, color=line.get_color(), alpha=0.2)
  ax.set_xscale("log")
  ax.set_xlabel("training examples m")
  ax.set_ylabel("test error")
  ax.set_title(f"{name}, {len(r['split_seeds'])} splits (dashed: generative)")
  ax.legend()
  fig.tight_layout()
  tmp = path + ".tmp.png"
  fig.savefig(tmp, dpi=120)
  plt.close(fig)
  os.replace(tmp, path)


def reproduce(out: str, seeds: str | None = None, log=print) -> str:
  """Computes the table (see module docstring), writes its files under `out`, returns the md."""
  config = ngjordan_config.get_config()
  split_seeds = tuple(range(config.num_splits)) if seeds is None else parse_seeds(seeds)
  stem = "ngjordan" + ("" if seeds is None else "-seeds-" + seeds.replace(",", "-"))
  start = time.time()
  curves = compute(config, split_seeds, log=log)
  text = markdown(curves, config)
  os.makedirs(out, exist_ok=True)
  results.write_text_atomic(os.path.join(out, f"{stem}.md"), text)
  results.write_text_atomic(os.path.join(out, f"{stem}.csv"), csv_text(curves))
  results.write_json_atomic(os.path.join(out, f"{stem}.json"), {
      "config": config.to_dict(), "curves": curves, "wall_time_s": time.time() - start,
      "versions": results.package_versions()})
  for name, r in curves.items():
    plot(name, r, os.path.join(out, f"{stem}_{name}.png"))
  return text
