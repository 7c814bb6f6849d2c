"""The deep two regimes (`--table=genclf_digits`, `--table=genclf_mnist1d`): generative classifiers by Bayes' rule against their
discriminative twins, test accuracy against m labelled training examples per class.

A generative classifier predicts argmax_y log p(x|y) + log p(y) (`genvdisc.tasks.bayes`; p(y)
uniform on the balanced subsets, the training frequencies with m = all) from a class-conditional
model trained on the labelled subset only: the conditional VAE (importance-weighted log p(x|y),
config.classify_samples per class), the conditional DDPM (stratified bound from
config.classify_timesteps t's, the same (t, eps) for every class) and the conditional AR
Transformer (exact), and the closed-form GNB / LDA / QDA. Each sits beside its twin, trained by
cross-entropy from the same network family (`PAIRS`).

Seed s = labelled subset s (`data.subsets.labelled_subset` of the seed's run key, the subset M2
labels; config.labels_per_class = m) + init s, on split seed 0; every row is an engine run over
the seeds in OUT/genclf/<row><suffix> (resumable; --seeds reruns seeds alone, each equal to its
entry in the full run), evaluated once at the end on the test split, clean and corrupted
(`genvdisc.tasks.robustness`). The closed-form rows fit subset s of seed s with 0/1 weights.

Crossover m of a pair: as in the ngjordan table (`ngjordan.crossover`) on mean accuracy, and per
seed (the seeds share their subsets across a pair, so each seed has its own pair of curves): the
median and range of the seeds' crossovers, its uncertainty. Record: {'table', 'sizes',
'datasets': {dataset: {'rows': {row: {'family', 'role', 'config', 'per_size': {m: per_seed}},
'wall_time_s'}}}}.
"""

from __future__ import annotations

import functools
import os
import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from experiments.tables import ngjordan, trained
from experiments.tables.spec import Cell, GridRow, Section, Table, TableData, wanted
from experiments.tables.writers import curves_panel
from genvdisc import data, rng
from genvdisc.analysis import closed_form
from genvdisc.report.format import Stat
from genvdisc.report.plots import pyplot
from genvdisc.tasks import registry, robustness
from genvdisc.train.run import restore_seed_params

SIZES = (1, 2, 5, 10, 20, 50, 0)           # labelled examples per class; 0 = the whole split
SEEDS = (0, 1, 2, 3, 4)
ACCURACY = Stat("test acc %", 100.0)
CORRUPTIONS = tuple(f"accuracy_noise_{level:g}" for level in robustness.NOISE_LEVELS) + (
    "accuracy_shift",)
# Every row: trained on its labelled subset, scored once at the end (clean, and with all labels
# also corrupted).
_COMMON = (("eval_every", 0),)
_GENERATIVE = (("judge", ""), ("image_grid", 0), ("eval_splits", "test"))
_DENOISER_BACKBONE = (("model", "residual_mlp"),
                      ("model_kwargs", ml_collections.ConfigDict({"width": 256, "num_blocks": 2})))
# Shorter than the configs' recipes (DDPM 5000 steps, AR 1500, its classifier 1000) so that the
# 7 sizes x 5 seeds fit a 2-core CPU; the DDPM classifier scores each class on 20 t's.
_DDPM = (("num_steps", 2000), ("checkpoint_every", 2000), ("log_every", 500),
         ("classify_timesteps", 20))
_AR_STEPS = (("num_steps", 500), ("checkpoint_every", 500), ("log_every", 500))
_QDA = {"reg_param": 0.01}                 # digits has constant pixels: C_k is singular


class Pair(NamedTuple):
  family: str                     # what the two share
  generative: trained.Row | str   # a conditional model's row, or a closed-form model name
  twin: trained.Row


