"""Shared test helpers: shrunk versions of the real experiment configs, and child processes
that a test can watch (their output line by line) and signal on an event."""

import importlib
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_addoption(parser):
  parser.addoption("--update-goldens", action="store_true",
                   help="rewrite tests/golden/*.json from this run instead of comparing "
                        "(tests/e2e/test_golden.py)")


def shrunk_config(name: str, **overrides):
  """experiments/configs/<name>.py with few steps and seeds; `overrides` set any field."""
  config = importlib.import_module(f"experiments.configs.{name}").get_config()
  config.num_steps = 40
  config.chunk_steps = 10
  config.log_every = 20
  config.checkpoint_every = 20
  config.seeds = "0,1"
  config.seed_group = 2
  for field, value in overrides.items():
    config[field] = value
  return config


def run_module(*args, env=None, timeout=300):
  """Runs `python -m <args>` from the repo root; returns the CompletedProcess."""
  full_env = dict(os.environ, **(env or {}))
  return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=full_env, capture_output=True,
                        text=True, timeout=timeout)


class Child:
  """`python -m <args>` started from the repo root, its stdout and stderr read line by line as
  they come, by two threads: a test can act on a progress line, and neither pipe fills up."""

  def __init__(self, *args, env=None):
    self.proc = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT,
                                 env=dict(os.environ, **(env or {})), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
    self.out, self.err = [], []
    self._readers = [threading.Thread(target=_read_lines, args=pipe, daemon=True)
                     for pipe in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
    for reader in self._readers:
      reader.start()

  def printed(self, pattern: str) -> bool:
    """Whether a stdout line so far matches the regex `pattern`."""
    return any(re.search(pattern, line) for line in list(self.out))

  def finish(self, timeout: float = 600) -> tuple[int, str, str]:
    """Waits for the exit, killing the process after `timeout` s; returns (code, stdout, stderr)."""
    try:
      self.proc.wait(timeout)
    except subprocess.TimeoutExpired:
      self.proc.kill()
      self.proc.wait()
    for reader in self._readers:
      reader.join()
    return self.proc.returncode, "".join(self.out), "".join(self.err)


def wait_until(event, what: str, children: list[Child], timeout: float = 300) -> None:
  """Polls `event()` every 2 ms until it is true; fails the test, killing `children`, if one of
  them exits first or `timeout` s pass. Slow machines only make this wait longer."""
  deadline = time.monotonic() + timeout
  while not event():
    ended = [c for c in children if c.proc.poll() is not None]
    if ended or time.monotonic() > deadline:
      for child in children:
        child.proc.kill()
      logs = "\n".join(child.finish()[2][-2000:] for child in children)
      reason = (f"exited with code {ended[0].proc.returncode}" if ended
                else f"nothing after {timeout} s")
      raise AssertionError(f"waiting for {what}: {reason}; stderr:\n{logs}")
    time.sleep(0.002)


def _read_lines(stream, lines: list) -> None:
  for line in stream:
    lines.append(line)
