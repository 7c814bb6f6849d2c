"""A command stopped at any moment: SIGINT/SIGTERM are one line and exit 75, an OS error (a full
disk) one line naming the path and errno and exit 1, no temporary checkpoint is left, and the
rerun resumes. Signals are sent on events the run emits (tests/run_blocked.py, the
GENVDISC_PAUSE_AT_STEP hook), never after a guessed delay, and never to the pytest process."""

import errno
import json
import os
import re
import signal

import jax.numpy as jnp
import pytest

from genvdisc import checkpoint, results
from genvdisc.errors import ConfigError
from genvdisc.train import preemption, run
from tests.conftest import Child, shrunk_config, wait_until

FAST = dict(num_steps=40, chunk_steps=10, log_every=20, checkpoint_every=20, seeds="0,1",
            seed_group=2)


LATE_WRITE = re.compile(r"(?:Exception ignored in: .*\n)?Traceback \(most recent call last\):\n"
                        r"(?:  .*\n)*?RuntimeError: Event loop is closed\n")


def without_late_writes(err: str) -> str:
  """stderr less tensorstore's 'Event loop is closed' tracebacks: its C threads can still print
  one when a write abandoned by the failed save finishes (genvdisc.checkpoint filters every
  Python hook they can come through; what bypasses them is not the run's own output)."""
  return LATE_WRITE.sub("", err)


def main_flags(workdir, name="logreg_iris", **overrides) -> list[str]:
  return [f"--config=experiments/configs/{name}.py", f"--workdir={workdir}"] + [
      f"--config.{k}={v}" for k, v in {**FAST, **overrides}.items()]


def handlers():
  return [signal.getsignal(sig) for sig in preemption.SIGNALS]


@pytest.mark.parametrize("error, code, line", [
    (ConfigError("config.batch_size=0 must be positive"), 2,
     "error: config.batch_size=0 must be positive"),
    (preemption.Preempted(30, "runs/x"), 75,
     "preempted at step 30: checkpoint saved in runs/x; rerun the same command to resume"),
    (KeyboardInterrupt(), 75, "interrupted (SIGINT) before it finished; rerun the same command "
                              "to resume"),
    (OSError(errno.ENOSPC, "No space left on device", "/w/results.json"), 1,
     "error: /w/results.json: No space left on device (errno 28 ENOSPC)"),
])
def test_exits_cleanly_is_one_line_and_its_exit_code(capsys, error, code, line):
  before = handlers()
  with pytest.raises(SystemExit) as stop:
    with preemption.exits_cleanly():
      raise error
  assert stop.value.code == code
  assert capsys.readouterr().err == line + "\n"
  assert handlers() == before


def test_sigterm_within_exits_cleanly_interrupts_like_ctrl_c(capsys):
  """The handler the OS runs on SIGTERM (called here, so that no signal reaches pytest)."""
  with pytest.raises(SystemExit) as stop:
    with preemption.exits_cleanly("at setup; rerun"):
      signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
      raise AssertionError("SIGTERM did not interrupt")
  assert stop.value.code == 75
  assert capsys.readouterr().err == "interrupted (SIGTERM) at setup; rerun\n"


def test_a_failed_write_names_the_file_and_leaves_no_temporary(tmp_path):
  def full_disk(tmp):
    with open(tmp, "w") as f:
      f.write("half")
    raise OSError(errno.ENOSPC, "No space left on device")
  path = tmp_path / "results.json"
  path.write_text("old\n")
  with pytest.raises(OSError) as raised:
    results.write_atomic(str(path), full_disk)
  assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, str(path))
  assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
  assert path.read_text() == "old\n"


def test_os_error_reads_orbax_and_tensorstore_failures():
  tensorstore = ValueError(
      'OUT_OF_RANGE: Error writing "a/0" in OCDBT database at local file "/w/checkpoints/40'
      '.orbax-checkpoint-tmp/default.orbax-checkpoint-tmp/ocdbt.process_0/": Failed writing: '
      "... File too large [os_error_code='27']")
  error = checkpoint.os_error(tensorstore, "/w/checkpoints")
  assert (error.errno, error.strerror, error.filename) == (27, "File too large", "/w/checkpoints/40")
  wrapped = RuntimeError("commit failed")
  wrapped.__cause__ = PermissionError(errno.EACCES, "Permission denied", "/w/checkpoints/20")
  error = checkpoint.os_error(wrapped, "/w/checkpoints")
  assert (error.errno, error.filename) == (errno.EACCES, "/w/checkpoints/20")
  assert checkpoint.os_error(ValueError("shape mismatch"), "/w") is None


def test_a_failed_save_is_an_os_error_and_its_tmp_dir_is_removed(tmp_path, monkeypatch):
  """Orbax reports a background save's failure at the next wait, as tensorstore's ValueError."""
  checkpointer = checkpoint.Checkpointer(str(tmp_path / "checkpoints"))
  checkpointer.save(20, {"w": jnp.ones(3)})
  checkpointer.wait()
  unfinished = tmp_path / "checkpoints" / "40.orbax-checkpoint-tmp"
  wait = checkpointer._manager.wait_until_finished
  def failed_save():  # fails once, as Orbax does
    monkeypatch.setattr(checkpointer._manager, "wait_until_finished", wait)
    unfinished.mkdir()
    raise ValueError(f'Error writing "w" at local file "{unfinished}/d/1": No space left on '
                     "device [os_error_code='28']")
  monkeypatch.setattr(checkpointer._manager, "wait_until_finished", failed_save)
  with pytest.raises(OSError) as raised:
    checkpointer.close()
  assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC,
                                                         str(tmp_path / "checkpoints" / "40"))
  assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["20"]


