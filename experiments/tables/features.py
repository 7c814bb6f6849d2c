"""The features table (Zheng et al. 2023): GNB and LDA against logistic regression on frozen
features, learning curves over the training-set size m (its settings: `settings()`).

  python -m experiments.reproduce --table=features --out=results
  python -m experiments.reproduce --table=features --out=results --seeds=3   # split 3 alone, equal

Learning curves on four feature sets of digits: raw pixels, M1 VAE posterior means, AR
Transformer hidden states (iGPT-style) and the last hidden layer of an MLP trained on a disjoint
part of the training split. The classifiers and their hyperparameters are ngjordan's
(`ngjordan.settings()`: C = 1e4, full-batch Adam); every feature is standardised inside each fit
with its subset's own statistics.

Splits 0-99; the crossovers (every curve is in results/features.md, discussed in
docs/results.md):
Measured in results/features.md, row digits pixels, column "GNB vs LR": none: discriminative wins at every m.
Measured in results/features.md, row digits pixels, column "LDA vs LR": none: generative wins at the largest m.
Measured in results/features.md, row digits vae, column "GNB vs LR": none: discriminative wins at every m.
Measured in results/features.md, row digits vae, column "LDA vs LR": 640.
Measured in results/features.md, row digits ar, column "GNB vs LR": none: discriminative wins at every m.
Measured in results/features.md, row digits ar, column "LDA vs LR": none: generative wins at the largest m.
Measured in results/features.md, row digits supervised, column "GNB vs LR": none: discriminative wins at every m.
Measured in results/features.md, row digits supervised, column "LDA vs LR": none: generative wins at the largest m.
Measured in results/features.md, row digits supervised, column "its own test accuracy %": 95.3.
MNIST-1D is not run: there is no VAE config for it.

Rows. `data.load(dataset, split_seed)` gives a training and a test split. The supervised
extractor trains on seed 0's class-balanced subset of `supervised_per_class` rows per class
(`supervised_rows`: `subsets.labelled_indices`, the very rows its engine run draws minibatches
from with config.labels_per_class). The curve pool is the rest of the training split
(`curve_pool`); split s draws its nested training subsets from the pool with subset seed s
(`learning_curves.learning_curves(..., test_split=True)`) and every error is over the whole test
split. Hence:
  - no extractor ever sees a test row: the unsupervised ones (VAE, AR) train without labels on
    the whole training split (supervised rows and pool alike), the supervised one on its rows;
  - no curve subset holds a row whose label trained the supervised extractor;
  - a curve fit sees only its subset's rows (`closed_form.training_rows`: not even a NaN
    test row reaches it), scaled with that subset's own mean and std.
We prefer this to the linear-probe protocol of iGPT and Zheng et al., where the unsupervised model
may also see the test images (without labels): here every extractor sees training rows only, so
a test image's pixels enter nothing but its own scores.

Features (flattened float32, one vector per row):
  pixels: the inputs themselves (digits: pixels / 16);
  vae: M1's VAE posterior means E_q[z|x] (`semisupervised.encoder_features`);
  ar: the AR Transformer's final-LayerNorm hidden states averaged over positions (iGPT-style,
    its task.encode), trained with its judge off (features need no classifier-FID);
  supervised: the input of the final Dense layer of the classifier config, trained on its rows
    (`experiments.judges.train_judge` with labels_per_class).
Every feature set, pixels included, reaches the curves as a tabular dataset
(`subsets.with_features`), so each fit standardises it with its own subset's mean and std
(ngjordan fits digits' pixels unscaled).
Each extractor is trained once (seed 0, `extractor_config`) in OUT/<its name> and read back
afterwards, whatever --seeds says, so `--seeds=3` equals split 3's entry of the full run bitwise.
Asked for some rows (`only`, '<dataset> <feature>/<classifier>'), the table trains just their
extractors and fits just their curves.

Record: {'config', 'extractors': {'<dataset> <feature>': {'config', 'dim', 'trained on', ...}},
'curves': {'<dataset> <feature>': {'sizes', 'split_seeds', 'errors': {classifier: [splits]
[sizes]}, 'wall_time_s'}}, 'wall_time_s'}. Sections: ngjordan's crossover grid (the
crossover m of GNB and LDA against LR) and per feature set the mean error ± 95% half-width per
m, then the extractors. Figures: <stem>_<dataset>_<feature>.png.
"""

from __future__ import annotations

import functools
import os
import time

import jax
import ml_collections
import numpy as np

