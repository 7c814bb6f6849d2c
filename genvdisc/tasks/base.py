"""The `Task`: the objective-specific part of training, as pure functions the engine vmaps and scans.

The engine (`train.engine`) owns everything shared: per-step keys, batch sampling, divergence
freezing, `lax.scan` chunks, seed vmapping, jit and sharding. A task with several networks (GAN,
VAE-GAN, M2) keeps one entry per network in params and opt_state.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import jax

Batch = dict[str, jax.Array]
Metrics = dict[str, jax.Array]


@dataclasses.dataclass(frozen=True)
class WarmStart:
  """Params that start from another finished run's: the run in `workdir` (named by the config
  `field`, e.g. 'config.pretrained'); check(source) raises one ConfigError line unless that run's
  config.json `source` fits this task; start(params) -> {name: params} is the part of this
  task's params each seed takes from the same seed's trained params."""
  field: str
  workdir: str
  check: Callable[[dict], None]
  start: Callable[[Any], dict]


@dataclasses.dataclass(frozen=True)
class Task:
  """init(key, x_example) -> (params, opt_state).

  update(params, opt_state, batch, key, hparams) -> (params, opt_state, metrics); metrics must
    hold the scalar 'loss' that divergence detection watches. hparams: the run's continuous
    hyperparameters {field: float32 scalar} (`genvdisc.hyperparams`); every plain-number training
    hyperparameter comes from here, never from the config, so sweeps vmap them.
  eval_metrics(params, batch, key) -> {name: per-example values [B]}; the engine averages them
    over each split (key: a fixed evaluation key, for metrics that sample).
  headline: the metric results.json leads with, e.g. 'test_accuracy' or 'test_nll' (a split
    prefix + an eval_metrics name, or a dataset metric such as 'classifier_fid'); each task
    declares its own, there is no default.
  uses_conv: its networks have convolutions (picks the CPU chunk default, see engine).
  images(params, data, key) -> {name: [N, H, W, C] in [0, 1]}: optional picture grids (samples,
    reconstructions) that `train.run` writes as PNG at checkpoints and at the end; `data` is the
    engine's {'x_train', 'y_train', 'x_test', 'y_test'}. A `shared.ImageGrids`, whose
    `captions[name]` says what each picture shows (the PNG's caption).
  eval_splits: the splits `eval_metrics` is averaged over (drop 'train' when it is costly).
  sample_batch(data, run_key, key, batch_size) -> batch: optional minibatch sampler replacing the
    engine's i.i.d. uniform indices, e.g. M2's labelled + unlabelled batches; run_key is the
    seed's constant key (`rng.seed_keys`), key the step's.

  What a trained generative model offers its callers (evaluators, tables), each optional:
  sample(params, key, n, labels=None) -> n inputs [n, ...] drawn from the model (pictures in
    [0, 1]); labels [n] int for class-conditional models (M2), None otherwise.
  encode(params, x) -> features [B, L]: the posterior means E_q[z|x].
  log_prob(params, x, key, labels=None) -> [B]: log p(x) (log p(x|y) with labels [B] for
    class-conditional models) in nats, exact, an estimate or a bound (the task's docstring says
    which).
  predict(params, x, key) -> class scores [B, K] whose argmax is the predicted class: a
    classifier's logits, or a class-conditional model's log p(x|y) + log p(y) (`tasks.bayes`).

  warm_start: a `WarmStart` when the params start from another run's (the runner restores it,
    `train.run`), None when they start from `init`.
  """
  init: Callable[[jax.Array, jax.Array], tuple[Any, Any]]
  update: Callable[[Any, Any, Batch, jax.Array, dict], tuple[Any, Any, Metrics]]
  eval_metrics: Callable[[Any, Batch, jax.Array], Metrics]
  headline: str
  uses_conv: bool = False
  images: Callable[[Any, dict, jax.Array], dict[str, jax.Array]] | None = None
  eval_splits: tuple[str, ...] = ("train", "test")
  sample_batch: Callable[[dict, jax.Array, jax.Array, int], Batch] | None = None
  sample: Callable[..., jax.Array] | None = None
  encode: Callable[[Any, jax.Array], jax.Array] | None = None
  log_prob: Callable[..., jax.Array] | None = None
  predict: Callable[[Any, jax.Array, jax.Array], jax.Array] | None = None
  warm_start: WarmStart | None = None