def blocked_main(tmp_path, target: str, call: int, flags: list[str]) -> tuple[Child, object]:
  """experiments.main with `target` blocked at its `call`-th call; returns it once it is there."""
  marker = tmp_path / "blocked"
  child = Child("tests.run_blocked", str(marker), target, str(call), "experiments.main", *flags)
  wait_until(marker.exists, f"{target} call {call}", [child])
  return child


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=lambda sig: sig.name)
def test_a_signal_during_setup_is_one_line_and_exit_75(tmp_path, sig):
  child = blocked_main(tmp_path, "genvdisc.train.run.make_train", 1, main_flags(tmp_path / "w"))
  child.proc.send_signal(sig)
  code, out, err = child.finish(timeout=120)
  assert (code, out) == (75, "")
  assert err == (f"interrupted ({sig.name}) before it finished; rerun the same command to "
                 "resume\n")


@pytest.mark.slow
def test_a_signal_during_the_final_evaluation_stops_and_the_rerun_resumes(tmp_path):
  workdir = tmp_path / "w"
  child = blocked_main(tmp_path, "genvdisc.train.run._evaluate", 1, main_flags(workdir))
  child.proc.send_signal(signal.SIGTERM)
  code, _, err = child.finish(timeout=120)
  assert (code, err) == (75, "interrupted (SIGTERM) before it finished; rerun the same command "
                             "to resume\n")
  assert not (workdir / "results.json").exists()
  rerun = Child("experiments.main", *main_flags(workdir))
  code, out, err = rerun.finish(timeout=300)
  assert code == 0, err[-2000:]
  assert f"[logreg_iris] resumed from step 40 ({workdir})" in out
  assert json.loads((workdir / "results.json").read_text())["resumed_from_step"] == 40


@pytest.mark.slow
def test_a_signal_between_a_sweeps_groups_stops_and_the_rerun_keeps_the_first(tmp_path):
  workdir = tmp_path / "w"
  flags = main_flags(workdir, sweep="batch_size=16,32")
  child = blocked_main(tmp_path, "genvdisc.train.run.train_runs", 2, flags)
  child.proc.send_signal(signal.SIGINT)
  code, _, err = child.finish(timeout=120)
  assert (code, err) == (75, "interrupted (SIGINT) before it finished; rerun the same command "
                             "to resume\n")
  assert (workdir / "batch_size=16" / "results.json").exists()
  assert not (workdir / "batch_size=32").exists()
  code, out, err = Child("experiments.main", *flags).finish(timeout=300)
  assert code == 0, err[-2000:]
  assert f"{workdir / 'batch_size=16'} already holds finished results" in out
  assert (workdir / "results.json").exists()


@pytest.mark.slow
def test_a_full_disk_is_one_line_exit_1_and_the_rerun_resumes_from_the_last_complete_save(
    tmp_path):
  """Run 1 is preempted at step 20 (paused there, then SIGTERM); run 2 writes files of at most
  100 kB (RLIMIT_FSIZE: EFBIG, as a full disk gives ENOSPC), so its final save fails; run 3
  resumes from step 20 and equals an uninterrupted run."""
  workdir = tmp_path / "w"
  flags = main_flags(workdir, name="mlp_digits")
  first = Child("experiments.main", *flags, env={preemption.PAUSE_ENV: "20"})
  wait_until((workdir / f"{preemption.PAUSED_MARKER}.0").exists, "step 20", [first])
  first.proc.send_signal(signal.SIGTERM)
  code, _, err = first.finish(timeout=120)
  assert (code, err) == (75, f"preempted at step 20: checkpoint saved in {workdir}; rerun the "
                             "same command to resume\n")

  limit = ("import resource, runpy, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
           "resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, resource.getrlimit("
           "resource.RLIMIT_FSIZE)[1])); sys.argv = sys.argv[3:]; runpy.run_module('experiments.main', run_name='__main__', "
           "alter_sys=True)")
  code, out, err = Child("tests.run_script", "-c", limit, "experiments.main", *flags).finish(300)
  assert code == 1, err[-2000:]
  assert f"resumed from step 20 ({workdir})" in out
  assert without_late_writes(err) == (
      f"error: {workdir}/checkpoints/40: File too large (errno 27 EFBIG)\n")
  assert sorted(os.listdir(workdir / "checkpoints")) == ["20"]
  assert not (workdir / "results.json").exists()

  code, out, err = Child("experiments.main", *flags).finish(timeout=300)
  assert code == 0, err[-2000:]
  resumed = json.loads((workdir / "results.json").read_text())
  assert resumed["resumed_from_step"] == 20
  reference = run.train_runs(shrunk_config("mlp_digits", **FAST), str(tmp_path / "ref"),
                                     log=lambda line: None)
  assert resumed["per_seed"] == reference["per_seed"]