PAIRS: dict[str, tuple[Pair, ...]] = {
    "digits": (
        Pair("gaussian", "gnb", trained.Row("logreg_digits")),
        Pair("gaussian", "lda", trained.Row("logreg_digits")),
        Pair("gaussian", "qda", trained.Row("logreg_digits")),
        # 20 importance samples per class (100 for the NLL metric) keep the 5 scorings (clean,
        # noisy, shifted) of 10 classes affordable; eval batches of 50 bound their memory
        Pair("vae", trained.Row("vae_digits_categorical", overrides=(
            ("conditional", True), ("classify_samples", 20), ("iw_samples", 100),
            ("eval_batch_size", 50))),
             trained.Row("mlp_digits", overrides=(("model_kwargs.hidden_sizes", (200, 200)),),
                         name="mlp200_digits")),
        Pair("ddpm", trained.Row("ddpm_digits_conditional", overrides=_DDPM),
             trained.Row("mlp_digits", overrides=_DENOISER_BACKBONE, name="residual_mlp_digits")),
        Pair("ar", trained.Row("ar_digits_conditional", overrides=_AR_STEPS),
             trained.Row("ar_classifier_digits", overrides=_AR_STEPS)),
    ),
    "mnist1d": (
        Pair("gaussian", "gnb", trained.Row("logreg_mnist1d")),
        Pair("gaussian", "lda", trained.Row("logreg_mnist1d")),
        Pair("gaussian", "qda", trained.Row("logreg_mnist1d")),
        Pair("ddpm", trained.Row("ddpm_mnist1d", overrides=(("conditional", True),) + _DDPM),
             trained.Row("mlp_mnist1d", overrides=_DENOISER_BACKBONE, name="residual_mlp_mnist1d")),
        Pair("ar", trained.Row("ar_mnist1d", overrides=(("conditional", True),) + _AR_STEPS),
             trained.Row("ar_classifier_digits", overrides=(("dataset", "mnist1d"),) + _AR_STEPS,
                         name="ar_classifier_mnist1d")),
    ),
}


def size_label(m: int) -> str:
  return f"m={m}" if m else "all"


def row_name(row: trained.Row | str, dataset: str) -> str:
  """The closed-form model's or the row's name ('ddpm_digits_conditional'), '_digits' added to
  a closed-form name."""
  return f"{row}_{dataset}" if isinstance(row, str) else row.label


def ordered_rows(dataset: str, rows: dict) -> dict:
  """`rows` in the table's order, `PAIRS` (each pair's generative row, then its twin), whatever
  order the record keeps them in (its json is written with sorted keys)."""
  order = [row_name(row, dataset) for pair in PAIRS[dataset]
           for row in (pair.generative, pair.twin)]
  return dict(sorted(rows.items(), key=lambda item: order.index(item[0])))


def compute(dataset: str, out: str, seeds: tuple[int, ...] | None, log=print,
            sets=(), only=None) -> TableData:
  """Every row of `dataset`'s pairs at every m (module docstring); a row shared by pairs (LR)
  runs once. `only` ('<row> m=<m>', '<row> all') trains just the (row, m) runs it names."""
  del sets  # not a --set table
  requested, seeds = seeds, SEEDS if seeds is None else seeds   # None: the rows' own seeds 0-4
  workdirs = os.path.join(out, "genclf")
  rows = {}
  for pair in PAIRS[dataset]:
    for role, row in (("generative", pair.generative), ("discriminative", pair.twin)):
      name = row_name(row, dataset)
      sizes = tuple(m for m in SIZES if wanted(only, f"{name} {size_label(m)}"))
      if name not in rows and sizes:
        rows[name] = {"family": pair.family, "role": role,
                      **row_results(row, dataset, role == "generative", workdirs, requested,
                                    seeds, log, sizes)}
  record = {"table": f"genclf_{dataset}", "sizes": list(SIZES), "seeds": list(seeds),
            "datasets": {dataset: {"rows": rows}}}
  return TableData(record, {"": functools.partial(plot, dataset, record["datasets"][dataset])})


