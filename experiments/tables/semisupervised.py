"""The semi-supervised tables on digits: m1 (M1 features) and m2 (M2 and M1+M2); augment
(experiments/tables/augment.py) draws from the same M2 runs.

A seed s is labelled subset s (`subsets.labelled_indices`: n / 10 per class, drawn with seed
s's run key) plus model init s. M1's VAE is unsupervised and trained once (seed 0) for every
seed, in OUT/<vae config name>. M2 runs train in OUT/<config name>-<n>labels<suffix> (resumable,
read back when finished); every run's seed_group is fixed by its config, so --seeds=3
reproduces seed 3's numbers of the full run bitwise (tests/unit/experiments/tables/test_semisupervised.py).

  m1: LR and the linear SVM on raw pixels vs on M1's posterior means, 20/50/100/all labels.
      Record {'config', 'seeds', 'errors': {features: {classifier: [seeds][label counts]}}}.
      Settings: `settings()` (m2's are M2_MODELS and M2_NUM_LABELS).
  m2: M2 on pixels and M1+M2 (M2 on M1's standardised posterior means, Gaussian p(x|y,z)),
      50 and 100 labels; test error of q(y|x). Record {'configs', 'test_error': {'<model>/<n>':
      {seed: error}}, 'wall_time_s_per_run'}.

Asked for some rows (`only`): m1 computes just their feature sets ('M1/logreg' trains the VAE,
'pixels/logreg' does not; a feature set's classifiers are cheap and fitted together), m2 just
their runs (an M1+M2 run trains the VAE as well).

The m1 table (Kingma et al. 2014's M1 features for a discriminative model) on digits:

  python -m experiments.reproduce --table=m1 --out=results
  python -m experiments.reproduce --table=m1 --out=results --seeds=3   # seed 3 alone, equal

Seed s labels `subsets.labelled_indices(y_train, n, s)` (n / 10 per class) for n in
`num_labels`, 'all' = the whole training split. LR and the Crammer–Singer SVM
(`learning_curves.linear_classifier`: full-batch Adam on the weighted, L2-penalised loss with
sklearn's C) are fitted on those examples' features, once on raw pixels and once on M1's
posterior means (the VAE of experiments/configs/m1_vae_digits.py, trained without labels);
test error on the test split.

Tried on seeds 0-4 before fixing this recipe (not in a committed table): standardising the
features (it inflates the near-collapsed latent dimensions), C in {0.1, 1, 10}, and VAEs with
beta 0.5, beta 0.25 with 32 latents, and no binarisation; no variant of M1 beat raw pixels.
Measured in results/m1.md, row LR/pixels, column "100 labels": 8.6 ± 0.7.
Measured in results/m1.md, row LR/M1, column "100 labels": 10.9 ± 0.6.
Measured in results/m1.md, row SVM/pixels, column "100 labels": 9.2 ± 1.0.
Measured in results/m1.md, row SVM/M1, column "100 labels": 11.6 ± 1.5.
"""

from __future__ import annotations

import functools
import os
import time

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from experiments.configs import get_config
from experiments.tables.spec import Cell, GridRow, Section, Table, TableData, suffix, wanted
from experiments.tables.writers import curves_panel
from genvdisc import data
from genvdisc.analysis import learning_curves
from genvdisc.data import subsets
from genvdisc.report.format import Stat
from genvdisc.report.plots import pyplot
from genvdisc.tasks.registry import from_config
from genvdisc.train.run import restore_seed_params
from genvdisc.train.sweep import train_and_evaluate

ERROR = Stat("test error %", 100.0, 1, True)
CLASSIFIER_LABELS = {"logreg": "LR", "linear_svm": "SVM"}
FEATURES = ("pixels", "M1")
M2_MODELS = {"m2": "m2_digits", "m1m2": "m1m2_digits"}   # row -> experiments/configs module
M2_LABELS = {"m2": "M2", "m1m2": "M1+M2"}
M2_NUM_LABELS = (50, 100)
# Kingma et al. (2014), Table 1, MNIST with 100 labels: test error %.
MNIST_ANCHOR = {"m2": "MNIST, 100 labels: 11.97 ± 1.71", "m1m2": "MNIST, 100 labels: 3.33 ± 0.14"}


def seed_list(seeds: tuple[int, ...] | None, num_seeds: int) -> tuple[int, ...]:
  return tuple(range(num_seeds)) if seeds is None else seeds


