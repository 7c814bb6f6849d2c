"""The Ng & Jordan (2001) table: learning curves of generative vs discriminative classifiers,
GNB and LDA against logistic regression and the linear SVM.

  python -m experiments.reproduce --table=ngjordan --out=results
  python -m experiments.reproduce --table=ngjordan --out=results --seeds=3   # split 3 alone, equal

For every dataset of `settings()`, the test error of each classifier at
every training-set size m over the splits (`genvdisc.analysis.learning_curves`; --seeds picks
the splits, each equal to its entry in the full run). Record: {'config', 'curves': {dataset:
{'sizes', 'split_seeds', 'errors': {classifier: [splits][sizes]}}}, 'wall_time_s'}. Sections:
the crossover m of every (generative, discriminative) pair, then per dataset the mean error ±
95% half-width per m (with the breast_cancer anchor). Figures: <stem>_<dataset>.png. Each
classifier's curve of a dataset is computed alone: `only` ('<dataset>/<classifier>') fits just
the curves it names.

Crossover m of a pair: the smallest m on the grid from which the discriminative model's mean
error is lower at every larger m, when the generative model is at least as good at some
smaller m.
"""

from __future__ import annotations

import functools
import time

import ml_collections
import numpy as np

from experiments.tables.spec import Cell, GridRow, Section, Table, TableData, wanted
from genvdisc import data
from genvdisc.analysis import learning_curves
from genvdisc.errors import ConfigError
from genvdisc.report.format import Stat
from genvdisc.report.plots import pyplot

GENERATIVE = ("gnb", "lda", "qda")
LABELS = {"gnb": "GNB", "lda": "LDA", "qda": "QDA", "logreg": "LR", "linear_svm": "SVM"}
# Shared README: sklearn on breast_cancer, 100 random splits (GaussianNB; LogisticRegression C=1e4).
ANCHOR = {"breast_cancer": {"gnb": {10: .131, 20: .074, 40: .062, 320: .063},
                            "logreg": {10: .112, 20: .079, 40: .061, 320: .044}}}
ERROR = Stat("test error", 1.0, 3, True, "ci95")


def settings() -> ml_collections.ConfigDict:
  """The table's settings. Test error against training-set size m, over `num_splits` random
  subsets per m (split seeds 0..num_splits-1; see genvdisc.analysis.learning_curves for the
  sampling), the held-out rest of the dataset as test set. Tabular features (iris, wine,
  breast_cancer) are standardised inside each fit with the mean and std of that subset's
  training examples only; digits' pixels stay / 16. LR and the SVM are near-unregularised
  (C = 1e4, sklearn's convention), as in the shared README's breast_cancer anchor: with the
  default C = 1 LR wins at every m, and Ng & Jordan's LR is unregularised."""
  config = ml_collections.ConfigDict()
  config.datasets = "iris,wine,breast_cancer,digits"  # genvdisc.data names (features flattened)
  config.split_seed = 0              # data.load's split: only orders the pool (train, then test)
  config.sizes = ml_collections.ConfigDict({       # geometric grids of m, classes x min_per_class <= m < examples
      "iris": "6,12,24,48,96",
      "wine": "6,12,24,48,96",
      "breast_cancer": "10,20,40,80,160,320",
      "digits": "20,40,80,160,320,640,1280",
  })
  config.num_splits = 100            # split seeds 0..num_splits-1 (--seeds overrides)
  config.min_per_class = 2           # each subset holds at least this many examples of every class
  config.split_group = 25            # splits vmapped together; a split's numbers depend on this
                                     # width only: keep it to rerun a split
  config.classifiers = "gnb,lda,logreg,linear_svm"  # keys of learning_curves.classifiers
  config.var_smoothing = 1e-9        # GNB: eps = var_smoothing * max feature variance (sklearn)
  config.lda_tol = 1e-4              # LDA: singular values <= tol are dropped (sklearn's svd solver)
  config.qda_reg = 0.1               # QDA (if listed): S_k = (1 - reg) C_k + reg I
  config.C = 1e4                     # LR / SVM: + ||W||^2 / (2 C m), sklearn's C
  config.steps = 2000                # LR / SVM: full-batch Adam steps
  config.learning_rate = 0.1         # LR / SVM: Adam's initial rate, cosine-decayed to 0
  return config


