"""The likelihood table (`--table=likelihood`): every generative model of sklearn digits scored on
one quantity, -log P(x) of a test image at its K = 17 integer levels (pixels k/16, D = 64 values),
in nats per image and in bits/dim (= nats / (64 ln 2)), mean ± std over seeds 0-4 (--seeds picks
them; the test split of split seed 0, 450 images). Each row says what its number is:

- exact: log P(x) itself: the autoregressive Transformer (ar_digits, the chain rule over the 64
  pixels) and the uniform model over the 17 levels (a categorical with zero logits, 64 ln 17 =
  181.3257 nats, the same for every seed).
- estimate: the importance-weighted log p^(x), k = 5000, of a VAE and an IWAE with a 17-way
  categorical decoder (vae_digits_categorical, iwae_digits_categorical) and of a VAE with a
  discretised logistic decoder (vae_digits_logistic); E[log p^(x)] <= log P(x).
- bound: an upper bound on -log P(x): DDPM's variational bound L_vlb (ddpm_digits), and
  continuous densities p(y) under uniform dequantisation (Theis et al. 2016), fitted by maximum
  likelihood to the training split dequantised once, y = x + (u - 1/2) w, u ~ U[0, 1)^64,
  w = 1/16, and scored on `DEQUANTIZATIONS` draws of y per test image as

    -log P(x) <= -E_u[log p(x + (u - 1/2) w)] - 64 log w,   -64 log w = 64 ln 16 = 177.45 nats

  (`objectives.dequantized_log_likelihood_bound`): GNB and QDA (reg_param 0.01, as in
  the other tables) as p(y) = sum_c pi_c p(y|c) with the training split's class frequencies pi_c,
  and an unsupervised mixture of 10 full-covariance Gaussians (sklearn GaussianMixture, k-means
  initialisation, its default reg_covar 1e-6). None of them is tuned.

Seed s: a trained row trains seed s (`train_and_evaluate` in OUT/<row><suffix>, metric
test_nll; --set applies to these rows); a dequantised row draws its training and test noise
from split(PRNGKey(s)), the mixture its initialisation from random_state=s. ar_digits and
ddpm_digits train their configs as they are, judge included: the generative table's rows of
them are the same runs in the same workdirs, read back there. Each row stands alone (`only`
computes just the rows it names). Record: {'table', 'levels', 'dims', 'rows': [{'name',
'what', 'note', 'config', 'per_seed', 'summary', 'wall_time_s'}]}.
"""

from __future__ import annotations

import functools
import math
import time
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from experiments.tables import trained
from experiments.tables.spec import Cell, GridRow, Section, Table, TableData, metric_cell, wanted
from genvdisc import data, objectives, results, rng
from genvdisc.analysis import closed_form
from genvdisc.models import gaussian
from genvdisc.report.format import Metric, Stat, seeds_text
from genvdisc.tasks import shared

DATASET, LEVELS = "digits", 17
DEQUANTIZATIONS = 16               # draws of u per test image for the dequantised bounds
NLL = Metric("test_nll", Stat("test NLL (nats/image)", 1.0, 2, True))
BITS = Stat("bits/dim", 1.0, 3, True)


class TrainedRow(NamedTuple):
  """experiments/configs/<config>.py trained over the seeds (`trained.Row`)."""
  config: str
  what: str                        # exact | estimate | bound
  note: str
  overrides: tuple[tuple[str, Any], ...] = ()
  name: str = ""                   # row and workdir name; '' = the config's name


class DequantizedRow(NamedTuple):
  """A continuous density (`DENSITIES[density]`) scored by the dequantisation bound."""
  name: str
  density: str                     # gnb | qda | gmm
  note: str
  hyper: tuple[tuple[str, Any], ...] = ()
  what: str = "bound"


class UniformRow(NamedTuple):
  name: str = "uniform"
  what: str = "exact"
  note: str = "P(x) = 17^-64: 64 ln 17 = 181.3257 nats"


def _class_mixture(model: str, log_2pi_per_dim: float):
  """fit(y, labels, seed, **hyper) -> log p(y) = logsumexp_c log p(y, c) of a
  genvdisc.models.gaussian classifier; `log_2pi_per_dim` completes a log_joint that leaves the
  -d/2 log 2 pi out (QDA's)."""
  log_joint = gaussian.GAUSSIAN_CLASSIFIERS[model].log_joint

  def fit(y, labels, seed, **hyper):
    del seed  # closed form
    params = closed_form.fit(model, jnp.asarray(y), jnp.asarray(labels), int(labels.max()) + 1,
                             jnp.ones(len(y)), **hyper)
    return lambda v: (np.asarray(jax.nn.logsumexp(log_joint(params, jnp.asarray(v)), -1),
                                 np.float64) + log_2pi_per_dim * v.shape[-1])

  return fit


def _gaussian_mixture(y, labels, seed, components: int = 10):
  """log p(y) of sklearn's GaussianMixture(components, full covariances) fitted to y (no labels)."""
  del labels
  from sklearn.mixture import GaussianMixture
  return GaussianMixture(components, covariance_type="full", random_state=seed).fit(
      np.asarray(y, np.float64)).score_samples


DENSITIES = {"gnb": _class_mixture("gnb", 0.0),
             "qda": _class_mixture("qda", -0.5 * math.log(2 * math.pi)),
             "gmm": _gaussian_mixture}

