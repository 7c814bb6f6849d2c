"""The training engine: chunks of steps in XLA, vmapped over a group of seeds, sharded by seed.

`make_trainer(task, ...)` returns jitted functions over a seed group (every state leaf has a
leading seed axis of the group's width):

  init(seeds int32[W], hparams {field: float32[W]}) -> TrainState[W]   # a run = (seed, hparams)
  train_chunk(state[W], data, num_steps) -> (state[W], {metric: [W]})   # state donated; the
      chunk's mean of each metric, `first_step_loss`: the loss of its first step alone, and
      `step_losses`: [W, num_steps], every step's loss
  evaluate(state[W], data) -> {f'{split}_{metric}': [W], plus the task's dataset metrics: [W]}
  images(state[W], data) -> {name: [W, N, height, width, channels]}  # None without pictures
  batch_indices(keys uint32[W, 2], first_step, num_steps, num_train) -> int32[W, num_steps, batch]
  train_batches(state[W], {'x': [W, n, batch, ...], 'y': [W, n, batch]}) -> like train_chunk

The last two are the streaming path (config.input='stream'): the host computes the same indices
the in-graph sampler would draw (`batch_indices`, on one local device), reads those examples
and feeds them to `train_batches`, so a streamed run equals the on-device one.

With a 'data' mesh axis the minibatch's example axis is split over it (`sharding.shard_batch`)
and XLA all-reduces the gradients: the same indices and the same steps, up to float rounding.

Step t of a seed is a pure function of (its state, fold_in(key, t), the data): the minibatch is
`batch_size` indices drawn i.i.d. uniformly (with replacement) from the training split with
that step key (from the seed's labelled subset with config.labels_per_class; or by the task's own `sample_batch`, e.g. M2's labelled and unlabelled batches),
so any chunking of the same steps gives the same run, and a resumed run continues exactly.
A chunk of length 1 is one jitted step with no loop; longer chunks are a `lax.scan`. On CPU a conv net runs ~2.6x slower inside scan than as jitted steps (shared README:
257 vs 675 steps/s for the MNIST-1D CNN), while dense nets run faster in scan, which is why
`default_chunk_steps` depends on the backend and the model.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
from jax.sharding import Mesh

from genvdisc import rng, sharding
from genvdisc.data import subsets
from genvdisc.tasks.base import Task
from genvdisc.train.state import TrainState, new_state


class Trainer(NamedTuple):
  init: Callable[[jax.Array], TrainState]
  train_chunk: Callable[..., tuple[TrainState, dict]]
  evaluate: Callable[[TrainState, dict], dict]
  images: Callable[[TrainState, dict], dict] | None = None
  train_batches: Callable[..., tuple[TrainState, dict]] | None = None
  batch_indices: Callable[..., jax.Array] | None = None


def default_chunk_steps(backend: str, uses_conv: bool) -> int:
  """Steps per XLA call when config.chunk_steps is -1, chosen by measurement (bench/chunk.py).

  CPU + convolutions: 1 (XLA:CPU convolutions lose most of their speed inside a while loop).
  Everything else: 100-step `lax.scan` chunks (dispatch overhead amortised).
  """
  return 1 if (backend == "cpu" and uses_conv) else 100


def all_finite(tree) -> jax.Array:
  return jnp.all(jnp.asarray([jnp.all(jnp.isfinite(x)) for x in jax.tree.leaves(tree)]))


def make_trainer(task: Task, example_shape: tuple[int, ...], batch_size: int, mesh: Mesh,
                 eval_batch_size: int = 1000, example_dtype=jnp.float32,
                 dataset_metrics: Callable[[Any, dict, jax.Array], dict] | None = None,
                 eval_splits: tuple[str, ...] | None = None,
                 budget: subsets.LabelBudget | None = None) -> Trainer:
  """Builds the jitted, seed-vmapped, seed-sharded functions of a `Task` (see module docstring).

  `data` arguments are dicts {'x_train', 'y_train', 'x_test', 'y_test'} (plus 'x_val', 'y_val'
  with a validation split) of device arrays, replicated over the mesh (`sharding.put_replicated`).
  eval_splits: the splits `evaluate` averages the task's metrics over (default task.eval_splits).
  budget: with budget.per_class = m > 0, each seed draws its minibatches from its own
  class-balanced subset of m training examples per class, `subsets.labelled_subset(run key,
  y_train, K, m K)` (drawn in-graph from the seed's run key: a seed's subset does not depend on
  the other seeds); None or m = 0: from the whole training split.
  dataset_metrics(params, data, key) -> {name: scalar}: optional metrics of the whole dataset
  built by the caller (e.g. a judge's classifier-FID of the task's samples against the test
  split), evaluated with the other metrics and stored per seed under their own names.
  """
  eval_splits = task.eval_splits if eval_splits is None else eval_splits
  state_sharding = sharding.seed_sharding(mesh)
  data_sharding = sharding.replicated(mesh)
  x_example = jnp.zeros((1, *example_shape), example_dtype)

  def init_one(seed, hparams):
    init_key, train_key = rng.seed_keys(seed)
    params, opt_state = task.init(init_key, x_example)
    return new_state(params, opt_state, train_key, hparams)

  def uniform_indices(batch_key, num_train):
    return jax.random.randint(batch_key, (batch_size,), 0, num_train)

  def indices_one(key, step, num_train):
    return uniform_indices(rng.step_keys(key, step)[0], num_train)

  def step_one(state: TrainState, keys: jax.Array, batch) -> tuple[TrainState, dict]:
    """One update of `state` on `batch` with the step's (batch key, task key) `keys`."""
    batch = sharding.shard_batch(batch, mesh)
    params, opt_state, metrics = task.update(state.params, state.opt_state, batch, keys[1],
                                                 state.hparams)
    ok = (state.diverged_at < 0) & all_finite((params, metrics["loss"]))
    keep = lambda new, old: jax.tree.map(lambda n, o: jnp.where(ok, n, o), new, old)
    diverged_at = jnp.where((state.diverged_at < 0) & ~ok, state.step, state.diverged_at)
    return state.replace(params=keep(params, state.params),
                         opt_state=keep(opt_state, state.opt_state),
                         step=state.step + 1, diverged_at=diverged_at), metrics

  def scan_steps(state, step, xs, num_steps):
    """`step(state, x)` over the leading axis of xs; metrics are the chunk's means, plus
    `first_step_loss` (the reference of a run's loss-increase warning, train.progress) and
    `step_losses`, every step's loss [num_steps] (train.run's logged means)."""
    if num_steps == 1:
      state, metrics = step(state, jax.tree.map(lambda x: x[0], xs))
      return state, {**metrics, "first_step_loss": metrics["loss"],
                     "step_losses": metrics["loss"][None]}
    state, metrics = jax.lax.scan(step, state, xs)
    return state, {**jax.tree.map(lambda m: m.mean(0), metrics),
                   "first_step_loss": metrics["loss"][0], "step_losses": metrics["loss"]}

  def chunk_one(state, data, num_steps):
    """`num_steps` steps drawing their minibatches from data (the task's `sample_batch`, or
    i.i.d. uniform indices). Every step's keys and indices are drawn before the loop, in one
    vectorised computation: the same values as drawing them step by step, at a fraction of
    the cost on CPU."""
    steps = state.step + jnp.arange(num_steps)
    keys = jax.vmap(rng.step_keys, in_axes=(None, 0))(state.key, steps)
    if task.sample_batch is not None:
      sample = lambda k: task.sample_batch(data, state.key, k[0], batch_size)
      return scan_steps(state, lambda s, k: step_one(s, k, sample(k)), keys, num_steps)
    num_train = data["x_train"].shape[0]
    if budget is not None and budget.per_class:
      pool = subsets.labelled_subset(state.key, data["y_train"], budget.num_classes, budget.size)
      idx = pool[jax.vmap(uniform_indices, in_axes=(0, None))(keys[:, 0], pool.shape[0])]
    else:
      idx = jax.vmap(uniform_indices, in_axes=(0, None))(keys[:, 0], num_train)
    gather = lambda i: {"x": data["x_train"][i], "y": data["y_train"][i]}
    return scan_steps(state, lambda s, ki: step_one(s, ki[0], gather(ki[1])), (keys, idx),
                      num_steps)

  def batches_one(state, batches):
    num_steps = jax.tree.leaves(batches)[0].shape[0]
    keys = jax.vmap(rng.step_keys, in_axes=(None, 0))(state.key, state.step + jnp.arange(num_steps))
    return scan_steps(state, lambda s, kb: step_one(s, *kb), (keys, batches), num_steps)

  def indices(keys, first_step, num_steps, num_train):
    steps = first_step + jnp.arange(num_steps)
    per_step = jax.vmap(indices_one, in_axes=(None, 0, None))
    return jax.vmap(per_step, in_axes=(0, None, None))(keys, steps, num_train)

  def evaluate_one(state, data):
    out = {}
    eval_key = rng.eval_key(state.key)
    for split, key_data in rng.EVAL_SPLIT_DATA.items():
      if split not in eval_splits:
        continue
      metrics = functools.partial(task.eval_metrics, state.params)
      sums = _batched_mean(metrics, data[f"x_{split}"], data[f"y_{split}"], eval_batch_size,
                           jax.random.fold_in(eval_key, key_data))
      out.update({f"{split}_{k}": v for k, v in sums.items()})
    if dataset_metrics is not None:
      out.update(dataset_metrics(state.params, data,
                                 jax.random.fold_in(eval_key, rng.EVAL_DATASET_METRICS_DATA)))
    return out

  def images_one(state, data):
    return task.images(state.params, data,
                       jax.random.fold_in(rng.eval_key(state.key), rng.EVAL_IMAGES_DATA))

  init = jax.jit(jax.vmap(init_one), out_shardings=state_sharding)
  train_chunk = jax.jit(jax.vmap(chunk_one, in_axes=(0, None, None),
                                 spmd_axis_name=sharding.SEED_AXIS),
                        static_argnums=2, donate_argnums=0,
                        in_shardings=(state_sharding, data_sharding),
                        out_shardings=(state_sharding, state_sharding))
  evaluate = jax.jit(jax.vmap(evaluate_one, in_axes=(0, None)),
                     in_shardings=(state_sharding, data_sharding), out_shardings=state_sharding)
  images = None if task.images is None else jax.jit(
      jax.vmap(images_one, in_axes=(0, None)), in_shardings=(state_sharding, data_sharding))
  train_batches = jax.jit(jax.vmap(batches_one, spmd_axis_name=sharding.SEED_AXIS),
                          donate_argnums=0,
                          in_shardings=(state_sharding, sharding.stream_batch_sharding(mesh)),
                          out_shardings=(state_sharding, state_sharding))
  return Trainer(init=init, train_chunk=train_chunk, evaluate=evaluate, images=images,
                 train_batches=train_batches,
                 batch_indices=jax.jit(indices, static_argnums=(2, 3)))


