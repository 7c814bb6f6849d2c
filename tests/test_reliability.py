"""Reliability: SIGKILL and SIGTERM on save and progress events, corrupt checkpoints,
determinism, overwrite, and a hypothesis fuzz over configs."""

import json
import pathlib
import signal

import jax
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from genvdisc.checkpoint import Checkpointer
from genvdisc.errors import CheckpointError, ConfigError, DataError
from genvdisc.train import run
from genvdisc.train.preemption import EXIT_CODE
from tests.conftest import Child, run_module, shrunk_config, wait_until

# Runs long enough to be killed mid-way, with a checkpoint every 100 steps: the linear SVM in
# chunks of 1 step, and a GAN (D then G per step, two optimizers) in chunks of 10.
KILL_RUN = dict(num_steps=2000, chunk_steps=1, log_every=100, checkpoint_every=100, eval_every=500,
                seeds="0,1", seed_group=2)
KILL_RUNS = {
    "svm_digits": KILL_RUN,
    "gan_digits": dict(num_steps=2000, chunk_steps=10, log_every=100, checkpoint_every=100,
                       eval_every=500, seeds="0,1", seed_group=2, judge="", image_grid=0),
}


# The moments a SIGKILL lands on, at a step S that is saved: S's save under way (Orbax writes
# `S.orbax-checkpoint-tmp`, see genvdisc/checkpoint.py, while the next steps train), the progress
# line of S (printed just before S is saved, while S - checkpoint_every may still be saving), and
# S saved (renamed into place).
KILL_EVENTS = ("save under way", "progress line", "saved")


def main_flags(name, workdir, overrides):
  return [f"--config=experiments/configs/{name}.py", f"--workdir={workdir}"] + [
      f"--config.{k}={v}" for k, v in overrides.items()]


def start(name, workdir, overrides) -> Child:
  return Child("experiments.main", *main_flags(name, workdir, overrides))


def latest_checkpoint(workdir, unfinished: bool = False) -> int:
  """The newest saved step (-1: none); unfinished=True counts saves a kill cut short, too."""
  directory = pathlib.Path(workdir, "checkpoints")
  names = [p.name for p in directory.iterdir()] if directory.exists() else []
  return max((int(n.split(".")[0]) for n in names
              if n.isdigit() or unfinished and ".orbax-checkpoint-tmp" in n), default=-1)


def printed_step(child: Child, name: str, step: int):
  """Whether `child` has printed the progress line of `step` ("[name] step 200/2000 ...")."""
  return lambda: child.printed(rf"^\[{name}\] step {step}/")


def happened(event: str, child: Child, name: str, workdir, step: int):
  """A predicate: whether `event` (one of KILL_EVENTS) has happened at `step`."""
  saved = pathlib.Path(workdir, "checkpoints", str(step))
  if event == "progress line":
    return printed_step(child, name, step)
  if event == "save under way":
    # The tmp dir lives for tens of ms, so the 2 ms polls see it; should a stalled test process
    # miss it, the kill lands just after the save instead, and the test still holds.
    return lambda: saved.exists() or any(saved.parent.glob(f"{step}.orbax-checkpoint-tmp*"))
  return saved.exists


def final_params(config, workdir):
  return [np.asarray(x) for s in run.restore_states(config, workdir) for x in jax.tree.leaves(s.params)]


def uninterrupted(name, overrides, workdir):
  config = shrunk_config(name, **overrides)
  results = run.train_and_evaluate(config, str(workdir), log=lambda s: None)
  return results, final_params(config, str(workdir))


# Progress lines between the checkpoints as well, for a signal a few steps after one.
PREEMPT_RUN = dict(KILL_RUN, log_every=50)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
  """The uninterrupted run of PREEMPT_RUN, in-process."""
  return uninterrupted("svm_digits", PREEMPT_RUN, tmp_path_factory.mktemp("reference"))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(KILL_RUNS))
