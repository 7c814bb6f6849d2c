"""The flax-examples way of training, as the baseline of the engine: one `@jax.jit` train step on a
`flax.training.train_state.TrainState`, numpy batches gathered on the host and fed in a Python loop.

It trains the config's model (from the registry) with the config's optimizer, from the engine's
initial params of that seed and on the engine's minibatches of that seed (`engine_batches`), so
the two differ only in how the steps are run, and in the convolution: the baseline uses flax's
stock `nn.Conv` (XLA's convolution, `conv_impl='xla'`), as the flax examples do, where the engine
picks its lowering per backend (im2col on CPU).

  python -m bench.flax_style --config=mlp_mnist1d --seed=3 --learning_rate=0.003 --steps=1000 \
      --validation_fraction=0.1      # one run as its own process (bench/sweep.py runs 32 of them)
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax.training import train_state

from bench.report import Stat, time_it
from experiments.configs import get_config
from genvdisc import data as data_lib
from genvdisc import hyperparams, optim
from genvdisc.data import subsets
from genvdisc.models import get_spec


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


def config_and_data(name: str, learning_rate: float | None = None,
                    validation_fraction: float = 0.0):
  """experiments/configs/<name>.py (its learning rate replaced if given) and its dataset, less a
  held-out validation part as the engine holds it out (`subsets.hold_out_validation`)."""
  config = get_config(name)
  if learning_rate is not None:
    config.learning_rate = learning_rate
  dataset = data_lib.load(config.dataset, split_seed=config.split_seed)
  if validation_fraction:
    dataset = subsets.hold_out_validation(dataset, validation_fraction, config.split_seed)
  return config, dataset


class Loop:
  """One seed of a classification config (without L2) trained flax-examples style for up to
  `total_steps` steps: `run(n)` takes the next n steps, one jitted call each on numpy batches
  gathered on the host; `accuracy(x, y)` scores the params."""

  def __init__(self, config, dataset, seed: int, total_steps: int):
    kwargs = config.model_kwargs.to_dict()
    if "conv_impl" in inspect.signature(get_spec(config.model).build).parameters:
      kwargs["conv_impl"] = "xla"  # flax's stock nn.Conv
    model = get_spec(config.model).build(num_classes=dataset.num_classes, **kwargs)
    params = jax.jit(model.init)(engine_init_key(seed), jnp.zeros((1, *dataset.example_shape)))
    optimizer = optim.from_config(config)
    state = train_state.TrainState.create(apply_fn=model.apply, params=params["params"],
                                          tx=optimizer.transform)
    # the injected hyperparameters (learning rate, b1) set once: the config's recipe
    self.state = state.replace(opt_state=optimizer.with_hyperparams(
        state.opt_state, hyperparams.values(config)))
    self.dataset, self.step = dataset, 0
    self.indices = engine_batches(seed, total_steps, config.batch_size, dataset.num_train)

    @jax.jit
    def train_step(state, batch):
      def loss_fn(params):
        logits = state.apply_fn({"params": params}, batch["x"])
        return optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean()
      return state.apply_gradients(grads=jax.grad(loss_fn)(state.params))

    self.train_step = train_step
    self.accuracy_fn = jax.jit(lambda params, x, y: jnp.mean(
        jnp.argmax(model.apply({"params": params}, x), -1) == y))

  def run(self, steps: int) -> None:
    for idx in self.indices[self.step:self.step + steps]:
      self.state = self.train_step(self.state, {"x": self.dataset.x_train[idx],
                                                "y": self.dataset.y_train[idx]})
    self.step += steps
    jax.block_until_ready(self.state)

  def accuracy(self, x, y) -> float:
    return float(self.accuracy_fn(self.state.params, x, y))


def train(name: str, seed: int, block_steps: int, repeats: int) -> tuple[Stat, float]:
  """(seconds per `block_steps` steps, test accuracy after (repeats + 1) blocks) of config `name`
  (a classification config without L2) trained flax-examples style."""
  config, dataset = config_and_data(name)
  loop = Loop(config, dataset, seed, block_steps * (repeats + 1))
  seconds = time_it(lambda: loop.run(block_steps), repeats)
  return seconds, loop.accuracy(dataset.x_test, dataset.y_test)


def main(argv=None) -> None:
  """One (learning rate, seed) run as its own process, as a flax example is run: prints the
  engine's progress line `[<config>] compiled in X s` for the first step, then one JSON line
  {config, learning_rate, seed, steps, test_accuracy, val_accuracy (with a validation part)}."""
  parser = argparse.ArgumentParser(prog="python -m bench.flax_style", description=main.__doc__)
  parser.add_argument("--config", required=True, help="experiments/configs name, e.g. mlp_mnist1d")
  parser.add_argument("--seed", type=int, default=0)
  parser.add_argument("--learning_rate", type=float, default=None, help="default: the config's")
  parser.add_argument("--steps", type=int, default=None, help="default: the config's num_steps")
  parser.add_argument("--validation_fraction", type=float, default=0.0)
  args = parser.parse_args(argv)
  config, dataset = config_and_data(args.config, args.learning_rate, args.validation_fraction)
  steps = args.steps or config.num_steps
  loop = Loop(config, dataset, args.seed, steps)
  start = time.perf_counter()
  loop.run(1)
  print(f"[{config.name}] compiled in {time.perf_counter() - start:.1f} s (the first step "
        "included)", flush=True)
  loop.run(steps - 1)
  out = {"config": config.name, "learning_rate": config.learning_rate, "seed": args.seed,
         "steps": steps, "test_accuracy": loop.accuracy(dataset.x_test, dataset.y_test)}
  if dataset.x_val is not None:
    out["val_accuracy"] = loop.accuracy(dataset.x_val, dataset.y_val)
  print(json.dumps(out), flush=True)


if __name__ == "__main__":
  main()
