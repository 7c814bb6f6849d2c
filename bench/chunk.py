"""Measures seed-steps/s of the engine's train_chunk at several chunk lengths (and, for the
MNIST-1D CNN, both convolution lowerings).

  python -m bench.chunk [--repeats=5]

This is the measurement behind `genvdisc.train.engine.default_chunk_steps` and
the `CNN1D.conv_impl` note. Run it with nothing else on the machine; it prints the median
(min-max) over repeats after one warm-up call.
"""

import time

import jax
import numpy as np
from absl import app, flags

from experiments.configs import cnn_mnist1d, mlp_digits, mlp_mnist1d
from genvdisc.train import run

FLAGS = flags.FLAGS
flags.DEFINE_integer("repeats", 5, "Timed repeats per setting.")
flags.DEFINE_integer("steps", 600, "Steps per timed repeat (a multiple of every chunk length).")


def measure(config, chunk: int, steps: int, repeats: int) -> list[float]:
  config.chunk_steps = chunk
  config.log_every = config.checkpoint_every = steps
  experiment = run.make_train(config)
  data = experiment.device_data()
  state = experiment.init_states()[0]
  rates = []
  for r in range(repeats + 1):
    start = time.perf_counter()
    for _ in range(steps // chunk):
      state, metrics = experiment.trainer.train_chunk(state, data, chunk)
    jax.block_until_ready(state)
    if r:  # the first pass compiles
      rates.append(steps * len(experiment.runs) / (time.perf_counter() - start))
  return rates


def main(argv):
  del argv
  print(f"backend={jax.default_backend()} devices={jax.device_count()} jax={jax.__version__}")
  print("| config | model_kwargs | seeds | chunk | seed-steps/s median (min-max) |\n"
        "|---|---|---|---|---|")
  settings = [(mlp_digits, {}), (mlp_mnist1d, {}), (cnn_mnist1d, {"conv_impl": "xla"}),
              (cnn_mnist1d, {"conv_impl": "im2col"})]
  for module, model_kwargs in settings:
    for chunk in (1, 10, 100):
      config = module.get_config()
      config.model_kwargs.update(model_kwargs)
      rates = measure(config, chunk, FLAGS.steps, FLAGS.repeats)
      print(f"| {module.__name__.split('.')[-1]} | {model_kwargs or ''} | 5 | {chunk} | "
            f"{np.median(rates):.0f} ({min(rates):.0f}-{max(rates):.0f}) |", flush=True)


if __name__ == "__main__":
  app.run(main)
