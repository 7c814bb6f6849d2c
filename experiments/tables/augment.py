"""The augment table: generative data augmentation for LeNet on digits with 100 labels
(its settings: `settings()`).

  python -m experiments.reproduce --table=augment --out=results
  python -m experiments.reproduce --table=augment --out=results --seeds=3   # seed 3 alone, equal

Seed s: the 100 labelled images of subset s (`genvdisc.data.subsets.labelled_indices`), LeNet
(augment_lenet_digits) trained on (a) them alone, (b) them with random ±1-pixel shifts,
(c) them plus `generated_per_class` samples per class of seed s's M2 (m2_digits with 100
labels, trained on the same labelled subset and every training image unlabelled:
E[x|y,z] of its decoder, z ~ N(0, I)).

Variants (a) 'none', (b) 'shift' and (c) 'generated' (M2 from `semisupervised.m2_run` with the
same labels); the settings' classifier, seed s, trains in OUT/<classifier name>-<variant>-seed<s>.
Record {'config', 'seeds', 'test_accuracy': {variant: {seed: accuracy}},
'wall_time_s_per_variant'}. Asked for some variants (`only`), the table trains just theirs (M2
only for 'generated').
"""

from __future__ import annotations

import functools
import os
import time

import jax
import ml_collections
import numpy as np

from experiments.configs import get_config
from experiments.tables.semisupervised import m2_run, seed_list
from experiments.tables.spec import Cell, GridRow, Section, Table, TableData, wanted
from experiments.tables.writers import point_key, point_panel
from genvdisc import data, rng
from genvdisc.data import subsets
from genvdisc.report.format import Stat
from genvdisc.report.plots import grid, pyplot
from genvdisc.tasks.registry import from_config
from genvdisc.train.run import restore_seed_params
from genvdisc.train.sweep import train_and_evaluate

ACCURACY = Stat("test acc %", 100.0)
VARIANTS = {"none": (0, False), "shift": (1, False), "generated": (0, True)}
# variant -> (random shift in pixels, add M2 samples)


def settings() -> ml_collections.ConfigDict:
  """The table's settings (module docstring)."""
  config = ml_collections.ConfigDict()
  config.classifier = "augment_lenet_digits"  # experiments/configs module of the CNN
  config.num_labels = 100            # labelled images of seed s's subset (num_labels / 10 per class)
  config.generated_per_class = 50    # M2 samples per class added in (c)
  config.num_seeds = 5               # seeds 0..num_seeds-1 (--seeds overrides)
  return config


def m2_samples(out: str, num_labels: int, per_class: int, seeds: tuple[int, ...],
               m2_seeds: tuple[int, ...] | None, log=print) -> dict[int, tuple[np.ndarray, ...]]:
  """{seed: (images, labels)}: `per_class` samples E[x|y,z], z ~ N(0, I), of every class from
  that seed's M2 (`m2_run` over `m2_seeds`, None = the M2 config's), drawn with
  rng.generation_key(seed)."""
  config, workdir, dataset, _ = m2_run(out, "m2", num_labels, m2_seeds, log)
  params = restore_seed_params(config, workdir)
  task = from_config(config, dataset)
  sample = jax.jit(lambda p, key, y: task.sample(p, key, y.shape[0], labels=y))
  y = np.repeat(np.arange(dataset.num_classes, dtype=np.int32), per_class)
  return {s: (np.asarray(sample(params[s], rng.generation_key(s), y)), y) for s in seeds}


def compute(out: str, seeds: tuple[int, ...] | None, log=print, sets=(), only=None) -> TableData:
  """LeNet test accuracy per variant (module docstring)."""
  config = settings()
  run_seeds = seed_list(seeds, config.num_seeds)
  start = time.time()
  dataset = data.load("digits")
  variants = {v: how for v, how in VARIANTS.items() if wanted(only, v)}
  samples = (m2_samples(out, config.num_labels, config.generated_per_class, run_seeds, seeds, log)
             if any(generated for _, generated in variants.values()) else {})
  accuracy = {v: {} for v in variants}
  wall = {v: 0.0 for v in variants}
  for variant, (shift, generated) in variants.items():
    for s in run_seeds:
      cnn = get_config(config.classifier)
      cnn.seeds, cnn.random_shift = str(s), shift
      indices = subsets.labelled_indices(dataset.y_train, config.num_labels, s)
      train = subsets.training_subset(dataset, indices, *(samples[s] if generated else ()))
      r = train_and_evaluate(cnn, os.path.join(out, f"{cnn.name}-{variant}-seed{s}"), log=log,
                             dataset=train)
      accuracy[variant][str(s)] = r["per_seed"][str(s)]["test_accuracy"]
      wall[variant] += r["wall_time_s"]
  record = {"config": config.to_dict(), "seeds": list(run_seeds), "test_accuracy": accuracy,
            "wall_time_s_per_variant": wall, "wall_time_s": time.time() - start}
  return TableData(record, {"": functools.partial(plot, record, samples[run_seeds[0]][0])}
                   if samples else {})


def sections(record: dict) -> tuple[Section, ...]:
  """One grid row per variant of VARIANTS."""
  config, accuracy = record["config"], record["test_accuracy"]
  n = config["num_labels"]
  rows = tuple(GridRow((f"{n} labels, {v}",), (Cell(tuple(accuracy[v].values()), ACCURACY),),
                       (f"{record['wall_time_s_per_variant'][v]:.0f}",)) for v in VARIANTS)
  return (Section(f"LeNet test accuracy % on digits with {n} labels, mean ± std over seeds "
                  f"{','.join(map(str, record['seeds']))} ({config['generated_per_class']} M2 "
                  "samples per class when generated):", ("training data",), ("test acc %",),
                  ("wall s",), rows),)


def accuracy_panel(ax, record: dict) -> None:
  """Test accuracy per variant on `ax` (`writers.point_panel`; each seed's variants joined)."""
  section, = sections(record)
  point_panel(ax, ACCURACY, [(variant, row.cells[0], None)
                             for variant, row in zip(VARIANTS, section.rows)], paired=True)
  ax.set_title(f"LeNet, {record['config']['num_labels']} labels\n"
               f"{point_key([ACCURACY], False)}; grey lines join a seed", fontsize=9)


def plot(record: dict, images: np.ndarray):
  """`accuracy_panel` beside a grid of the first seed's M2 samples."""
  config = record["config"]
  fig, (ax, samples) = pyplot().subplots(1, 2, figsize=(10, 4.5))
  accuracy_panel(ax, record)
  per_class = config["generated_per_class"]
  picked = images.reshape(-1, per_class, 8, 8, 1)[:, :10]
  samples.imshow(grid(picked.reshape(-1, 8, 8, 1), columns=picked.shape[1])[..., 0], cmap="gray",
                 vmin=0.0, vmax=1.0)
  samples.set_title(f"M2 samples, seed {record['seeds'][0]} (one class per row)")
  samples.axis("off")
  return fig


TABLE = Table("augment", compute, sections)
