"""The semi-supervised tables on digits: m1 (M1 features), m2 (M2 and M1+M2), augment (generative
data augmentation). Each `reproduce_<table>(out, seeds, log)` writes OUT/<stem>.md, .csv,
.json (per-seed numbers, configs, versions, wall time) and .png, and returns the markdown;
stem = <table>, or <table>-seeds-3 for `--seeds=3`.

A seed s is labelled subset s (`genvdisc.semisupervised.labelled_indices`: n / 10 per class,
drawn with seed s's run key) plus model init s. M1's VAE is unsupervised and trained once
(seed 0) for every seed. Neural parts train on the engine in OUT/<config name>-<variant>
workdirs (resumable, read back when finished); every run's seed_group is fixed by its config,
so `--seeds=3` reproduces seed 3's numbers of the full run bitwise (tests/test_semisupervised.py).

  m1: LR and the linear SVM on raw pixels vs on M1's posterior means, 20/50/100/all labels.
  m2: M2 on pixels and M1+M2 (M2 on M1's standardised posterior means, Gaussian p(x|y,z)),
      50 and 100 labels; test error of q(y|x).
  augment: LeNet on the 100 labelled images alone, with random ±1-pixel shifts, and with
      class-conditional samples of that seed's M2 (100 labels).
"""

from __future__ import annotations

import csv
import functools
import importlib
import io
import os
import time

import jax
import jax.numpy as jnp
import numpy as np

from experiments.ngjordan import parse_seeds
from genvdisc import data, learning_curves, results, semisupervised
from genvdisc.train import generative_tasks
from genvdisc.train.run import restore_seed_params, train_and_evaluate

CLASSIFIER_LABELS = {"logreg": "LR", "linear_svm": "SVM"}
# Kingma et al. (2014), Table 1, MNIST with 100 labels: test error %.
MNIST_ANCHOR = {"m2": "MNIST, 100 labels: 11.97 ± 1.71", "m1m2": "MNIST, 100 labels: 3.33 ± 0.14"}


def get_config(name: str):
  return importlib.import_module(f"experiments.configs.{name}").get_config()


def _seeds(seeds: str | None, num_seeds: int) -> tuple[int, ...]:
  return tuple(range(num_seeds)) if seeds is None else parse_seeds(seeds)


def _stem(table: str, seeds: str | None) -> str:
  return table + ("" if seeds is None else "-seeds-" + seeds.replace(",", "-"))


def _mean_std(values) -> str:
  stat = results.mean_std(values)
  return f"{100 * stat['mean']:.1f} ± {100 * stat['std']:.1f}"


def _write(out: str, stem: str, text: str, rows: list[list], record: dict, plot) -> None:
  """OUT/<stem>.md, .csv (rows, the first one the header), .json (record) and .png (plot(path))."""
  os.makedirs(out, exist_ok=True)
  buffer = io.StringIO()
  csv.writer(buffer, lineterminator="\n").writerows(rows)
  results.write_text_atomic(os.path.join(out, f"{stem}.md"), text)
  results.write_text_atomic(os.path.join(out, f"{stem}.csv"), buffer.getvalue())
  results.write_json_atomic(os.path.join(out, f"{stem}.json"),
                            {**record, "versions": results.package_versions()})
  plot(os.path.join(out, f"{stem}.png"))


def _save_figure(fig, path: str) -> None:
  import matplotlib.pyplot as plt
  fig.tight_layout()
  tmp = path + ".tmp.png"
  fig.savefig(tmp, dpi=120)
  plt.close(fig)
  os.replace(tmp, path)


def _pyplot():
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  return plt


# ------------------------------------------------------------------------------------------ M1
def m1_features(out: str, vae: str = "m1_vae_digits", log=print) -> tuple[np.ndarray, np.ndarray]:
  """M1's features: posterior means E_q[z|x] of the digits train and test splits under the VAE
  `vae` (trained in OUT/<vae> without labels, or read back)."""
  config = get_config(vae)
  dataset = data.load(config.dataset)
  train_and_evaluate(config, os.path.join(out, config.name), log=log)
  (seed, params), = restore_seed_params(config, os.path.join(out, config.name)).items()
  encode = jax.jit(lambda x: generative_tasks.posterior_means(config, params, x))
  return np.asarray(encode(dataset.x_train)), np.asarray(encode(dataset.x_test))


