"""Rows, metrics and files of the trained tables (`experiments.reproduce`): one config per row.

A row trains `experiments/configs/<config>.py` (plus the row's `overrides`) over its seeds with
`train_and_evaluate` in OUT/<row name>, or, for a `ClosedFormRow`, fits a Gaussian generative
classifier in closed form once per seed (seed s = data split s). Every row yields a results dict
shaped like results.json ({'config', 'per_seed', 'summary', 'wall_time_s'}), so one set of
writers makes every table's OUT/<table>.md, .csv, .json (every seed's metrics) and .png.
"""

from __future__ import annotations

import csv
import io
import os
import time
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc import data, results
from genvdisc.evaluate import frechet, judge as judge_lib
from genvdisc.models import gaussian


class Metric(NamedTuple):
  key: str                   # a per-seed metric of results.json
  label: str                 # column header
  scale: float = 1.0         # 100 for accuracies shown in %
  digits: int = 1
  lower_is_better: bool = False


TEST_ACC = Metric("test_accuracy", "test acc %", 100.0)
TRAIN_ACC = Metric("train_accuracy", "train acc %", 100.0)
TEST_NLL = Metric("test_nll", "test NLL (nats)", 1.0, 2, True)
CLASSIFIER_FID = Metric("classifier_fid", "classifier-FID", 1.0, 1, True)
CLASSIFIER_IS = Metric("classifier_is", "classifier-IS", 1.0, 2)
# The headline metric of each task, for tables that mix tasks (summary).
HEADLINE = {"classification": TEST_ACC, "vae": TEST_NLL, "iwae": TEST_NLL,
            "gan": CLASSIFIER_FID, "vaegan": CLASSIFIER_FID}


class Row(NamedTuple):
  config: str                   # module in experiments/configs
  reference: str = "-"          # the published / sklearn number, as text
  paper: float | None = None    # the published value of the chart's metric, for the chart
  overrides: tuple[tuple[str, Any], ...] = ()  # config fields this table sets
  name: str = ""                # row and workdir name; '' = the config's name

  @property
  def label(self) -> str:
    return self.name or self.config


class ClosedFormRow(NamedTuple):
  """A Gaussian generative classifier (genvdisc.models.gaussian) fitted by maximum likelihood on
  the whole training split of `dataset` (flattened, unscaled features, as scikit-learn's
  GaussianNB / LDA / QDA on the bundled sets); seed s is the dataset's split seed s. With a
  `judge`, the fitted p(x, y) is also a generator: `fid_samples` draws (key PRNGKey(s), pixels
  clipped to [0, 1]) get classifier-FID / IS against the test images, as the trained generators."""
  model: str                    # gnb | lda | qda
  dataset: str
  reference: str = "-"
  paper: float | None = None
  hyper: tuple[tuple[str, Any], ...] = ()  # fit keyword arguments (var_smoothing, reg_param...)
  judge: str = ""               # classifier config judging samples ('' = none)
  judge_workdir: str = "runs/judges"
  fid_samples: int = 1000
  seed_is_split: bool = True    # False: every seed fits split 0 (the judge's), seeds vary the samples

  @property
  def label(self) -> str:
    return f"{self.model}_{self.dataset}"


