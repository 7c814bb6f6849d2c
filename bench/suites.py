"""The suites: what each section measures, and how long, on each kind of machine.

Sizes are chosen so that the full cpu suite takes under 10 minutes on an idle 2-core CPU and
the gpu suite fits a 15-minute device lease: on one H200 (jax 0.11.2) 500 steps per run and 5
repeats took 173 s for seed scaling (152 s with 1 repeat: the 32 sequential runs dominate) and
34 s for the flax-style comparison, and the FLOP/s section did not end within the next 113 s,
so the gpu suite now runs 200 steps and 3 repeats (not yet timed there); `--quick` shrinks any
suite to a smoke test. The
sweep suite (bench/sweep.py) times whole processes: about 2.2 hours on the 2-core CPU (about 1
hour with --repeats=1).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Suite:
  name: str                            # cpu | gpu: the BENCHMARKS.md block it writes
  repeats: int                         # timed repeats per figure (after one warm-up call)
  seed_configs: tuple[str, ...]        # experiments/configs of the seed-scaling section
  seed_counts: tuple[int, ...]         # vmapped seed-group widths S
  sequential_max: int                  # sequential runs are measured for S up to this
  seed_steps: dict                     # config -> steps per run in the seed-scaling section
  compare_configs: tuple[str, ...]     # configs of the flax-style / PyTorch comparison
  compare_seeds: int                   # engine seeds vmapped there
  compare_steps: int                   # steps per timed block there; accuracy after (repeats + 1) blocks
  sklearn_seeds: tuple[int, ...]       # random training subsets fitted (empty: no sklearn section)
  torch: bool                          # PyTorch section
  flops_configs: tuple[str, ...]       # configs whose training step FLOP/s is measured
  flops_seeds: tuple[int, ...]         # seed-group widths of the FLOP/s section
  flops_steps: int                     # steps per timed repeat there
  matmul_size: int                     # n of the n x n float32 matmul that measures the peak
  chunk: int = -1                      # config.chunk_steps (-1: the engine's per-backend default)
  sample_images: dict = dataclasses.field(default_factory=dict)  # config of the generative
                                       # section -> images per timed `task.sample` call ({}: none)
  generative_seeds: int = 5            # seeds vmapped in its training figure (the tables' 5)
  generative_steps: int = 20           # training steps per timed repeat there
  sample_repeats: int = 1              # timed repeats of a sampling call (after a warm-up call)


@dataclasses.dataclass(frozen=True)
class SweepSuite:
  """The end-to-end sweep section (bench/sweep.py): whole processes, compilation included."""
  name: str                            # the BENCHMARKS.md block it writes
  configs: tuple[str, ...]             # experiments/configs swept
  learning_rates: int                  # the first this many of sweep_lr's rates per config
  seeds: int                           # seeds 0 .. seeds-1 per rate
  steps: tuple[int, ...]               # steps per run; 0 = the config's own num_steps
  repeats: int                         # timed repeats of each way below the config's own steps
  full_repeats: int                    # timed repeats at the config's own step count (fewer:
                                       # one round of the three ways there takes many minutes)
  sampled_seeds: int = 0               # separate/flax-style: run only seeds 0..n-1 of every rate
                                       # and scale the wall by seeds / n (every process does the
                                       # same work); 0 = run all of them


_SEED_CONFIGS = ("logreg_digits", "svm_digits", "mlp_mnist1d", "cnn_mnist1d", "vae_digits")
_COMPARE_CONFIGS = ("mlp_mnist1d", "cnn_mnist1d")
_FLOPS_CONFIGS = ("cnn_mnist1d", "transformer_mnist1d")

SUITES = {
    "cpu": Suite(
        name="cpu", repeats=5, seed_configs=_SEED_CONFIGS, seed_counts=(1, 2, 4, 8, 16, 32),
        sequential_max=32,
        seed_steps={"logreg_digits": 200, "svm_digits": 200, "mlp_mnist1d": 100,
                    "cnn_mnist1d": 50, "vae_digits": 100},
        compare_configs=_COMPARE_CONFIGS, compare_seeds=16, compare_steps=300, sklearn_seeds=(1, 32), torch=True,
        flops_configs=_FLOPS_CONFIGS, flops_seeds=(1, 16), flops_steps=20, matmul_size=2048,
        sample_images={"ddpm_digits": 100, "ar_digits": 1000}),
    "gpu": Suite(
        name="gpu", repeats=3, seed_configs=_SEED_CONFIGS, seed_counts=(1, 8, 32, 64, 256),
        sequential_max=32,
        seed_steps={"logreg_digits": 200, "svm_digits": 200, "mlp_mnist1d": 200,
                    "cnn_mnist1d": 200, "vae_digits": 200},
        compare_configs=_COMPARE_CONFIGS, compare_seeds=16, compare_steps=200, sklearn_seeds=(), torch=False,
        flops_configs=_FLOPS_CONFIGS, flops_seeds=(1, 32, 256), flops_steps=200,
        matmul_size=8192),
    "sweep": SweepSuite(
        name="sweep", configs=("mlp_mnist1d", "cnn_mnist1d"), learning_rates=4, seeds=8,
        steps=(200, 1000, 0), repeats=3, full_repeats=1, sampled_seeds=1),
}


def quick(suite: Suite | SweepSuite) -> Suite | SweepSuite:
  """The same sections at tiny sizes, for smoke tests (the numbers mean nothing)."""
  if isinstance(suite, SweepSuite):
    return dataclasses.replace(suite, learning_rates=2, seeds=2, steps=(50,), repeats=1,
                               full_repeats=1, sampled_seeds=0)
  return dataclasses.replace(
      suite, repeats=2, seed_configs=("mlp_mnist1d",), seed_counts=(1, 2), sequential_max=2,
      seed_steps={"mlp_mnist1d": 4}, compare_configs=("mlp_mnist1d",), compare_seeds=2,
      compare_steps=4, sklearn_seeds=(2,) * bool(suite.sklearn_seeds),
      flops_configs=("mlp_mnist1d",), flops_seeds=(1,), flops_steps=4, matmul_size=128, chunk=2,
      sample_images={name: 2 for name in suite.sample_images}, generative_seeds=2,
      generative_steps=2)