from experiments import judges
from experiments.configs import get_config
from experiments.tables import ngjordan
from experiments.tables.semisupervised import encoder_features
from experiments.tables.spec import GridRow, Section, Table, TableData, wanted
from genvdisc import data
from genvdisc.analysis import learning_curves
from genvdisc.data import subsets
from genvdisc.tasks.shared import require

FEATURES = ("pixels", "vae", "ar", "supervised")
UNSUPERVISED = ("vae", "ar")
ENCODING_TASKS = ("vae", "iwae", "vaegan", "autoregressive")   # tasks with an unsupervised encode


def settings() -> ml_collections.ConfigDict:
  """The table's settings (module docstring)."""
  config = ngjordan.settings()       # splits, classifier fields and their meaning: ngjordan.py
  config.datasets = "digits"         # genvdisc.data names with an `extractors` entry
  config.split_seed = 0              # data.load's train/test split: every extractor's config must
                                     # use it too (its training rows are this training split's)
  config.classifiers = "gnb,lda,logreg"   # the generative pair against LR (learning_curves keys)
  config.sizes = ml_collections.ConfigDict({   # grids of m: classes x min_per_class <= m < pool
      "digits": "20,40,80,160,320,640,940",    # pool: 1347 training rows - 400 supervised = 947
  })
  config.features = "pixels,vae,ar,supervised"  # feature sets in table order (pixels: no extractor)
  config.extractors = ml_collections.ConfigDict({  # per dataset: feature -> experiments/configs name
      "digits": {"vae": "m1_vae_digits", "ar": "ar_digits",
                 "supervised": "mlp_digits"},
  })
  config.supervised_per_class = 40   # the supervised extractor trains on seed 0's class-balanced
                                     # subset of this many training rows per class; the curves
                                     # draw from the rest of the training split
  return config


def feature_list(text: str) -> list[str]:
  """config.features (comma-separated) -> the feature sets, checked."""
  names = [f for f in text.split(",") if f]
  require(names and set(names) <= set(FEATURES), "features", text,
          f"names from {', '.join(FEATURES)}, e.g. 'pixels,vae'")
  return names


def supervised_rows(config, y_train: np.ndarray) -> np.ndarray:
  """Indices into the training split of the supervised extractor's rows (module docstring)."""
  num_classes = int(y_train.max()) + 1
  fewest = int(np.bincount(y_train).min())
  per_class = config.supervised_per_class
  require(isinstance(per_class, int) and 1 <= per_class < fewest, "supervised_per_class",
          per_class, f"an integer from 1 to {fewest - 1} (rows must remain for the curves)")
  return subsets.labelled_indices(y_train, num_classes * per_class, 0)


def curve_pool(config, y_train: np.ndarray) -> np.ndarray:
  """Indices into the training split of the curves' pool: every row but `supervised_rows`."""
  return np.setdiff1d(np.arange(y_train.shape[0]), supervised_rows(config, y_train))


def curve_dataset(dataset: data.Dataset, pool: np.ndarray, name: str, train: np.ndarray,
                  test: np.ndarray) -> data.Dataset:
  """The curves' tabular dataset `name`: features `train` of the pool's rows as its training
  split, `test` as its test split, `dataset`'s labels."""
  return subsets.with_features(subsets.training_subset(dataset, pool), name, train[pool], test)


def extractor_config(config, dataset: str, feature: str):
  """The one-seed (seed 0) config the table trains for `feature` on `dataset`; an unsupervised
  config that the table changes (seeds, judge off) gets the suffix '_features' (its workdir)."""
  field = f"extractors.{dataset}.{feature}"
  require(dataset in config.extractors and feature in config.extractors[dataset], field, None,
          "an experiments/configs name, e.g. 'm1_vae_digits'")
  name = config.extractors[dataset][feature]
  extractor = get_config(name)
  require(extractor.dataset == dataset and extractor.get("split_seed", 0) == config.split_seed,
          field, name, f"a config trained on {dataset!r} with split_seed={config.split_seed}")
  tasks = ("classification",) if feature == "supervised" else ENCODING_TASKS
  require(extractor.get("task", "classification") in tasks
          and not extractor.get("conditional", False), field, name,
          f"an unconditional config of task {' or '.join(tasks)}, e.g. "
          f"{'mlp_digits' if feature == 'supervised' else 'm1_vae_digits'}")
  if feature == "supervised":
    extractor.labels_per_class = config.supervised_per_class
    extractor.name = f"{name}_{config.supervised_per_class}perclass"
    return judges.judge_config(extractor)
  wanted = {"seeds": "0", "seed_group": 1, "judge": ""}
  if any(extractor.get(k) != v for k, v in wanted.items()):
    extractor.update(wanted)
    extractor.name = f"{name}_features"
  return extractor


