"""`python -m tests.run_blocked MARKER TARGET CALL MODULE ARGS...`: runs `python -m MODULE ARGS...`
with the function TARGET ('package.module.function' or 'package.module.Class.method') blocked
at its CALL-th call: it creates the file MARKER and sleeps until a signal ends the process.

A test waits for MARKER, then signals a process known to be at that point (setup, between a
sweep's groups, the final evaluation, a section of the benchmarks), never at a guessed moment.
"""

import importlib
import pathlib
import runpy
import sys
import time


def block_at(target: str, call: int, marker: pathlib.Path) -> None:
  """Replaces `target` by a wrapper that blocks at its `call`-th call (1 = the first)."""
  parts = target.split(".")
  for split in range(len(parts) - 1, 0, -1):
    try:
      owner = importlib.import_module(".".join(parts[:split]))
      break
    except ImportError:
      continue
  for name in parts[split:-1]:
    owner = getattr(owner, name)
  original, calls = getattr(owner, parts[-1]), []

  def blocked(*args, **kwargs):
    calls.append(None)
    if len(calls) == call:
      marker.write_text(f"{target} call {call}\n")
      while True:
        time.sleep(1)
    return original(*args, **kwargs)

  setattr(owner, parts[-1], blocked)


if __name__ == "__main__":
  marker, target, call, module = sys.argv[1:5]
  block_at(target, int(call), pathlib.Path(marker))
  sys.argv = [module, *sys.argv[5:]]
  runpy.run_module(module, run_name="__main__", alter_sys=True)