def compute(out: str, seeds: tuple[int, ...] | None, log=print, sets=(), only=None) -> TableData:
  """Every dataset's curves (module docstring); `out` holds no workdirs for this table."""
  config = settings()
  split_seeds = tuple(range(config.num_splits)) if seeds is None else seeds
  start = time.time()
  fits = learning_curves.classifiers(config)
  inputs = {}
  for name in config.datasets.split(","):   # every dataset checked before the first compiles
    if name not in config.sizes:
      raise ConfigError(f"dataset {name!r} has no config.sizes entry; add one, e.g. '10,20,40'")
    sizes = tuple(int(m) for m in config.sizes[name].split(","))
    inputs[name] = (data.load(name, split_seed=config.split_seed), sizes)
    learning_curves.check_dataset(config, *inputs[name])
  curves = {}
  for name, (dataset, sizes) in inputs.items():
    chosen = {c: fit for c, fit in fits.items() if wanted(only, f"{name}/{c}")}
    if not chosen:
      continue
    begin = time.time()
    errors = learning_curves.learning_curves(dataset, sizes, split_seeds, chosen,
                                             config.split_group, config.min_per_class)
    log(f"{name}: {len(split_seeds)} splits x {len(sizes)} sizes x {len(chosen)} classifiers "
        f"in {time.time() - begin:.0f} s")
    curves[name] = {"sizes": list(sizes), "split_seeds": list(split_seeds),
                    "errors": {k: v.tolist() for k, v in errors.items()}}
  record = {"config": config.to_dict(), "curves": curves, "wall_time_s": time.time() - start}
  return TableData(record, {f"_{name}": functools.partial(plot, name, r)
                            for name, r in curves.items()})


def _cells(errors) -> tuple[Cell, ...]:
  """One cell per m of a classifier's [splits][sizes] errors."""
  return tuple(Cell(tuple(column), ERROR) for column in zip(*errors))


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


def sections(record: dict) -> tuple[Section, ...]:
  """The crossover grid, then one grid per dataset (module docstring), from the record."""
  config, curves = record["config"], record["curves"]
  curves = {ds: curves[ds] for ds in config["datasets"].split(",")}   # the json sorts its keys
  return curve_sections(curves, config, "dataset")


def curve_sections(curves: dict, config: dict, key: str) -> tuple[Section, ...]:
  """The crossover grid of every (generative, discriminative) pair of config['classifiers'],
  then a grid of mean test error ± 95% half-width per m for each entry of `curves` ({name:
  {'sizes', 'split_seeds', 'errors'}}, in order); `key` names the entries ('dataset')."""
  classifiers = [c for c in config["classifiers"].split(",") if c]
  pairs = [(g, d) for g in classifiers if g in GENERATIVE
           for d in classifiers if d not in GENERATIVE]
  crossovers = []
  for name, r in curves.items():
    means = {c: [ERROR.summary(cell.values)[0] for cell in _cells(r["errors"][c])]
             for c in classifiers}
    crossovers.append(GridRow((name, ", ".join(map(str, r["sizes"]))),
                              tuple(crossover(r["sizes"], means[g], means[d]) for g, d in pairs)))
  splits = len(next(iter(curves.values()))["split_seeds"])
  out = [Section(f"Crossover m (C = {config['C']:g} for LR and the SVM; mean test error over "
                 f"{splits} splits):", (key, "m grid"),
                 tuple(f"{LABELS[g]} vs {LABELS[d]}" for g, d in pairs), (), tuple(crossovers))]
  for name, r in curves.items():
    rows = [GridRow((LABELS[c],), _cells(r["errors"][c])) for c in classifiers]
    rows += [GridRow((f"{LABELS[c]}, sklearn anchor",),
                     tuple(f"{anchor[m]:.3f}" if m in anchor else "-" for m in r["sizes"]))
             for c, anchor in ANCHOR.get(name, {}).items()]
    out.append(Section(f"{name}: test error, mean ± 95% half-width", ("classifier",),
                       tuple(f"m={m}" for m in r["sizes"]), (), tuple(rows), ((key, name),)))
  return tuple(out)


def plot(name: str, r: dict):
  """Mean test error against m (log scale) with the 95% band, one line per classifier."""
  fig, ax = pyplot().subplots(figsize=(6, 4.5))
  for c in sorted(r["errors"], key=list(LABELS).index):   # fixed colours (json sorts keys)
    mean, half = np.asarray([ERROR.summary(cell.values) for cell in _cells(r["errors"][c])]).T
    line, = ax.plot(r["sizes"], mean, marker="o", label=LABELS[c],
                    linestyle="--" if c in GENERATIVE else "-")
    ax.fill_between(r["sizes"], mean - half, mean + half, color=line.get_color(), alpha=0.2)
  ax.set_xscale("log")
  ax.set_xlabel("training examples m")
  ax.set_ylabel("test error")
  ax.set_title(f"{name}, {len(r['split_seeds'])} splits (dashed: generative)")
  ax.legend()
  return fig


TABLE = Table("ngjordan", compute, sections)
