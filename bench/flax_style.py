"""The flax-examples way of training, as the baseline of the engine: one `@jax.jit` train step on a
`flax.training.train_state.TrainState`, numpy batches gathered on the host and fed in a Python loop.

It trains the config's model (from the registry) with the config's optimizer, from the engine's
initial params of that seed and on the engine's minibatches of that seed (`engine_batches`), so
the two differ only in how the steps are run, and in the convolution: the baseline uses flax's
stock `nn.Conv` (XLA's convolution, `conv_impl='xla'`), as the flax examples do, where the engine
picks its lowering per backend (im2col on CPU).
"""

from __future__ import annotations

import functools
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax.training import train_state

from bench.report import Stat, time_it
from genvdisc import data as data_lib
from genvdisc.models import get_spec
from genvdisc import optim
from experiments.configs import get_config


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def _engine_batches(seed, steps: int, batch_size: int, num_train: int) -> jax.Array:
  train_key = jax.random.split(jax.random.PRNGKey(seed))[1]

  def one(t):
    batch_key = jax.random.split(jax.random.fold_in(train_key, t))[0]
    return jax.random.randint(batch_key, (batch_size,), 0, num_train)
  return jax.vmap(one)(jnp.arange(steps))


def engine_batches(seed: int, steps: int, batch_size: int, num_train: int) -> np.ndarray:
  """The minibatch indices `[steps, batch_size]` that `genvdisc.train.engine` draws for `seed`:
  step t of a seed with train key k uses randint(split(fold_in(k, t))[0], ...)."""
  return np.asarray(_engine_batches(seed, steps, batch_size, num_train))


def engine_init_key(seed: int) -> jax.Array:
  return jax.random.split(jax.random.PRNGKey(seed))[0]


def config_and_data(name: str):
  config = get_config(name)
  return config, data_lib.load(config.dataset, split_seed=config.split_seed)


def train(name: str, seed: int, block_steps: int, repeats: int) -> tuple[Stat, float]:
  """(seconds per `block_steps` steps, test accuracy after (repeats + 1) blocks) of config `name`
  (a classification config without L2) trained flax-examples style."""
  config, dataset = config_and_data(name)
  kwargs = config.model_kwargs.to_dict()
  if "conv_impl" in inspect.signature(get_spec(config.model).build).parameters:
    kwargs["conv_impl"] = "xla"  # flax's stock nn.Conv
  model = get_spec(config.model).build(num_classes=dataset.num_classes, **kwargs)
  x_example = jnp.zeros((1, *dataset.example_shape))
  params = jax.jit(model.init)(engine_init_key(seed), x_example)["params"]
  state = train_state.TrainState.create(apply_fn=model.apply, params=params,
                                        tx=optim.from_config(config))

  @jax.jit
  def train_step(state, batch):
    def loss_fn(params):
      logits = state.apply_fn({"params": params}, batch["x"])
      return optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean()
    return state.apply_gradients(grads=jax.grad(loss_fn)(state.params))

  @jax.jit
  def accuracy(params, x, y):
    return jnp.mean(jnp.argmax(model.apply({"params": params}, x), -1) == y)

  total = block_steps * (repeats + 1)
  indices = engine_batches(seed, total, config.batch_size, dataset.num_train)
  step = 0

  def block():
    nonlocal state, step
    for idx in indices[step:step + block_steps]:
      state = train_step(state, {"x": dataset.x_train[idx], "y": dataset.y_train[idx]})
    step += block_steps
    jax.block_until_ready(state)

  seconds = time_it(block, repeats)
  return seconds, float(accuracy(state.params, dataset.x_test, dataset.y_test))
