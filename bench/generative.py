"""The generative families' cost: training seeds·steps/s of the DDPM and autoregressive tasks,
and the seconds their samplers take per 1000 images.

Training runs the real engine (`bench.seeds.experiment`: the config, fewer steps) with the
tables' `generative_seeds` seeds vmapped in one group, `generative_steps` steps per timed
repeat. Sampling is the task's own `sample(params, key, n)` (the call the classifier-FID
makes), jitted, with seed 0's params after that training, `sample_images[config]` images in
one call; seconds per 1000 images = seconds x 1000 / images. Its cost does not depend on the
params' values: DDPM's ancestral sampling runs the denoiser T times over the whole batch, the
autoregressive model decodes the tokens one after another with cached keys and values.
"""

from __future__ import annotations

import math

import jax

from bench.report import Section, Stat, time_it
from bench.seeds import Runs, experiment
from genvdisc.report.format import markdown_table
from genvdisc.tasks import registry


def how_sampled(exp) -> str:
  """What a call of the sampler runs: 'T = 1000 denoiser calls' or '64 decoding steps'."""
  if exp.config.task == "ddpm":
    return f"T = {exp.config.diffusion_steps} denoiser calls"
  return f"{math.prod(exp.dataset.example_shape)} decoding steps"


def sampling_seconds(runs: Runs, images: int, repeats: int) -> Stat:
  """Seconds of one jitted `task.sample` call drawing `images` images with seed 0's params."""
  exp = runs.exp
  task = registry.from_config(exp.config, exp.dataset)
  params = jax.tree.map(lambda a: a[0], runs.states[0].params)
  sample = jax.jit(task.sample, static_argnums=2)
  key = jax.random.PRNGKey(0)
  return time_it(lambda: sample(params, key, images).block_until_ready(), repeats)


def sections(suite) -> list[Section]:
  seeds, steps, rows = suite.generative_seeds, suite.generative_steps, []
  for name, images in suite.sample_images.items():
    runs = Runs(experiment(name, seeds, seeds, suite.chunk))
    training = runs.timed(steps, suite.repeats).rate(seeds * steps)
    sampling = sampling_seconds(runs, images, suite.sample_repeats)
    rows.append([name, training, how_sampled(runs.exp), images, sampling.times(1000 / images),
                 sampling.rate(images)])
  text = (f"Training: {seeds} seeds vmapped in one group, {steps} steps per timed repeat "
          f"(median [min–max] of {suite.repeats} repeats after a compiling warm-up); "
          f"seeds·steps/s = {seeds} × {steps} / wall time. Sampling: one jitted `task.sample` "
          f"call of the given number of images with seed 0's params (median [min–max] of "
          f"{suite.sample_repeats} repeat{'s' * (suite.sample_repeats > 1)} after a compiling "
          "warm-up call); seconds per 1000 images = seconds × 1000 / images.\n\n"
          + markdown_table(["config", "training seeds·steps/s", "a sampling call runs",
                            "images per call", "s per 1000 images", "images/s"], rows))
  return [Section("Generative tasks", text)]
