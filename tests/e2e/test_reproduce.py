"""experiments.reproduce stopped by SIGINT/SIGTERM: one line, exit 75, and a rerun resumes."""

import re
import signal
import subprocess
import sys

import pytest

from experiments import reproduce, tables
from experiments.tables import trained
from experiments.tables.spec import suffix
from genvdisc.report import format as fmt
from genvdisc.train import preemption
from tests.conftest import ROOT


def test_preempted_training_is_its_message_and_exit_75(tmp_path, monkeypatch, capsys):
  def preempted(*args):
    raise preemption.Preempted(30, "runs/core/mlp_digits")
  monkeypatch.setattr(tables, "reproduce", preempted)
  with pytest.raises(SystemExit) as stop:
    reproduce.run("core", str(tmp_path / "out"), None, [], print)
  assert stop.value.code == preemption.EXIT_CODE == 75
  assert capsys.readouterr().err == ("preempted at step 30: checkpoint saved in "
                                     "runs/core/mlp_digits; rerun the same command to resume\n")
  assert not (tmp_path / "out").exists()


def test_sigterm_outside_training_is_one_line_and_exit_75(tmp_path, monkeypatch, capsys):
  """A signal during a closed-form fit or an evaluation (no PreemptionGuard) stops at once. The
  fit calls the handler the OS would run on SIGTERM: no signal reaches the pytest process."""
  def fit(*args):
    signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
    raise AssertionError("SIGTERM did not interrupt")
  monkeypatch.setattr(tables, "reproduce", fit)
  handlers = [signal.getsignal(sig) for sig in preemption.SIGNALS]
  with pytest.raises(SystemExit) as stop:
    reproduce.run("summary", str(tmp_path), None, [], print)
  assert stop.value.code == 75
  assert capsys.readouterr().err == (f"interrupted (SIGTERM) before the table was written: "
                                     f"finished runs in {tmp_path} are kept; rerun the same "
                                     "command to resume\n")
  assert [signal.getsignal(sig) for sig in preemption.SIGNALS] == handlers   # restored


def test_row_line_shows_the_rows_own_metrics():
  entry = {"name": "vae_digits_test", "config": {"model": "mlp", "dataset": "digits", "task": "vae"},
           "per_seed": {"0": {"test_nll": 22.5, "diverged_at_step": None},
                        "1": {"test_nll": 22.7, "diverged_at_step": None},
                        "2": {"test_nll": float("nan"), "diverged_at_step": 40}},
           "wall_time_s": 30.4, "reference": "-", "paper": None}
  assert trained.row_line(entry, None) == (
      "[vae_digits_test] test NLL (nats) 22.60 ± 0.14 | seeds 3 (1 diverged: 2) | 30 s")
  assert trained.row_line(entry, (fmt.TEST_ACCURACY, fmt.TEST_NLL)) == (
      "[vae_digits_test] test NLL (nats) 22.60 ± 0.14 | seeds 3 (1 diverged: 2) | 30 s")
  assert trained.row_line(entry, (fmt.TEST_ACCURACY,)).startswith(
      "[vae_digits_test] no metric |")


SETS = (("num_steps", "100"), ("chunk_steps", "10"), ("log_every", "10"), ("checkpoint_every", "50"))
ROWS = ("logreg_digits", "svm_digits", "logreg_iris", "svm_iris", "mlp_digits", "lenet_digits",
        "logreg_mnist1d", "mlp_mnist1d", "cnn_mnist1d")


@pytest.mark.slow
def test_ctrl_c_during_the_core_table_exits_75_and_the_rerun_finishes_it(tmp_path):
  """SIGINT once the last row's first progress line is out (an event, not a sleep); the rerun
  of the same command reads the finished rows back and resumes the last one."""
  command = [sys.executable, "-m", "experiments.reproduce", "--table=core", f"--out={tmp_path}",
             "--seeds=0", *(f"--set={field}={value}" for field, value in SETS)]
  with open(tmp_path / "stderr", "w") as stderr:
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    lines = []
    for line in child.stdout:
      lines.append(line)
      if re.match(r"\[cnn_mnist1d\] step \d+/100 ", line):
        child.send_signal(signal.SIGINT)
        break
    lines += child.stdout.read().splitlines(keepends=True)
    assert child.wait(timeout=600) == 75, "".join(lines[-20:]) + (tmp_path / "stderr").read_text()
  message = (tmp_path / "stderr").read_text().strip().splitlines()[-1]
  workdir = tmp_path / f"cnn_mnist1d{suffix((0,), SETS)}"
  preempted = re.fullmatch(rf"preempted at step (\d+): checkpoint saved in {workdir}; rerun the "
                           "same command to resume", message)
  # A signal landing after the last chunk (final evaluation) stops at once instead.
  assert preempted or message == (f"interrupted (SIGINT) before the table was written: finished "
                                  f"runs in {tmp_path} are kept; rerun the same command to resume")
  assert not (tmp_path / f"core{suffix((0,), SETS)}.md").exists()

  rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
  assert rerun.returncode == 0, rerun.stderr[-2000:]
  for row in ROWS[:-1]:
    assert f"[{row}] {tmp_path / (row + suffix((0,), SETS))} already holds finished results" in rerun.stdout
  if preempted:
    assert f"[cnn_mnist1d] resumed from step {preempted.group(1)} ({workdir})" in rerun.stdout
  assert re.search(r"^\[cnn_mnist1d\] test acc % [\d.]+ ± 0\.0, train acc % [\d.]+ ± 0\.0 \| seeds 1 \|",
                   rerun.stdout, re.M)
  table = (tmp_path / f"core{suffix((0,), SETS)}.md").read_text()
  assert [line.split(" | ")[0] for line in table.splitlines()[2:]] == [f"| {row}" for row in ROWS]
  assert table in rerun.stdout


def test_seeds_cells_say_what_the_seeds_vary_where_rows_differ():
  """summary: Gaussian rows' seeds are splits, trained rows' are inits on split 0; a table
  whose rows all mean the same (core) keeps the bare count."""
  per_seed = {str(s): {"test_accuracy": 0.9, "diverged_at_step": None} for s in range(5)}
  row = lambda name, model: {"name": name, "config": {"model": model, "dataset": "digits"},
                             "headline": "test_accuracy", "per_seed": per_seed, "wall_time_s": 1.0,
                             "reference": "-", "paper": None}
  record = {"rows": [row("gnb_digits", "gnb"), row("logreg_digits", "logreg")]}
  (summary,) = tables.TABLES["summary"].sections(record)
  assert [r.keys[3] for r in summary.rows] == ["5 splits", "5 inits"]
  (core,) = tables.TABLES["core"].sections({"rows": [row("logreg_digits", "logreg")]})
  assert core.rows[0].keys[3] == "5"
  gnb = tables.TABLES["generative"].sections({"rows": [row("gnb_digits", "gnb")]})[0].rows[0]
  assert gnb.keys[3] == "5 draws"
  assert trained.seeds_vary(trained.ClosedFormRow("qda", "digits")) == "splits"