def _label_counts(text: str, num_train: int) -> list[int]:
  return [num_train if n == "all" else int(n) for n in text.split(",")]


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
  counts = _label_counts(config.num_labels, dataset.num_train)
  n_train = dataset.num_train
  y = jnp.asarray(np.concatenate([dataset.y_train, dataset.y_test]))
  weights = np.zeros((len(seeds), len(counts), n_train + dataset.num_test), np.float32)
  for i, s in enumerate(seeds):
    for j, n in enumerate(counts):
      weights[i, j, semisupervised.labelled_indices(dataset.y_train, n, s) if n < n_train
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


def reproduce_m1(out: str, seeds: str | None = None, log=print) -> str:
  """The m1 table (module docstring; experiments/configs/m1.py)."""
  config = get_config("m1")
  split_seeds = _seeds(seeds, config.num_seeds)
  start = time.time()
  dataset = data.load("digits")
  features = {"pixels": (dataset.x_train.reshape(dataset.num_train, -1),
                         dataset.x_test.reshape(dataset.num_test, -1)),
              "M1": m1_features(out, config.vae, log)}
  if config.standardize:
    features = {name: semisupervised.standardize(*pair) for name, pair in features.items()}
  errors = m1_errors(config, features, dataset, split_seeds)
  counts = config.num_labels.split(",")
  lines = [f"Test error % on digits, mean ± std over seeds {','.join(map(str, split_seeds))} "
           f"(C = {config.C:g}; features {'' if config.standardize else 'not '}standardised):", "",
           "| classifier | features | " + " | ".join(f"{n} labels" for n in counts) + " |",
           "|---" * (2 + len(counts)) + "|"]
  rows = [["classifier", "features", "num_labels", "seeds", "test_error_mean", "test_error_std"]]
  for classifier in config.classifiers.split(","):
    for name in features:
      per_seed = np.asarray(errors[name][classifier])
      lines.append(f"| {CLASSIFIER_LABELS[classifier]} | {name} | "
                   + " | ".join(_mean_std(per_seed[:, j]) for j in range(len(counts))) + " |")
      for j, n in enumerate(counts):
        stat = results.mean_std(per_seed[:, j])
        rows.append([classifier, name, n, len(split_seeds), f"{stat['mean']:.5f}",
                     f"{stat['std']:.5f}"])
  text = "\n".join(lines) + "\n"

  def plot(path):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    x = range(len(counts))
    for classifier in config.classifiers.split(","):
      for name in features:
        e = 100 * np.asarray(errors[name][classifier])
        ax.errorbar(x, e.mean(0), yerr=e.std(0, ddof=1) if len(e) > 1 else None, marker="o",
                    capsize=3, linestyle="-" if name == "M1" else "--",
                    label=f"{CLASSIFIER_LABELS[classifier]}, {name}")
    ax.set_xticks(list(x), counts)
    ax.set_xlabel("labelled examples")
    ax.set_ylabel("test error %")
    ax.set_title("digits: M1 features vs raw pixels")
    ax.legend()
    _save_figure(fig, path)

  _write(out, _stem("m1", seeds), text, rows,
         {"config": config.to_dict(), "seeds": list(split_seeds), "errors": errors,
          "wall_time_s": time.time() - start}, plot)
  return text


# ------------------------------------------------------------------------------------------ M2
M2_MODELS = {"m2": "m2_digits", "m1m2": "m1m2_digits"}   # row -> experiments/configs module
M2_LABELS = {"m2": "M2", "m1m2": "M1+M2"}
M2_NUM_LABELS = (50, 100)


def _workdir(out: str, name: str, variant: str, seeds: str | None) -> str:
  return os.path.join(out, f"{name}-{variant}" + ("" if seeds is None else
                                                  "-seeds-" + seeds.replace(",", "-")))


def _m2_setup(out: str, model: str, num_labels: int, seeds: str | None, log):
  """(config, workdir, dataset) of `model` ('m2' or 'm1m2') with `num_labels` labels."""
  config = get_config(M2_MODELS[model])
  config.num_labels = num_labels
  if seeds is not None:
    config.seeds = seeds
  dataset = data.load(config.dataset)
  if model == "m1m2":
    dataset = semisupervised.with_features(dataset, f"{config.dataset}_m1",
                                           *m1_features(out, get_config("m1").vae, log))
  return config, _workdir(out, config.name, f"{num_labels}labels", seeds), dataset


def m2_run(out: str, model: str, num_labels: int, seeds: str | None = None, log=print) -> dict:
  """Trains (or reads back) `model` ('m2' or 'm1m2') with `num_labels` labels for `seeds`
  (default: the config's) in OUT/<config name>-<num_labels>labels; returns results.json."""
  config, workdir, dataset = _m2_setup(out, model, num_labels, seeds, log)
  return train_and_evaluate(config, workdir, log=log, dataset=dataset)


def reproduce_m2(out: str, seeds: str | None = None, log=print) -> str:
  """The m2 table (module docstring): test error of q(y|x), M2 and M1+M2, 50 and 100 labels."""
  start = time.time()
  runs = {(model, n): m2_run(out, model, n, seeds, log) for model in M2_MODELS
          for n in M2_NUM_LABELS}
  errors = {f"{model}/{n}": {s: 1.0 - m["test_accuracy"] for s, m in r["per_seed"].items()}
            for (model, n), r in runs.items()}
  seed_list = next(iter(errors.values())).keys()
  lines = [f"Test error % of q(y|x) on digits, mean ± std over seeds {','.join(seed_list)}:", "",
           "| model | " + " | ".join(f"{n} labels" for n in M2_NUM_LABELS)
           + " | wall s | Kingma et al. 2014 (MNIST, not digits) |",
           "|---" * (3 + len(M2_NUM_LABELS)) + "|"]
  rows = [["model", "num_labels", "seeds", "test_error_mean", "test_error_std", "wall_time_s"]]
  for model in M2_MODELS:
    cells = [_mean_std(list(errors[f"{model}/{n}"].values())) for n in M2_NUM_LABELS]
    wall = sum(runs[model, n]["wall_time_s"] for n in M2_NUM_LABELS)
    lines.append(f"| {M2_LABELS[model]} | " + " | ".join(cells)
                 + f" | {wall:.0f} | {MNIST_ANCHOR[model]} |")
    for n in M2_NUM_LABELS:
      stat = results.mean_std(list(errors[f"{model}/{n}"].values()))
      rows.append([model, n, stat["n"], f"{stat['mean']:.5f}", f"{stat['std']:.5f}",
                   f"{runs[model, n]['wall_time_s']:.1f}"])
  text = "\n".join(lines) + "\n"

  def plot(path):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    width = 0.8 / len(M2_MODELS)
    for i, model in enumerate(M2_MODELS):
      e = [100 * np.asarray(list(errors[f"{model}/{n}"].values())) for n in M2_NUM_LABELS]
      ax.bar([j + i * width for j in range(len(M2_NUM_LABELS))], [v.mean() for v in e],
             width, yerr=[v.std(ddof=1) if len(v) > 1 else 0 for v in e], capsize=4,
             label=M2_LABELS[model])
    ax.set_xticks([j + width / 2 for j in range(len(M2_NUM_LABELS))],
                  [f"{n} labels" for n in M2_NUM_LABELS])
    ax.set_ylabel("test error %")
    ax.set_title("digits: semi-supervised M2 and M1+M2 (mean ± std over seeds)")
    ax.legend()
    _save_figure(fig, path)

  _write(out, _stem("m2", seeds), text, rows,
         {"configs": {f"{m}/{n}": r["config"] for (m, n), r in runs.items()},
          "test_error": errors, "wall_time_s": time.time() - start}, plot)
  return text


# ------------------------------------------------------------------------------------- augment
AUGMENT_VARIANTS = {"none": (0, False), "shift": (1, False), "generated": (0, True)}
# variant -> (random shift in pixels, add M2 samples)
GENERATION_KEY_DATA = 1


def m2_samples(out: str, num_labels: int, per_class: int, seeds: tuple[int, ...],
               seeds_flag: str | None, log=print) -> dict[int, tuple[np.ndarray, np.ndarray]]:
  """{seed: (images, labels)}: `per_class` samples E[x|y,z], z ~ N(0, I), of every class from
  that seed's M2 (trained or read back by `m2_run`), drawn with fold_in(PRNGKey(seed), 1)."""
  m2_run(out, "m2", num_labels, seeds_flag, log)
  config, workdir, dataset = _m2_setup(out, "m2", num_labels, seeds_flag, log)
  params = restore_seed_params(config, workdir)
  generate = jax.jit(generative_tasks.m2_networks(config, dataset).generate)
  y = np.repeat(np.arange(dataset.num_classes, dtype=np.int32), per_class)
  return {s: (np.asarray(generate(params[s], jax.random.fold_in(jax.random.PRNGKey(s),
                                                                GENERATION_KEY_DATA), y)), y)
          for s in seeds}


def reproduce_augment(out: str, seeds: str | None = None, log=print) -> str:
  """The augment table (experiments/configs/augment.py): LeNet test accuracy per variant."""
  config = get_config("augment")
  seed_list = _seeds(seeds, config.num_seeds)
  start = time.time()
  dataset = data.load("digits")
  samples = m2_samples(out, config.num_labels, config.generated_per_class, seed_list, seeds, log)
  accuracy = {v: {} for v in AUGMENT_VARIANTS}
  wall = {v: 0.0 for v in AUGMENT_VARIANTS}
  for variant, (shift, generated) in AUGMENT_VARIANTS.items():
    for s in seed_list:
      cnn = get_config(config.classifier)
      cnn.seeds, cnn.random_shift = str(s), shift
      indices = semisupervised.labelled_indices(dataset.y_train, config.num_labels, s)
      train = semisupervised.training_subset(dataset, indices, *(samples[s] if generated else ()))
      r = train_and_evaluate(cnn, os.path.join(out, f"{cnn.name}-{variant}-seed{s}"), log=log,
                             dataset=train)
      accuracy[variant][str(s)] = r["per_seed"][str(s)]["test_accuracy"]
      wall[variant] += r["wall_time_s"]
  lines = [f"LeNet test accuracy % on digits with {config.num_labels} labels, mean ± std over "
           f"seeds {','.join(map(str, seed_list))} ({config.generated_per_class} M2 samples per "
           "class when generated):", "",
           "| training data | test acc % | wall s |", "|---|---|---|"]
  rows = [["variant", "seeds", "test_acc_mean", "test_acc_std", "wall_time_s"]]
  for variant in AUGMENT_VARIANTS:
    stat = results.mean_std(list(accuracy[variant].values()))
    lines.append(f"| {config.num_labels} labels, {variant} | "
                 f"{_mean_std(accuracy[variant].values())} | {wall[variant]:.0f} |")
    rows.append([variant, stat["n"], f"{stat['mean']:.5f}", f"{stat['std']:.5f}",
                 f"{wall[variant]:.1f}"])
  text = "\n".join(lines) + "\n"

  def plot(path):
    plt = _pyplot()
    fig, (ax, grid) = plt.subplots(1, 2, figsize=(10, 4.5))
    acc = [100 * np.asarray(list(accuracy[v].values())) for v in AUGMENT_VARIANTS]
    ax.bar(range(len(acc)), [a.mean() for a in acc],
           yerr=[a.std(ddof=1) if len(a) > 1 else 0 for a in acc], capsize=4)
    ax.set_xticks(range(len(acc)), list(AUGMENT_VARIANTS), rotation=20)
    ax.set_ylim(min(a.mean() for a in acc) - 10, 100)
    ax.set_ylabel("test accuracy %")
    ax.set_title(f"LeNet, {config.num_labels} labels (mean ± std over seeds)")
    images, _ = samples[seed_list[0]]
    per_class = config.generated_per_class
    picked = images.reshape(dataset.num_classes, per_class, 8, 8)[:, :10]
    grid.imshow(picked.transpose(0, 2, 1, 3).reshape(dataset.num_classes * 8, -1), cmap="gray")
    grid.set_title(f"M2 samples, seed {seed_list[0]} (one class per row)")
    grid.axis("off")
    _save_figure(fig, path)

  _write(out, _stem("augment", seeds), text, rows,
         {"config": config.to_dict(), "seeds": list(seed_list), "test_accuracy": accuracy,
          "wall_time_s": time.time() - start}, plot)
  return text