def extract(out: str, config, dataset: data.Dataset, feature: str,
            log=print) -> tuple[np.ndarray, np.ndarray, dict]:
  """(train features, test features, what the record says of their extractor)."""
  flat = lambda x: np.asarray(x).reshape(x.shape[0], -1)
  if feature == "pixels":
    return flat(dataset.x_train), flat(dataset.x_test), {"trained on": "-"}
  extractor = extractor_config(config, dataset.name, feature)
  info = {"config": extractor.name, "workdir": os.path.join(out, extractor.name)}
  if feature in UNSUPERVISED:
    train, test = encoder_features(out, extractor, log)
    return flat(train), flat(test), {**info, "trained on": "training split, no labels"}
  judge = judges.train_judge(extractor, info["workdir"], log=log)
  hidden = jax.jit(lambda x: judge.apply(x)[1])
  return (flat(hidden(dataset.x_train)), flat(hidden(dataset.x_test)),
          {**info, "trained on": f"{config.supervised_per_class} labelled rows per class",
           "test_accuracy": judge.test_accuracy})


def compute(out: str, seeds: tuple[int, ...] | None, log=print, sets=(), only=None) -> TableData:
  """Every (dataset, feature)'s curves (module docstring); checks everything before training."""
  config = settings()
  split_seeds = tuple(range(config.num_splits)) if seeds is None else seeds
  start = time.time()
  fits = learning_curves.classifiers(config)
  features = feature_list(config.features)
  pools = {}
  for name in config.datasets.split(","):
    require(name in config.sizes, f"sizes.{name}", None, "a grid of m, e.g. '20,40,80'")
    dataset = data.load(name, split_seed=config.split_seed)
    pool = curve_pool(config, dataset.y_train)
    sizes = tuple(int(m) for m in config.sizes[name].split(","))
    learning_curves.check_sizes(dataset, sizes, pool.size, config.min_per_class)
    for feature in (f for f in features if f != "pixels"):
      extractor_config(config, name, feature)
    pools[name] = (dataset, pool, sizes)
  extractors, curves = {}, {}
  for name, (dataset, pool, sizes) in pools.items():
    for feature in features:
      key = f"{name} {feature}"
      chosen = {c: fit for c, fit in fits.items() if wanted(only, f"{key}/{c}")}
      if not chosen:
        continue
      train, test, extractors[key] = extract(out, config, dataset, feature, log)
      extractors[key]["dim"] = train.shape[1]
      begin = time.time()
      errors = learning_curves.learning_curves(curve_dataset(dataset, pool, key, train, test),
                                               sizes, split_seeds, chosen,
                                               config.split_group, config.min_per_class,
                                               test_split=True)
      curves[key] = {"sizes": list(sizes), "split_seeds": list(split_seeds),
                     "errors": {k: v.tolist() for k, v in errors.items()},
                     "wall_time_s": time.time() - begin}
      log(f"{key}: {len(split_seeds)} splits x {len(sizes)} sizes x {len(chosen)} classifiers "
          f"in {curves[key]['wall_time_s']:.0f} s")
  record = {"config": config.to_dict(), "extractors": extractors, "curves": curves,
            "wall_time_s": time.time() - start}
  return TableData(record, {f"_{key.replace(' ', '_')}": functools.partial(ngjordan.plot, key, r)
                            for key, r in curves.items()})


def sections(record: dict) -> tuple[Section, ...]:
  """ngjordan's crossover and per-curve grids over the feature sets, then the extractors."""
  config, extractors = record["config"], record["extractors"]
  keys = [f"{name} {feature}" for name in config["datasets"].split(",")
          for feature in feature_list(config["features"])]   # the json sorts its keys
  rows = tuple(GridRow((key,), (), (extractors[key].get("config", "-"),
                                    extractors[key]["trained on"], str(extractors[key]["dim"]),
                                    _percent(extractors[key].get("test_accuracy"))))
               for key in keys)
  return (*ngjordan.curve_sections({key: record["curves"][key] for key in keys}, config,
                                   "features"),
          Section("Feature extractors (seed 0; no test row is seen by any of them):", ("features",),
                  (), ("config", "trained on", "dim", "its own test accuracy %"), rows))


def _percent(value) -> str:
  return "-" if value is None else f"{100 * value:.1f}"


TABLE = Table("features", compute, sections)