def closed_form_results(row: ClosedFormRow, seeds: tuple[int, ...]) -> dict:
  """Test and train accuracy of the fit for every split seed, as a results.json-shaped dict."""
  start = time.time()
  model = gaussian.GAUSSIAN_CLASSIFIERS[row.model]
  judge = judge_lib.load(row.judge, row.dataset, row.judge_workdir) if row.judge else None
  per_seed = {}
  for seed in seeds:
    d = data.load(row.dataset, split_seed=seed if row.seed_is_split else 0)
    x_train = jnp.asarray(d.x_train.reshape(d.num_train, -1), jnp.float32)
    x_test = jnp.asarray(d.x_test.reshape(d.x_test.shape[0], -1), jnp.float32)
    params = model.fit(x_train, jnp.asarray(d.y_train), d.num_classes,
                       jnp.ones(d.num_train), **dict(row.hyper))
    accuracy = lambda x, y: float(np.mean(np.asarray(jnp.argmax(model.log_joint(params, x), -1)) == y))
    per_seed[str(seed)] = {"test_accuracy": accuracy(x_test, d.y_test),
                           "train_accuracy": accuracy(x_train, d.y_train),
                           "diverged_at_step": None}
    if judge is not None:
      samples, _ = model.sample(params, jax.random.PRNGKey(seed), row.fid_samples)
      images = jnp.clip(samples, 0.0, 1.0).reshape(-1, *d.example_shape)
      per_seed[str(seed)].update(_judged(judge, images, d))
  return {"config": {"name": row.label, "model": row.model, "dataset": row.dataset,
                     "task": "classification", "fit": "closed form", "judge": row.judge,
                     **dict(row.hyper)},
          "per_seed": per_seed, "summary": results.summarize(per_seed),
          "wall_time_s": time.time() - start}


def _judged(judge: judge_lib.Judge, images: jnp.ndarray, d: data.Dataset) -> dict:
  """classifier-FID / IS of `images` against the test split of `d`."""
  _, real_features = judge.apply(jnp.asarray(d.x_test))
  logits, fake_features = judge.apply(images)
  return {"classifier_fid": float(frechet.classifier_fid(real_features, fake_features)),
          "classifier_is": float(frechet.classifier_inception_score(logits))}


def apply_overrides(config, overrides) -> None:
  """Sets `field=value` pairs on a config (dotted fields reach nested ConfigDicts); a field the
  config lacks raises KeyError."""
  for field, value in overrides:
    *path, leaf = field.split(".")
    node = config
    for part in path:
      node = node[part]
    if leaf not in node:
      raise KeyError(field)
    node[leaf] = value


def metric_cell(result: dict, metric: Metric) -> str:
  stat = result["summary"].get(metric.key)
  if not stat:
    return "-"
  return f"{metric.scale * stat['mean']:.{metric.digits}f} ± {metric.scale * stat['std']:.{metric.digits}f}"


def seeds_cell(result: dict) -> str:
  diverged = [s for s, m in result["per_seed"].items() if m.get("diverged_at_step") is not None]
  return f"{len(result['per_seed'])}" + (f" ({len(diverged)} diverged: {','.join(diverged)})"
                                         if diverged else "")


def headline(result: dict) -> Metric:
  return HEADLINE[result["config"].get("task", "classification")]


