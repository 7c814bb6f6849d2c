"""Timing (median, min and max of repeats after a warm-up), machine info and BENCHMARKS.md sections."""

from __future__ import annotations

import dataclasses
import datetime
import os
import platform
import re
import time
from typing import Callable

import jax
import numpy as np

from genvdisc import results as results_lib
from genvdisc.report import format as report_format
from genvdisc.report.format import markdown_table


@dataclasses.dataclass(frozen=True)
class Stat:
  """Median, min and max of repeated measurements (seconds, or a rate)."""
  median: float
  low: float
  high: float

  @classmethod
  def of(cls, values) -> "Stat":
    values = np.asarray(values, np.float64)
    return cls(float(np.median(values)), float(values.min()), float(values.max()))

  def rate(self, work: float) -> "Stat":
    """`work` / seconds: a time Stat turned into a rate (min and max swap)."""
    return Stat(work / self.median, work / self.high, work / self.low)

  def times(self, factor: float) -> "Stat":
    """Every value multiplied by `factor` > 0 (seconds per n items -> seconds per m: m / n)."""
    return Stat(self.median * factor, self.low * factor, self.high * factor)

  def __str__(self) -> str:
    return f"{fmt(self.median)} [{fmt(self.low)}–{fmt(self.high)}]"


def fmt(x: float) -> str:
  """3 significant digits, thousands separated: 1,234 / 56.7 / 0.0123."""
  if x >= 100:
    return f"{x:,.0f}"
  return f"{x:.3g}"


def time_it(fn: Callable[[], object], repeats: int, warmup: bool = True) -> Stat:
  """Seconds per call of `fn` (which must block until its work is done), after one warm-up call
  (compilation) unless `warmup` is False."""
  if warmup:
    fn()
  seconds = []
  for _ in range(repeats):
    start = time.perf_counter()
    fn()
    seconds.append(time.perf_counter() - start)
  return Stat.of(seconds)


@dataclasses.dataclass(frozen=True)
class Target:
  """One row of the targets table: met is None when it was not measured (skipped)."""
  target: str
  measured: str
  met: bool | None
  why: str = ""


@dataclasses.dataclass(frozen=True)
class Section:
  title: str
  text: str
  targets: tuple[Target, ...] = ()


PERCENT = report_format.Stat("accuracy %", 100.0)


def percent(values) -> str:
  """Fractions as '65.1 ± 1.4' (%, mean ± sample std), or '65.1' for one value."""
  values = np.ravel(values).tolist()
  return PERCENT.number(values[0]) if len(values) == 1 else PERCENT.text(values)


def machine_info() -> str:
  """CPU model, cores, Python and package versions, jax backend and devices."""
  cpu = platform.processor() or "unknown"
  if os.path.exists("/proc/cpuinfo"):
    with open("/proc/cpuinfo") as f:
      models = re.findall(r"model name\s*:\s*(.+)", f.read())
    cpu = models[0].strip() if models else cpu
  versions = results_lib.package_versions()
  try:
    import torch  # pylint: disable=import-outside-toplevel
    versions["torch"] = torch.__version__
  except ImportError:
    versions["torch"] = "not installed"
  rows = [["date (UTC)", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")],
          ["CPU", cpu], ["cores (os.cpu_count)", os.cpu_count()],
          ["python", platform.python_version()],
          ["jax backend", jax.default_backend()],
          ["devices", ", ".join(str(d.device_kind) for d in jax.devices())]]
  rows += [[name, version] for name, version in sorted(versions.items())]
  return markdown_table(["", ""], rows)


def targets_table(sections: list[Section]) -> str:
  marks = {True: "met", False: "**missed**", None: "not measured"}
  rows = [[t.target, t.measured, marks[t.met], t.why] for s in sections for t in s.targets]
  return markdown_table(["target", "measured", "", "why / note"], rows)


def suite_markers(suite: str) -> tuple[str, str]:
  return f"<!-- bench suite={suite} begin -->", f"<!-- bench suite={suite} end -->"


def write_suite(path: str, suite: str, body: str, preamble: str) -> None:
  """Writes `body` as the `suite` block of the markdown file `path`, atomically.

  Blocks of other suites already in the file are kept (so the cpu and gpu suites, run on
  different machines, share one BENCHMARKS.md); a new file starts with `preamble`.
  """
  begin, end = suite_markers(suite)
  block = f"{begin}\n{body.rstrip()}\n{end}\n"
  old = open(path).read() if os.path.exists(path) else preamble.rstrip() + "\n\n"
  pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.S)
  new = pattern.sub(lambda _: block, old) if pattern.search(old) else old + "\n" + block
  results_lib.write_text_atomic(path, new)
