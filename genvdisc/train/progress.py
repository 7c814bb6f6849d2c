"""The progress lines of a training run (process 0 only), in the spirit of CLU's ReportProgress:

  [cnn_mnist1d] compiling the training step (first chunk: 1 step per call, 5 seeds) ...
  [cnn_mnist1d] compiled in 13.7 s (the first chunk's steps included)
  [cnn_mnist1d] step 500/4000 (12%) | 40 steps/s, 200 seed-steps/s | ETA 87s | loss 0.8412 ...
  [vae_digits] evaluating 5 seeds in 1 group: train split 1257 + test split 450 examples,
      IW-NLL k=5000 in chunks of 100 ...
  [vae_digits] evaluated in 105.2 s

Steps/s and the ETA are measured over steady-state chunks only: the window starts when the
compiling chunk has finished and restarts after every evaluation, so neither compile nor
evaluation time leaks into them. A seed whose minibatch loss rose above `LOSS_INCREASE_FACTOR`
times its first logged loss is named on the line (`loss_increased`).
"""

from __future__ import annotations

import contextlib
import math
import time

LOSS_INCREASE_FACTOR = 10.0
"""A seed is flagged 'loss increased' when its last logged minibatch loss exceeds its first (step
0's own loss, logged at step 1, so a loss that explodes within the first chunk is caught too) by
more than this factor (for a loss that can be negative: last > first + (factor - 1) |first|).
Healthy runs stay well inside it (measured over 5000 steps, 5 seeds: gan_digits' D + G loss at
most 1.2x its first, vaegan_digits' 2.2x; classifiers and VAEs fall); Adam at learning rate 1e9
(3.9e27) is far outside. A warning only: the seed trains on and its metrics count (NaN/Inf is
divergence, handled apart)."""

SLOW_EVALUATION_S = 5.0
"""An evaluation is announced (what runs, its size, per-group progress) when it is the run's
first or when the previous one took longer than this many seconds."""


def loss_increased(first: float | None, last: float | None) -> bool:
  """The `LOSS_INCREASE_FACTOR` rule; False when either loss is missing or not finite."""
  if first is None or last is None or not math.isfinite(first) or not math.isfinite(last):
    return False
  return last > first + (LOSS_INCREASE_FACTOR - 1.0) * abs(first)


def describe_evaluation(config, num_seeds: int, num_groups: int,
                        split_sizes: dict[str, int]) -> str:
  """What an evaluation computes and its size, e.g. '5 seeds in 1 group: test split 450
  examples, IW-NLL k=5000 in chunks of 100, classifier-FID/IS of 1000 samples'."""
  splits = " + ".join(f"{split} split {size} examples" for split, size in split_sizes.items())
  text = f"{num_seeds} seeds in {num_groups} group{'s' * (num_groups > 1)}: {splits}"
  if config.task in ("vae", "iwae"):
    text += f", IW-NLL k={config.iw_samples} in chunks of {min(config.iw_chunk, config.iw_samples)}"
  if config.judge:
    text += f", classifier-FID/IS of {config.fid_samples} samples"
  return text


class Progress:
  """Writes a run's progress lines with `log` (see the module docstring)."""

  def __init__(self, name: str, num_steps: int, num_seeds: int, log, clock=time.perf_counter):
    self.name, self.num_steps, self.num_seeds = name, num_steps, num_seeds
    self.log, self.clock = log, clock
    self.window: tuple[int, float] | None = None   # (step, time) the steady-state window starts at
    self.last_evaluation_s: float | None = None

  @contextlib.contextmanager
  def compiling(self, step: int, chunk_steps: int):
    """Around the first chunk (which the caller blocks on): its start and end lines; the
    steady-state window opens at `step + chunk_steps`, when it ends."""
    self.log(f"[{self.name}] compiling the training step (first chunk: {chunk_steps} step"
             f"{'s' * (chunk_steps > 1)} per call, {self.num_seeds} seeds) ...")
    start = self.clock()
    yield
    end = self.clock()
    self.log(f"[{self.name}] compiled in {end - start:.1f} s (the first chunk's steps included)")
    self.window = (step + chunk_steps, end)

  def report(self, step: int, losses: dict[str, float | None], increased: list[str]) -> None:
    """The line at a log step: rate and ETA of the window since the last line, the mean last-
    chunk loss over finite seeds, and the seeds whose loss increased."""
    now = self.clock()
    if self.window is not None and step > self.window[0]:
      rate = (step - self.window[0]) / max(now - self.window[1], 1e-9)
      timing = (f"{rate:.0f} steps/s, {rate * self.num_seeds:.0f} seed-steps/s | "
                f"ETA {(self.num_steps - step) / max(rate, 1e-9):.0f}s")
    else:
      timing = "steps/s and ETA from the next chunk on (this one compiled)"
    finite = [v for v in losses.values() if v is not None]
    loss = (f"loss {sum(finite) / len(finite):.4f} (mean over finite seeds, last chunk)"
            if finite else "loss: every seed is NaN/Inf")
    warning = (f" | loss increased: seed{'s' * (len(increased) > 1)} {','.join(increased)} "
               f"(> {LOSS_INCREASE_FACTOR:g}x the first logged loss)" if increased else "")
    self.log(f"[{self.name}] step {step}/{self.num_steps} ({100 * step / self.num_steps:.0f}%) | "
             f"{timing} | {loss}{warning}")
    self.window = (step, now)

  def evaluating(self, step: int, config, groups: list, split_sizes: dict[str, int]):
    """Returns done(g, metrics) -> metrics, to call as seed group g's evaluation finishes. A
    slow evaluation (see `SLOW_EVALUATION_S`) gets a line saying what runs (`describe_evaluation`) before it, one per
    finished group when there are several, and one with its seconds; the steady-state window
    restarts after it."""
    announce = self.last_evaluation_s is None or self.last_evaluation_s > SLOW_EVALUATION_S
    if announce:
      self.log(f"[{self.name}] evaluating "
               f"{describe_evaluation(config, self.num_seeds, len(groups), split_sizes)} ...")
    start = self.clock()

    def done(g: int, metrics):
      now = self.clock()
      if announce and len(groups) > 1:
        seeds = ",".join(dict.fromkeys(map(str, groups[g])))
        self.log(f"[{self.name}] evaluated group {g + 1}/{len(groups)} (seeds {seeds}) at "
                 f"{now - start:.1f} s")
      if g == len(groups) - 1:
        self.last_evaluation_s = now - start
        if announce:
          self.log(f"[{self.name}] evaluated in {now - start:.1f} s")
        if self.window is not None:
          self.window = (step, now)
      return metrics

    return done