def _batched_mean(per_example: Callable[[dict, jax.Array], dict], x: jax.Array, y: jax.Array,
                  batch_size: int, key: jax.Array) -> dict:
  """Means of per-example metrics over (x, y), in batches of at most `batch_size` (bounded memory).

  Batch b gets the key fold_in(key, b), for metrics that sample (ELBO, importance weights).
  """
  n = x.shape[0]
  num_batches = -(-n // batch_size)
  if num_batches == 1:
    return jax.tree.map(jnp.mean, per_example({"x": x, "y": y}, jax.random.fold_in(key, 0)))
  pad = num_batches * batch_size - n
  xs = jnp.pad(x, [(0, pad)] + [(0, 0)] * (x.ndim - 1)).reshape(num_batches, batch_size, *x.shape[1:])
  ys = jnp.pad(y, (0, pad)).reshape(num_batches, batch_size)
  mask = (jnp.arange(num_batches * batch_size) < n).reshape(num_batches, batch_size)

  def add(total, inputs):
    xb, yb, mb, b = inputs
    values = per_example({"x": xb, "y": yb}, jax.random.fold_in(key, b))
    return jax.tree.map(lambda t, v: t + jnp.sum(jnp.where(mb, v, 0.0)), total, values), None

  zeros = jax.tree.map(lambda v: jnp.zeros((), v.dtype),
                       jax.eval_shape(per_example, {"x": xs[0], "y": ys[0]}, key))
  totals, _ = jax.lax.scan(add, zeros, (xs, ys, mask, jnp.arange(num_batches)))
  return jax.tree.map(lambda t: t / n, totals)