def markdown(rows: list, metrics: tuple[Metric, ...] | None) -> str:
  """A table of (row, result) pairs: config, model, dataset, seeds, the metric columns (None:
  each row's headline metric, named in its own column), wall time, reference."""
  middle = ["metric", "mean ± std"] if metrics is None else [m.label for m in metrics]
  columns = ["config", "model", "dataset", "seeds", *middle, "wall s", "reference"]
  lines = ["| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]
  for row, r in rows:
    cfg = r["config"]
    if metrics is None:
      m = headline(r)
      cells = [m.label, metric_cell(r, m)]
    else:
      cells = [metric_cell(r, m) for m in metrics]
    lines.append("| " + " | ".join([row.label, cfg["model"], cfg["dataset"], seeds_cell(r), *cells,
                                   f"{r['wall_time_s']:.0f}", row.reference]) + " |")
  return "\n".join(lines) + "\n"


def csv_text(rows: list, metrics: tuple[Metric, ...] | None) -> str:
  """One line per row: its metrics' mean and std (headline metric when `metrics` is None)."""
  buffer = io.StringIO()
  writer = csv.writer(buffer, lineterminator="\n")
  if metrics is None:
    header = ["metric", "mean", "std"]
  else:
    header = [f"{m.key}_{s}" for m in metrics for s in ("mean", "std")]
  writer.writerow(["config", "model", "dataset", "seeds", *header, "diverged_seeds", "wall_time_s",
                   "paper", "reference"])
  for row, r in rows:
    cells = []
    for m in ([headline(r)] if metrics is None else metrics):
      stat = r["summary"].get(m.key)
      values = ["", ""] if not stat else [f"{m.scale * stat['mean']:.4f}",
                                          f"{m.scale * stat['std']:.4f}"]
      cells += ([m.key] if metrics is None else []) + values
    diverged = [s for s, v in r["per_seed"].items() if v.get("diverged_at_step") is not None]
    writer.writerow([row.label, r["config"]["model"], r["config"]["dataset"], len(r["per_seed"]),
                     *cells, " ".join(diverged), f"{r['wall_time_s']:.1f}",
                     "" if row.paper is None else row.paper, row.reference])
  return buffer.getvalue()


def json_record(table: str, rows: list) -> dict:
  """Every seed's metrics of every row, with each row's config: the table's ground truth."""
  return {"table": table, "versions": results.package_versions(),
          "rows": [{"name": row.label, "reference": row.reference, "paper": row.paper,
                    "config": r["config"], "per_seed": r["per_seed"], "summary": r["summary"],
                    "wall_time_s": r["wall_time_s"]} for row, r in rows]}


def chart(rows: list, metrics: tuple[Metric, ...] | None, path: str, title: str) -> None:
  """One bar panel per metric (mean ± std over seeds; published values as red diamonds). A
  table that mixes tasks gets one panel per headline metric."""
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  panels: dict[Metric, list] = {}
  for row, r in rows:
    for m in ([headline(r)] if metrics is None else metrics[:1]):
      if r["summary"].get(m.key):
        panels.setdefault(m, []).append((row, r))
  if not panels:
    return
  widths = [max(2, len(p)) for p in panels.values()]
  fig, axes = plt.subplots(1, len(panels), figsize=(max(6.0, 0.8 * sum(widths) + 1.5), 4.8),
                           gridspec_kw={"width_ratios": widths}, squeeze=False)
  for ax, (m, panel) in zip(axes[0], panels.items()):
    stats = [r["summary"][m.key] for _, r in panel]
    positions = range(len(panel))
    ax.bar(positions, [m.scale * s["mean"] for s in stats], yerr=[m.scale * s["std"] for s in stats],
           capsize=4, color="tab:blue", label="genvdisc (mean ± std over seeds)")
    papers = [(i, row.paper) for i, (row, _) in enumerate(panel) if row.paper is not None]
    if papers:
      ax.scatter(*zip(*papers), marker="D", color="tab:red", zorder=3, label="published / sklearn")
    ax.set_xticks(list(positions), [row.label for row, _ in panel], rotation=45, ha="right")
    ax.set_ylabel(m.label + (" (lower is better)" if m.lower_is_better else ""))
    if m.scale == 100.0:
      ax.set_ylim(0, 100)
  axes[0][0].legend(loc="lower left", fontsize=8)
  fig.suptitle(title)
  fig.tight_layout()
  tmp = path + ".tmp.png"
  fig.savefig(tmp, dpi=120)
  plt.close(fig)
  os.replace(tmp, path)


def write(table: str, rows: list, metrics: tuple[Metric, ...] | None, out: str, stem: str) -> str:
  """OUT/<stem>.md, .csv, .json and .png, each written atomically; returns the markdown."""
  text = markdown(rows, metrics)
  os.makedirs(out, exist_ok=True)
  results.write_text_atomic(os.path.join(out, f"{stem}.md"), text)
  results.write_text_atomic(os.path.join(out, f"{stem}.csv"), csv_text(rows, metrics))
  results.write_json_atomic(os.path.join(out, f"{stem}.json"), json_record(table, rows))
  chart(rows, metrics, os.path.join(out, f"{stem}.png"), title=f"genvdisc: {table}")
  return text
