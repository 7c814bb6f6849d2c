"""Shared test helpers: shrunk versions of the real experiment configs."""

import importlib
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
  import subprocess
  full_env = dict(os.environ, **(env or {}))
  return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=full_env, capture_output=True,
                        text=True, timeout=timeout)