def row_results(row: trained.Row | str, dataset: str, generative: bool, workdirs: str,
                requested: tuple[int, ...] | None, seeds: tuple[int, ...], log,
                sizes: tuple[int, ...] = SIZES) -> dict:
  """{'per_size': {m: per_seed} for m in `sizes`, 'wall_time_s' (the runs' own, summed over m),
  'seconds_per_1000' (of the m = 0 run; None without it)} of one row."""
  per_size, wall = {}, 0.0
  for m in sizes:
    results = (closed_form_results(row, dataset, m, seeds) if isinstance(row, str) else
               trained.train_row(sized_row(row, m, generative), workdirs, requested, log, ()))
    per_size[str(m)], wall = results["per_seed"], wall + results["wall_time_s"]
    log(f"[genclf {row_name(row, dataset)} {size_label(m)}] test acc "
        f"{ACCURACY.text(_values(per_size[str(m)], 'test_accuracy'))}")
  cost = None if isinstance(row, str) or 0 not in sizes else seconds_per_1000(
      sized_row(row, 0, generative), workdirs, requested)
  return {"per_size": per_size, "wall_time_s": wall, "seconds_per_1000": cost}


def sized_row(row: trained.Row, m: int, generative: bool) -> trained.Row:
  """`row` on labelled subsets of m per class: workdir OUT/genclf/<row>_m<m> (_all for m = 0)."""
  overrides = row.overrides + _COMMON + (("labels_per_class", m), ("robustness", m == 0)) + (
      _GENERATIVE if generative else ())
  return row._replace(overrides=overrides, name=f"{row.label}_{'all' if m == 0 else f'm{m}'}")


def seconds_per_1000(row: trained.Row, out: str, seeds: tuple[int, ...] | None) -> float:
  """Wall seconds of the jitted `task.predict` of the first seed's trained params on 1000 test
  inputs (the test split tiled), compiled first; the median of 3 calls."""
  config = trained.row_config(row, seeds, ())
  dataset = data.load(config.dataset)
  params = restore_seed_params(config, trained.row_workdir(row, out, seeds, ()), dataset)
  params = params[min(params)]
  predict = jax.jit(registry.from_config(config, dataset).predict)
  x = jnp.asarray(np.resize(dataset.x_test, (1000, *dataset.example_shape)))
  key = rng.split_key(0)
  predict(params, x, key).block_until_ready()
  times = []
  for _ in range(3):
    start = time.perf_counter()
    predict(params, x, key).block_until_ready()
    times.append(time.perf_counter() - start)
  return float(np.median(times))


def closed_form_results(model: str, dataset: str, m: int, seeds) -> dict:
  """GNB / LDA / QDA fitted on seed s's labelled subset of split seed 0 (all of the split for
  m = 0), its test accuracy clean and corrupted (the corruption key PRNGKey(s)), as the
  trained rows' evaluation computes them (`closed_form.run`)."""
  return closed_form.run(row_name(model, dataset), model, dataset, seeds,
                         _QDA if model == "qda" else {}, split_seed=0, labels_per_class=m,
                         splits=(), corrupted=True)


def _row_keys(name: str, row: dict) -> tuple[str, str, str]:
  return name, row["family"], row["role"]


def _row_texts(row: dict) -> tuple[str, str]:
  """Seconds to classify 1000 test images (closed form: '-', not measured), the row's wall time."""
  cost = row.get("seconds_per_1000")
  return "-" if cost is None else f"{cost:.3g}", f"{row['wall_time_s']:.0f}"


def _values(per_seed: dict, key: str) -> tuple[float, ...]:
  return tuple(r[key] for r in per_seed.values()
               if r.get("diverged_at_step") is None and r.get(key) is not None)


def _curves(row: dict, key: str = "test_accuracy") -> np.ndarray:
  """[seeds][sizes] values of `key` (seeds that diverged at some m drop out)."""
  seeds = set.intersection(*(set(s for s, r in ps.items() if r.get("diverged_at_step") is None)
                             for ps in row["per_size"].values()))
  return np.asarray([[row["per_size"][str(m)][s][key] for m in SIZES] for s in sorted(seeds)])