def test_sigkill_on_save_and_progress_events_then_resume_is_bitwise(tmp_path, name):
  """5 runs in one workdir, each SIGKILLed on an event (KILL_EVENTS in turn) 1-3 saves after
  the step it resumed from; a 6th run finishes and equals an uninterrupted run bitwise."""
  overrides = KILL_RUNS[name]
  every = overrides["checkpoint_every"]
  rng = np.random.default_rng(20261123)
  workdir = tmp_path / "killed"
  kill_steps = []
  for event in KILL_EVENTS[1:] + KILL_EVENTS:  # ends on "saved", so the last kill's step is saved
    # Past any tmp dir a kill left (else it would count as this run's save under way), and
    # <= 5 x 4 saves of 100 steps in all: every run is killed long before num_steps=2000.
    kill_steps.append(max(latest_checkpoint(workdir, unfinished=True), 0)
                      + every * int(rng.integers(1, 4)))
    child = start(name, workdir, overrides)
    wait_until(happened(event, child, name, workdir, kill_steps[-1]),
               f"{event} at step {kill_steps[-1]}", [child])
    child.proc.send_signal(signal.SIGKILL)
    child.finish()
    assert not (workdir / "results.json").exists()
  newest = latest_checkpoint(workdir)
  code, _, err = start(name, workdir, overrides).finish(timeout=600)
  assert code == 0, err[-2000:]
  results = json.loads((workdir / "results.json").read_text())
  assert results["resumed_from_step"] == newest >= kill_steps[-1]
  ref_results, ref_params = uninterrupted(name, overrides, tmp_path / "reference")
  assert results["per_seed"] == ref_results["per_seed"]
  assert results["curves"] == ref_results["curves"]
  for a, b in zip(final_params(shrunk_config(name, **overrides), str(workdir)), ref_params,
                  strict=True):
    np.testing.assert_array_equal(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("sig, step", [(signal.SIGTERM, 200), (signal.SIGINT, 250)])
def test_sigterm_and_ctrl_c_save_exit_75_and_rerun_resumes(tmp_path, reference, sig, step):
  """SIGTERM on the progress line of step 200, printed just before its checkpoint is saved (the
  case that once saved a step twice), or Ctrl-C (SIGINT) on that of step 250, between
  checkpoints: one line, the documented message, exit 75; the rerun resumes bitwise."""
  workdir = tmp_path / "preempted"
  child = start("svm_digits", workdir, PREEMPT_RUN)
  wait_until(printed_step(child, "svm_digits", step), f"the progress line of step {step}", [child])
  child.proc.send_signal(sig)
  code, _, err = child.finish(timeout=120)
  assert code == EXIT_CODE
  stopped = json.loads((workdir / "PREEMPTED").read_text())["step"]
  assert err == (f"preempted at step {stopped}: checkpoint saved in {workdir}; rerun the same "
                 "command to resume\n")
  assert stopped >= step and latest_checkpoint(workdir) == stopped
  assert not (workdir / "results.json").exists()
  code, out, err = start("svm_digits", workdir, PREEMPT_RUN).finish(timeout=600)
  assert code == 0, err[-2000:]
  assert f"resumed from step {stopped}" in out and not (workdir / "PREEMPTED").exists()
  assert json.loads((workdir / "results.json").read_text())["per_seed"] == reference[0]["per_seed"]


class Crash(Exception):
  pass


def crash_after(monkeypatch, step_to_crash):
  real_save = Checkpointer.save

  def save(self, step, state):
    real_save(self, step, state)
    if step == step_to_crash:
      self.wait()
      raise Crash(step)

  monkeypatch.setattr(Checkpointer, "save", save)
  return real_save


def damage(step_dir: pathlib.Path, how: str):
  if how == "truncated":
    for f in step_dir.rglob("*"):
      if f.is_file() and f.parent.name == "d":
        f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
  else:
    metadata = step_dir / "default" / "_METADATA"
    metadata.write_bytes(b"\x00garbled" * 50)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["truncated", "garbled"])
def test_corrupt_latest_checkpoint_falls_back_with_a_warning(tmp_path, monkeypatch, how):
  config = shrunk_config("svm_digits", num_steps=60, eval_every=20)
  expected = run.train_and_evaluate(config, str(tmp_path / "ref"), log=lambda s: None)
  real_save = crash_after(monkeypatch, 40)
  with pytest.raises(Crash):
    run.train_and_evaluate(config, str(tmp_path / "run"), log=lambda s: None)
  monkeypatch.setattr(Checkpointer, "save", real_save)
  damage(tmp_path / "run" / "checkpoints" / "40", how)
  lines = []
  results = run.train_and_evaluate(config, str(tmp_path / "run"), log=lines.append)
  assert "warning: unreadable checkpoint step(s) 40" in lines[0] and "falling back to step 20" in lines[0]
  assert (tmp_path / "run" / "corrupt_checkpoints" / "40").is_dir()
  assert results["resumed_from_step"] == 20
  assert results["per_seed"] == expected["per_seed"] and results["curves"] == expected["curves"]


@pytest.mark.slow
def test_no_readable_checkpoint_is_an_error_unless_fresh_start_allowed(tmp_path, monkeypatch):
  config = shrunk_config("svm_digits", num_steps=60)
  expected = run.train_and_evaluate(config, str(tmp_path / "ref"), log=lambda s: None)
  real_save = crash_after(monkeypatch, 40)
  with pytest.raises(Crash):
    run.train_and_evaluate(config, str(tmp_path / "run"), log=lambda s: None)
  monkeypatch.setattr(Checkpointer, "save", real_save)
  for step in ("20", "40"):
    damage(tmp_path / "run" / "checkpoints" / step, "truncated")
  with pytest.raises(CheckpointError, match=r"no readable checkpoint .*unreadable steps: 40 .*, 20 "
                                            r".*--config.allow_fresh_start=True"):
    run.train_and_evaluate(config, str(tmp_path / "run"), log=lambda s: None)
  assert (tmp_path / "run" / "checkpoints" / "40").is_dir()  # nothing moved or lost
  config.allow_fresh_start = True
  results = run.train_and_evaluate(config, str(tmp_path / "run"), log=lambda s: None)
  assert results["resumed_from_step"] is None and results["per_seed"] == expected["per_seed"]


