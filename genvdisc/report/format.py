"""Numbers as text: mean ± spread of per-seed values, the metrics' display specs, markdown and
csv tables. Every table of the project (results.md, sweep.md, the tables' md/csv, BENCHMARKS.md)
writes its numbers and grids through these functions."""

from __future__ import annotations

import csv
import io
import math
from typing import NamedTuple

from genvdisc import results


class Stat(NamedTuple):
  """How per-seed values read: 'mean ± spread' times `scale`, to `digits` decimals. spread
  'std' is the sample standard deviation (0 for one value), 'ci95' the 95% half-width
  1.96 std / sqrt(n)."""
  label: str                   # what the numbers are, e.g. 'test acc %' (chart axis)
  scale: float = 1.0           # 100 for fractions shown in %
  digits: int = 1
  lower_is_better: bool = False
  spread: str = "std"          # std | ci95

  def summary(self, values) -> tuple[float, float]:
    """(mean, spread) of the values, unscaled."""
    stat = results.mean_std(values)
    if self.spread == "ci95":
      return stat["mean"], 1.96 * stat["std"] / math.sqrt(stat["n"])
    return stat["mean"], stat["std"]

  def number(self, value: float) -> str:
    """One unscaled value as shown: 0.9712 -> '97.1' (scale 100, 1 digit)."""
    return f"{self.scale * value:.{self.digits}f}"

  def format(self, mean: float, spread: float) -> str:
    """'97.1 ± 0.3' of an unscaled mean and spread."""
    return f"{self.number(mean)} ± {self.number(spread)}"

  def text(self, values) -> str:
    return self.format(*self.summary(values))


class Metric(NamedTuple):
  key: str                     # a per-seed metric of results.json
  stat: Stat


TEST_ACCURACY = Metric("test_accuracy", Stat("test acc %", 100.0))
TRAIN_ACCURACY = Metric("train_accuracy", Stat("train acc %", 100.0))
TEST_NLL = Metric("test_nll", Stat("test NLL (nats)", 1.0, 2, True))
CLASSIFIER_FID = Metric("classifier_fid", Stat("classifier-FID", 1.0, 1, True))
CLASSIFIER_IS = Metric("classifier_is", Stat("classifier-IS", 1.0, 2))
HEADLINES = {m.key: m for m in (TEST_ACCURACY, TEST_NLL, CLASSIFIER_FID)}


def headline(results_dict: dict) -> Metric:
  """The headline metric of a results dict or table row (`results.headline_key`), with the way
  it reads."""
  return HEADLINES[results.headline_key(results_dict)]


def seed_values(per_seed: dict[str, dict], key: str) -> tuple[float, ...]:
  """The values of metric `key` over the seeds that did not diverge and have it (the seeds
  `results.summarize` counts), in seed order."""
  return tuple(m[key] for m in per_seed.values()
               if m.get("diverged_at_step") is None and results.is_number(m.get(key)))


SEED_FLAGS = (("diverged", lambda m: m.get("diverged_at_step") is not None),
              ("loss increased", lambda m: m.get("loss_increased", False)))


def seeds_text(per_seed: dict[str, dict], word: str | None = None) -> str:
  """The seed count, then `word` if given, then the seeds a reader should know of: '5',
  '5 splits', '5 (1 diverged: 3; 2 loss increased: 0,4)'."""
  notes = []
  for note, flagged in SEED_FLAGS:
    seeds = [s for s, m in per_seed.items() if flagged(m)]
    if seeds:
      notes.append(f"{len(seeds)} {note}: {','.join(seeds)}")
  return (f"{len(per_seed)}" + (f" {word}" if word else "")
          + (f" ({'; '.join(notes)})" if notes else ""))


def significant(stat: dict) -> str:
  """A `results.mean_std` dict as '0.9712 ± 0.0031': mean to 4, std to 2 significant digits
  (for metrics of any scale, unscaled)."""
  return f"{stat['mean']:.4g} ± {stat['std']:.2g}"


def markdown_line(cells) -> str:
  """One markdown table line: '| a | b |' (each cell as str)."""
  return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown_table(header, rows) -> str:
  """A markdown table (no trailing newline): the header line, '|---|---|', one line per row."""
  return "\n".join([markdown_line(header), "|---" * len(header) + "|",
                    *(markdown_line(row) for row in rows)])


def csv_text(rows) -> str:
  """Rows (the header first) as csv text, '\\n' line ends, quoted where needed."""
  buffer = io.StringIO()
  csv.writer(buffer, lineterminator="\n").writerows(rows)
  return buffer.getvalue()
