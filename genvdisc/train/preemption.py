"""Preemption: SIGTERM/SIGINT end the run at the next chunk boundary, checkpointed and resumable.

Cluster schedulers send SIGTERM before killing a job; Ctrl-C sends SIGINT. Inside
`PreemptionGuard`, either signal only sets `requested`; the run loop then finishes its chunk,
saves a checkpoint, writes the PREEMPTED marker and raises `Preempted`, which
experiments/main.py turns into one line and exit code 75 (EX_TEMPFAIL). Rerunning the same
command resumes. A second signal is handled the default way (an impatient Ctrl-C still kills).
"""

from __future__ import annotations

import signal
import threading

SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_CODE = 75  # EX_TEMPFAIL: try again later


class Preempted(Exception):
  """The run stopped at `step` on request, after saving a checkpoint."""

  def __init__(self, step: int, workdir: str):
    super().__init__(f"preempted at step {step}: checkpoint saved in {workdir}; rerun the same "
                     "command to resume")
    self.step = step


class PreemptionGuard:
  """Context manager turning SIGTERM/SIGINT into a flag (main thread only; elsewhere a no-op)."""

  def __init__(self):
    self.requested = False
    self._previous = {}

  def _handle(self, signum, frame):
    del frame
    self.requested = True
    signal.signal(signum, self._previous.get(signum, signal.SIG_DFL))

  def __enter__(self) -> "PreemptionGuard":
    if threading.current_thread() is threading.main_thread():
      for sig in SIGNALS:
        self._previous[sig] = signal.signal(sig, self._handle)
    return self

  def __exit__(self, *exc) -> None:
    for sig, handler in self._previous.items():
      signal.signal(sig, handler)
