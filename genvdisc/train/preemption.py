"""Stopping a command at any moment: one line on stderr, a clean exit code, and resumable.

Inside the training loop, `PreemptionGuard` turns SIGTERM/SIGINT (a cluster scheduler's notice,
Ctrl-C) into a flag: the loop finishes its chunk, saves a checkpoint, writes the PREEMPTED
marker and raises `Preempted`. Everywhere else (setup, compilation, between a sweep's groups,
evaluation, writing tables), `exits_cleanly`, which every entry point wraps its work in, makes
SIGTERM act like Ctrl-C and turns whatever stops the command into one line and an exit code:

  bad input (GenvdiscError)                        "error: ..."                   exit 2
  Preempted, SIGINT or SIGTERM (KeyboardInterrupt)  "preempted ..."/"interrupted ..."  exit 75
  an OS error (disk full, permission, ...)          "error: PATH: ... (errno N ...)"  exit 1

Exit 75 is EX_TEMPFAIL: rerun the same command to resume (finished runs are read back, an
unfinished one resumes from its newest complete checkpoint). A second signal while the loop
finishes its chunk interrupts at once (one line, exit 75; the rerun resumes from the newest
complete checkpoint).

`pause_if_asked` is a test hook: with GENVDISC_PAUSE_AT_STEP=N a run stops after step N and
waits to be signalled, so a test signals a run known to be mid-run, never a guessed moment.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
import time

from genvdisc.errors import GenvdiscError

SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_CODE = 75  # EX_TEMPFAIL: try again later
BAD_INPUT_EXIT_CODE = 2
OS_ERROR_EXIT_CODE = 1
PAUSE_ENV = "GENVDISC_PAUSE_AT_STEP"
PAUSED_MARKER = "PAUSED"


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


def _raise_interrupt(signum, frame):
  del frame
  raise KeyboardInterrupt(signal.Signals(signum).name)


def describe_os_error(e: OSError) -> str:
  """'PATH: No space left on device (errno 28 ENOSPC)': what failed, where, and the errno."""
  where = " -> ".join(str(p) for p in (e.filename, e.filename2) if p is not None)
  name = errno.errorcode.get(e.errno)
  code = "" if e.errno is None else f" (errno {e.errno}{' ' + name if name else ''})"
  return f"{where + ': ' if where else ''}{e.strerror or e}{code}"


@contextlib.contextmanager
def exits_cleanly(interrupted: str = "before it finished; rerun the same command to resume"):
  """Runs the body of an entry point: SIGTERM raises KeyboardInterrupt like SIGINT (main thread
  only), and bad input, `Preempted`, an interrupt or an OS error become one line on stderr and
  exit code 2, 75, 75 or 1 (module docstring). `interrupted` ends the interrupt's line,
  'interrupted (SIGTERM) <interrupted>'.

  Under jax.distributed, enter it before `distributed.initialize`: JAX's preemption service then
  takes SIGTERM over (every process stops at one agreed step) and SIGINT still stops at once.
  """
  main_thread = threading.current_thread() is threading.main_thread()
  previous = {sig: signal.signal(sig, _raise_interrupt) for sig in SIGNALS} if main_thread else {}
  try:
    yield
  except GenvdiscError as e:  # before OSError: WorkdirError is both
    _exit(BAD_INPUT_EXIT_CODE, f"error: {e}", main_thread)
  except Preempted as e:
    _exit(EXIT_CODE, str(e), main_thread)
  except KeyboardInterrupt as e:
    _exit(EXIT_CODE, f"interrupted ({e.args[0] if e.args else 'SIGINT'}) {interrupted}",
          main_thread)
  except OSError as e:
    _exit(OS_ERROR_EXIT_CODE, f"error: {describe_os_error(e)}", main_thread)
  finally:
    for sig, handler in previous.items():
      signal.signal(sig, handler)


def _exit(code: int, line: str, main_thread: bool) -> None:
  """Prints `line` on stderr and exits with `code`, deaf to further signals while it does."""
  if main_thread:
    for sig in SIGNALS:
      signal.signal(sig, signal.SIG_IGN)
  print(line, file=sys.stderr, flush=True)
  sys.exit(code)


def pause_if_asked(step: int, workdir: str, guard: PreemptionGuard | None, checkpointer) -> None:
  """Test hook, called after every chunk; a no-op unless GENVDISC_PAUSE_AT_STEP equals `step`.

  Then the run waits for its checkpoint saves to finish, writes workdir/PAUSED.<process index>
  (holding the step) and blocks until the stop is agreed: with one process, until SIGTERM/SIGINT
  set `guard.requested` (it stops at this step); with several, until a SIGTERM made every
  process report its preemption counter to JAX (all stop at this step, or at the next chunk's
  end if this step was saved: Orbax's save counts as a `reached_preemption` call). SIGKILL
  needs no release. A test waits for the marker, then signals.
  """
  if os.environ.get(PAUSE_ENV) != str(step):
    return
  import jax  # pylint: disable=import-outside-toplevel -- only the test hook needs it
  checkpointer.wait()
  marker = os.path.join(workdir, f"{PAUSED_MARKER}.{jax.process_index()}")
  with open(marker, "w") as f:
    f.write(f"{step}\n")
  released = (lambda: guard.requested) if guard is not None else _preemption_agreed
  while not released():
    time.sleep(0.01)


def _preemption_agreed() -> bool:
  """Whether every process has sent JAX's preemption sync protocol its counter (which it does
  holding the lock that `reached_preemption` waits for, until the stopping point is set)."""
  import jax  # pylint: disable=import-outside-toplevel
  from jax._src import distributed as jax_distributed  # pylint: disable=import-outside-toplevel
  counters = jax_distributed.global_state.client.key_value_dir_get("PREEMPTION_CURRENT_COUNTER/")
  return len(counters) == jax.process_count()