def crossover_text(generative: dict, twin: dict) -> tuple[str, str]:
  """(crossover m of the mean curves, median [min, max] of the seeds' crossovers)."""
  labels = [size_label(m) for m in SIZES]
  gen, disc = _curves(generative), _curves(twin)
  mean = ngjordan.crossover(labels, -gen.mean(0), -disc.mean(0))
  per_seed = [ngjordan.crossover(labels, -g, -d) for g, d in zip(gen, disc)]
  found = [labels.index(c) for c in per_seed if c in labels]
  spread = (f"{labels[int(np.median(found))]} [{labels[min(found)]}, {labels[max(found)]}], "
            f"{len(found)}/{len(per_seed)} seeds cross" if found else
            f"no seed crosses ({per_seed[0]})")
  return mean, spread


def sections(record: dict) -> tuple[Section, ...]:
  """Per dataset: accuracy per m of every row, the pairs' crossovers, robustness at m = all."""
  out = []
  for dataset, r in record["datasets"].items():
    rows = ordered_rows(dataset, r["rows"])
    grid = tuple(GridRow(_row_keys(name, row),
                         tuple(Cell(_values(row["per_size"][str(m)], "test_accuracy"), ACCURACY)
                               for m in SIZES), _row_texts(row))
                 for name, row in rows.items())
    out.append(Section(f"{dataset}: test accuracy % (mean ± std over seeds = labelled subsets + "
                       "inits) against labelled examples per class", ("row", "family", "role"),
                       tuple(size_label(m) for m in SIZES), ("s / 1000 images", "wall s"), grid,
                       (("dataset", dataset),)))
    crossings = []
    for pair in PAIRS[dataset]:
      gen, twin = row_name(pair.generative, dataset), row_name(pair.twin, dataset)
      if gen in rows and twin in rows:
        crossings.append(GridRow((gen, twin), (), crossover_text(rows[gen], rows[twin])))
    out.append(Section(f"{dataset}: crossover m, from which the discriminative twin is more "
                       "accurate at every larger m", ("generative", "discriminative"), (),
                       ("mean curves", "per seed: median [min, max]"), tuple(crossings),
                       (("dataset", dataset),)))
    corrupted = tuple(GridRow(_row_keys(name, row), tuple(
        Cell(_values(row["per_size"]["0"], f"test_{key}"), ACCURACY)
        for key in ("accuracy",) + CORRUPTIONS), _row_texts(row)) for name, row in rows.items())
    out.append(Section(f"{dataset}, all labels: test accuracy % under additive Gaussian noise "
                       "(sigma = level x the training inputs' std, clipped to their range) and "
                       "random 1-pixel shifts", ("row", "family", "role"),
                       ("clean",) + tuple(k.removeprefix("accuracy_") for k in CORRUPTIONS),
                       ("s / 1000 images", "wall s"), corrupted, (("dataset", dataset),)))
  return tuple(out)


def plot(dataset: str, r: dict):
  """Test accuracy against m, one line per row (dashed: generative)."""
  fig, ax = pyplot().subplots(figsize=(7, 4.5))
  rows = ordered_rows(dataset, r["rows"])
  curves = {name: _curves(row) for name, row in rows.items()}
  dashed = [name for name, row in rows.items() if row["role"] == "generative"]
  curves_panel(ax, [size_label(m) for m in SIZES], curves, ACCURACY, dashed)
  ax.set_xlabel("labelled examples per class")
  ax.set_title(f"{dataset}: generative (dashed) vs discriminative classifiers")
  ax.legend(fontsize=7)
  return fig


TABLES = tuple(Table(f"genclf_{dataset}", functools.partial(compute, dataset), sections)
               for dataset in PAIRS)