# ------------------------------------------------------------------------------------------ M1
def settings() -> ml_collections.ConfigDict:
  """The m1 table's settings (module docstring)."""
  config = ml_collections.ConfigDict()
  config.vae = "m1_vae_digits"       # experiments/configs/<vae>.py: the M1 VAE
  config.num_labels = "20,50,100,all"  # labelled training examples; 'all' = the training split
  config.num_seeds = 5               # seeds 0..num_seeds-1 (--seeds overrides)
  config.classifiers = "logreg,linear_svm"  # logreg (cross-entropy) and/or linear_svm (hinge)
  config.standardize = False          # z-score both feature sets with the train split's statistics
  config.C = 1.0                     # LR / SVM: + ||W||^2 / (2 C m), sklearn's C
  config.steps = 1000                # LR / SVM: full-batch Adam steps
  config.learning_rate = 0.1         # LR / SVM: Adam's initial rate, cosine-decayed to 0
  return config


def m1_features(out: str, vae: str = "m1_vae_digits", log=print) -> tuple[np.ndarray, np.ndarray]:
  """M1's features: posterior means E_q[z|x] of the digits train and test splits under the VAE
  `vae` (trained in OUT/<vae> without labels, or read back)."""
  return encoder_features(out, get_config(vae), log)


def encoder_features(out: str, config, log=print) -> tuple[np.ndarray, np.ndarray]:
  """`task.encode` of the train and test splits under the one-seed model `config`, trained in
  OUT/<config.name> on the training split (its task decides whether labels are used), or read
  back."""
  dataset = data.load(config.dataset, split_seed=config.get("split_seed", 0))
  train_and_evaluate(config, os.path.join(out, config.name), log=log)
  (seed, params), = restore_seed_params(config, os.path.join(out, config.name)).items()
  task = from_config(config, dataset)
  encode = jax.jit(lambda x: task.encode(params, x))
  return np.asarray(encode(dataset.x_train)), np.asarray(encode(dataset.x_test))


@functools.lru_cache(maxsize=None)
def _test_errors(classifier: str, C: float, steps: int, learning_rate: float, num_train: int,
                 num_classes: int):
  """jit(vmap): (x [n, d], y [n], weights [S, n]) -> test error of each fit [S]; the first
  num_train rows are the training split, the rest the test split."""
  fit = learning_curves.linear_classifier(
      "cross_entropy" if classifier == "logreg" else "hinge", C, steps, learning_rate)

  def test_error(x, y, weights):
    scores = fit(x, y, weights, num_classes)[num_train:]
    return jnp.mean(jnp.argmax(scores, -1) != y[num_train:])
  return jax.jit(jax.vmap(test_error, in_axes=(None, None, 0)))


def m1_errors(config, features: dict[str, tuple[np.ndarray, np.ndarray]], dataset: data.Dataset,
              seeds: tuple[int, ...]) -> dict:
  """{features: {classifier: test errors [seeds][label counts]}}: each classifier fitted on the
  seed's labelled training examples (every label count of a seed in one vmap)."""
  n_train = dataset.num_train
  counts = [n_train if n == "all" else int(n) for n in config.num_labels.split(",")]
  y = jnp.asarray(np.concatenate([dataset.y_train, dataset.y_test]))
  weights = np.zeros((len(seeds), len(counts), n_train + dataset.num_test), np.float32)
  for i, s in enumerate(seeds):
    for j, n in enumerate(counts):
      weights[i, j, subsets.labelled_indices(dataset.y_train, n, s) if n < n_train
              else slice(0, n_train)] = 1.0
  out = {}
  for name, (train, test) in features.items():
    x = jnp.asarray(np.concatenate([train, test]))
    out[name] = {}
    for classifier in config.classifiers.split(","):
      test_errors = _test_errors(classifier, config.C, config.steps, config.learning_rate,
                                 n_train, dataset.num_classes)
      out[name][classifier] = [np.asarray(test_errors(x, y, jnp.asarray(w))).tolist()
                               for w in weights]
  return out


def compute_m1(out: str, seeds: tuple[int, ...] | None, log=print, sets=(),
               only=None) -> TableData:
  """The m1 table (module docstring)."""
  config = settings()
  seeds = seed_list(seeds, config.num_seeds)
  start = time.time()
  dataset = data.load("digits")
  extract = {"pixels": lambda: (dataset.x_train.reshape(dataset.num_train, -1),
                                dataset.x_test.reshape(dataset.num_test, -1)),
             "M1": lambda: m1_features(out, config.vae, log)}
  features = {name: extract[name]() for name in FEATURES if wanted(only, name)}
  if config.standardize:
    features = {name: subsets.standardize(*pair) for name, pair in features.items()}
  record = {"config": config.to_dict(), "seeds": list(seeds),
            "errors": m1_errors(config, features, dataset, seeds),
            "wall_time_s": time.time() - start}
  return TableData(record, {"": functools.partial(m1_plot, record)})