ROWS = (
    TrainedRow("ar_digits", "exact", "chain rule over the 64 pixels"),
    TrainedRow("ddpm_digits", "bound", "variational bound L_vlb, all 1000 terms"),
    TrainedRow("vae_digits_categorical", "estimate", "importance-weighted, k = 5000"),
    TrainedRow("iwae_digits_categorical", "estimate", "importance-weighted, k = 5000"),
    TrainedRow("vae_digits_logistic", "estimate", "importance-weighted, k = 5000"),
    DequantizedRow("gnb", "gnb", "p(y) = sum_c pi_c N(y; mu_c, diag s2_c)"),
    DequantizedRow("qda", "qda", "p(y) = sum_c pi_c N(y; mu_c, S_c), reg_param 0.01",
                   (("reg_param", 0.01),)),
    DequantizedRow("gmm", "gmm", "10 full-covariance Gaussians, no labels",
                   (("components", 10),)),
    UniformRow(),
)


def dequantized_nll(log_density, x: np.ndarray, key: jax.Array, bin_width: float,
                    samples: int) -> float:
  """-(1/n) sum_i (1/S) sum_s [log p(y_is) + D log w], y_is = x_i + (u_is - 1/2) w: the mean
  over n examples x [n, D] of the dequantisation bound on -log P(x_i), S = `samples` draws each."""
  y = shared.dequantize(jnp.broadcast_to(jnp.asarray(x), (samples, *x.shape)), key, bin_width)
  log_p = log_density(np.asarray(y).reshape(-1, x.shape[-1]))
  return -float(np.mean(objectives.dequantized_log_likelihood_bound(
      log_p, bin_width, x.shape[-1])))


def uniform_nll(x: np.ndarray, levels: int) -> float:
  """-log P(x) per example x [n, D] under the uniform model: a categorical decoder with zero
  logits, -sum_d log softmax(0)[k_d] = D log K."""
  k = jnp.asarray(np.round(x * (levels - 1)).astype(np.int32))
  return -float(jnp.mean(objectives.categorical_log_likelihood(
      jnp.zeros((*x.shape, levels)), k)))


def _seed_nll(row, dataset, seed: int) -> float:
  """Seed `seed`'s test NLL of a closed-form row (module docstring)."""
  flat = lambda a: np.asarray(a).reshape(len(a), -1)
  if isinstance(row, UniformRow):
    return uniform_nll(flat(dataset.x_test), LEVELS)
  width = 1.0 / (LEVELS - 1)
  k_train, k_test = jax.random.split(rng.split_key(seed))
  y_train = np.asarray(shared.dequantize(jnp.asarray(flat(dataset.x_train)), k_train, width))
  log_density = DENSITIES[row.density](y_train, dataset.y_train, seed, **dict(row.hyper))
  return dequantized_nll(log_density, flat(dataset.x_test), k_test, width, DEQUANTIZATIONS)


def _closed_form(row, seeds: tuple[int, ...]) -> dict:
  start = time.time()
  dataset = data.load(DATASET)
  per_seed = {str(s): {"test_nll": _seed_nll(row, dataset, s)} for s in seeds}
  dequantized = isinstance(row, DequantizedRow)
  config = {"name": row.name, "model": row.density if dequantized else "uniform",
            "dataset": DATASET, "levels": LEVELS}
  if dequantized:
    config.update(dict(row.hyper), dequantizations=DEQUANTIZATIONS)
  return results.build(config, per_seed, time.time() - start, "test_nll")


def row_name(row) -> str:
  """The row's name in the record: its own, else (a trained row) its config's."""
  return row.name or row.config


def _compute(rows, out: str, seeds, log=print, sets=(), only=None) -> TableData:
  dims = math.prod(data.load(DATASET).example_shape)
  record = {"table": "likelihood", "levels": LEVELS, "dims": dims, "rows": []}
  for row in (row for row in rows if wanted(only, row_name(row))):
    if isinstance(row, TrainedRow):
      r = trained.train_row(trained.Row(row.config, overrides=row.overrides, name=row.name), out,
                         seeds, log, sets)
    else:
      r = _closed_form(row, trained.DEFAULT_SEEDS if seeds is None else seeds)
    record["rows"].append(results.table_row(r, name=r["config"]["name"], what=row.what,
                                            note=row.note))
    grid_row, = sections({**record, "rows": record["rows"][-1:]})[0].rows
    log(f"[{grid_row.keys[0]}] {grid_row.keys[1]}: " + ", ".join(
        f"{c.stat.label} {c.text}" for c in grid_row.cells if isinstance(c, Cell))
        + f" | seeds {grid_row.keys[2]} | {grid_row.texts[0]} s")
  return TableData(record)


def sections(record: dict) -> tuple[Section, ...]:
  """One grid: model, what (exact / estimate / bound), seeds, NLL in nats per image and bits/dim
  (mean ± std over the seeds that did not diverge), wall time, note."""
  per_dim = record["dims"] * math.log(2.0)
  rows = []
  for r in record["rows"]:
    nll = metric_cell(r["per_seed"], NLL)
    bits = Cell(tuple(v / per_dim for v in nll.values), BITS) if isinstance(nll, Cell) else "-"
    rows.append(GridRow((r["name"], r["what"], seeds_text(r["per_seed"])), (nll, bits),
                        (f"{r['wall_time_s']:.0f}", r["note"])))
  caption = (f"-log P(x) of the {record['levels']}-level digits test images (nats per image; "
             f"bits/dim = nats / ({record['dims']} ln 2)); exact, an importance-weighted "
             "estimate (k = 5000), or an upper bound:")
  return (Section(caption, ("model", "what", "seeds"), (NLL.stat.label, BITS.label),
                  ("wall s", "note"), tuple(rows)),)


def table(rows=ROWS) -> Table:
  """The likelihood table of `rows` (TrainedRow | DequantizedRow | UniformRow)."""
  return Table("likelihood", functools.partial(_compute, tuple(rows)), sections, takes_sets=True)


TABLE = table()