@pytest.mark.slow
def test_same_command_twice_is_bit_identical_and_overwrite_retrains(tmp_path):
  overrides = dict(num_steps=40, chunk_steps=10, log_every=20, checkpoint_every=20, eval_every=20,
                   seeds="0,1", seed_group=2)
  outputs = []
  for name in ("a", "b"):
    proc = run_module("experiments.main", *main_flags("mlp_digits", tmp_path / name, overrides))
    assert proc.returncode == 0, proc.stderr[-2000:]
    outputs.append(json.loads((tmp_path / name / "results.json").read_text()))
  assert outputs[0]["per_seed"] == outputs[1]["per_seed"]
  assert outputs[0]["curves"] == outputs[1]["curves"]
  proc = run_module("experiments.main", *main_flags("mlp_digits", tmp_path / "a",
                                                    dict(overrides, num_steps=20)), "--overwrite")
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert json.loads((tmp_path / "a" / "results.json").read_text())["config"]["num_steps"] == 20


# --- fuzzing: random valid and invalid configs -------------------------------------------------

CHOICES = {
    "model": ["logreg", "linear_svm", "mlp", "lenet", "cnn1d", "rnn", "transformer", "resnet"],
    "dataset": ["iris", "digits", "mnist1d", "mnist2d"],
    "objective": ["cross_entropy", "hinge", "mse"],
    "optimizer": ["adam", "sgd", "lbfgs"],
    "learning_rate": [1e-2, 3e-3, 0.0, -1.0],
    "batch_size": [8, 32, 0, 5000],
    "chunk_steps": [-1, 5, 1, 0, 3],
    "seeds": ["0", "2,0", "", "1,1", "x"],
    "seed_group": [1, 2, 0],
}
INPUT_KINDS = {"lenet": {"digits"}, "cnn1d": {"mnist1d"}, "rnn": {"digits", "mnist1d"},
               "transformer": {"digits", "mnist1d"}}
TRAIN_SIZES = {"iris": 112, "digits": 1347, "mnist1d": 4000}


def expected_error(c) -> bool:
  """An oracle written from the documented rules, independently of genvdisc/config.py."""
  chunk = c["chunk_steps"] if c["chunk_steps"] != -1 else (1 if c["model"] in ("lenet", "cnn1d") else 100)
  seeds = c["seeds"].split(",")
  return (c["model"] == "resnet" or c["dataset"] == "mnist2d" or c["objective"] == "mse"
          or c["optimizer"] == "lbfgs" or c["learning_rate"] <= 0 or c["batch_size"] < 1
          or c["chunk_steps"] == 0 or c["seed_group"] < 1
          or not all(s.isdigit() for s in seeds) or len(set(seeds)) != len(seeds)
          or (c["model"] == "logreg" and c["objective"] != "cross_entropy")
          or (c["model"] == "linear_svm" and c["objective"] != "hinge")
          or c["dataset"] not in INPUT_KINDS.get(c["model"], TRAIN_SIZES)
          or c["batch_size"] > TRAIN_SIZES[c["dataset"]] or 10 % chunk != 0)


def check_config(choice):
  """A documented one-line error exactly when the oracle expects one; else one chunk trains."""
  config = shrunk_config("mlp_digits", num_steps=10, log_every=10, checkpoint_every=10)
  config.model_kwargs = {}
  for field, value in choice.items():
    config[field] = value
  try:
    experiment = run.make_train(config)
  except (ConfigError, DataError) as e:
    assert expected_error(choice), f"unexpected error for a valid config: {e}"
    assert len(str(e).splitlines()) == 1
    return
  assert not expected_error(choice), f"accepted an invalid config: {choice}"
  state = experiment.init_states()[0]
  state, metrics = experiment.trainer.train_chunk(state, experiment.device_data(),
                                                  experiment.chunk_steps)
  assert np.all(np.asarray(state.step) == experiment.chunk_steps)
  assert np.all(np.isfinite(np.asarray(metrics["loss"])))


# Field values that are valid on their own (the first values above): their combinations still
# clash (a CNN on tabular data, a hinge-loss logistic regression, ...), so both branches run.
VALID_ALONE = {k: v[:3] if k in ("model", "dataset") else v[:2] for k, v in CHOICES.items()}
VALID_ALONE["model"] = ["logreg", "linear_svm", "mlp", "lenet", "cnn1d", "rnn", "transformer"]
VALID_ALONE["dataset"] = ["iris", "digits", "mnist1d"]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CHOICES.items()}))
def test_fuzzed_configs(choice):
  check_config(choice)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in VALID_ALONE.items()}))
def test_fuzzed_configs_of_valid_values(choice):
  check_config(choice)