def m1_sections(record: dict) -> tuple[Section, ...]:
  config, errors = record["config"], record["errors"]
  counts = config["num_labels"].split(",")
  rows = tuple(GridRow((CLASSIFIER_LABELS[classifier], name),
                       tuple(Cell(tuple(column), ERROR) for column in zip(*errors[name][classifier])))
               for classifier in config["classifiers"].split(",") for name in FEATURES)
  return (Section(f"Test error % on digits, mean ± std over seeds "
                  f"{','.join(map(str, record['seeds']))} (C = {config['C']:g}; features "
                  f"{'' if config['standardize'] else 'not '}standardised):",
                  ("classifier", "features"), tuple(f"{n} labels" for n in counts), (), rows),)


def m1_plot(record: dict):
  """Test error against labelled examples (log scale), one line per (classifier, features)."""
  config, errors = record["config"], record["errors"]
  fig, ax = pyplot().subplots(figsize=(6, 4.5))
  curves = {f"{CLASSIFIER_LABELS[c]}, {name}": errors[name][c]
            for c in config["classifiers"].split(",") for name in FEATURES}
  curves_panel(ax, config["num_labels"].split(","), curves, ERROR,
               dashed=[label for label in curves if label.endswith("pixels")], log_scale=True)
  ax.set_xlabel("labelled examples")
  ax.set_title("digits: M1 features vs raw pixels (mean ± std, dots: seeds)")
  ax.legend()
  return fig


# ------------------------------------------------------------------------------------------ M2
def m2_run(out: str, model: str, num_labels: int, seeds: tuple[int, ...] | None, log=print):
  """Trains (or reads back) `model` ('m2' or 'm1m2') with `num_labels` labels for `seeds`
  (None: the config's) in OUT/<config name>-<num_labels>labels<suffix>; returns (config,
  workdir, dataset, results.json)."""
  config = get_config(M2_MODELS[model])
  config.num_labels = num_labels
  if seeds is not None:
    config.seeds = ",".join(map(str, seeds))
  dataset = data.load(config.dataset)
  if model == "m1m2":
    dataset = subsets.with_features(dataset, f"{config.dataset}_m1",
                                    *m1_features(out, settings().vae, log))
  workdir = os.path.join(out, f"{config.name}-{num_labels}labels" + suffix(seeds))
  return config, workdir, dataset, train_and_evaluate(config, workdir, log=log, dataset=dataset)


def compute_m2(out: str, seeds: tuple[int, ...] | None, log=print, sets=(),
               only=None) -> TableData:
  """The m2 table (module docstring): test error of q(y|x), M2 and M1+M2, 50 and 100 labels."""
  start = time.time()
  runs = {f"{model}/{n}": m2_run(out, model, n, seeds, log)[-1] for model in M2_MODELS
          for n in M2_NUM_LABELS if wanted(only, f"{model}/{n}")}
  record = {"configs": {run: r["config"] for run, r in runs.items()},
            "test_error": {run: {s: 1.0 - m["test_accuracy"] for s, m in r["per_seed"].items()}
                           for run, r in runs.items()},
            "wall_time_s_per_run": {run: r["wall_time_s"] for run, r in runs.items()},
            "wall_time_s": time.time() - start}
  return TableData(record, {"": functools.partial(m2_plot, record)})


def m2_sections(record: dict) -> tuple[Section, ...]:
  """One grid row per model of M2_MODELS, one cell column per count of M2_NUM_LABELS."""
  errors, wall = record["test_error"], record["wall_time_s_per_run"]
  models, num_labels = tuple(M2_MODELS), M2_NUM_LABELS
  rows = tuple(GridRow((M2_LABELS[model],),
                       tuple(Cell(tuple(errors[f"{model}/{n}"].values()), ERROR) for n in num_labels),
                       (f"{sum(wall[f'{model}/{n}'] for n in num_labels):.0f}", MNIST_ANCHOR[model]))
               for model in models)
  seeds = ",".join(errors[f"{models[0]}/{num_labels[0]}"])
  return (Section(f"Test error % of q(y|x) on digits, mean ± std over seeds {seeds}:", ("model",),
                  tuple(f"{n} labels" for n in num_labels),
                  ("wall s", "Kingma et al. 2014 (MNIST, not digits)"), rows),)


def m2_plot(record: dict):
  """Test error against labelled examples, one line per model (mean ± std, seeds as dots)."""
  section, = m2_sections(record)
  fig, ax = pyplot().subplots(figsize=(6, 4.5))
  curves_panel(ax, [str(n) for n in M2_NUM_LABELS],
               {row.keys[0]: np.asarray([cell.values for cell in row.cells]).T
                for row in section.rows}, ERROR)
  ax.set_xlabel("labelled examples")
  ax.set_title("digits: semi-supervised M2 and M1+M2 (mean ± std, dots: seeds)")
  ax.legend()
  return fig


M1 = Table("m1", compute_m1, m1_sections)
M2 = Table("m2", compute_m2, m2_sections)
