"""Reliability: SIGKILL and SIGTERM on save and progress events, corrupt checkpoints,
determinism, overwrite, and a hypothesis fuzz over configs."""

import json
import pathlib
import re
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


# The moments a SIGKILL lands on, at a step S that is saved: S's save under way (Orbax has
# written `S.orbax-checkpoint-tmp`, see genvdisc/checkpoint.py, and is held there, just before
# renaming it, by tests/run_blocked.py), the progress line of S (printed just before S is saved,
# while S - checkpoint_every may still be saving), and S saved (renamed into place).
KILL_EVENTS = ("save under way", "progress line", "saved")
# Orbax finalizes every save twice, its item directory, then the step directory (the rename).
FINALIZE = "orbax.checkpoint._src.path.atomicity.AtomicRenameTemporaryPath.finalize"


def main_flags(name, workdir, overrides):
  return [f"--config=experiments/configs/{name}.py", f"--workdir={workdir}"] + [
      f"--config.{k}={v}" for k, v in overrides.items()]


def start(name, workdir, overrides, held_save: int = 0) -> Child:
  """experiments.main; held_save=k > 0: its k-th save is held before its rename, and
  workdir/../held_<k> appears then."""
  if not held_save:
    return Child("experiments.main", *main_flags(name, workdir, overrides))
  return Child("tests.run_blocked", str(held_marker(workdir, held_save)), FINALIZE,
               str(2 * held_save), "experiments.main", *main_flags(name, workdir, overrides))


def held_marker(workdir, save: int) -> pathlib.Path:
  return pathlib.Path(workdir).parent / f"held_{save}"


def latest_checkpoint(workdir) -> int:
  """The newest saved step (-1: none)."""
  directory = pathlib.Path(workdir, "checkpoints")
  names = [p.name for p in directory.iterdir()] if directory.exists() else []
  return max((int(n) for n in names if n.isdigit()), default=-1)


def printed_step(child: Child, name: str, step: int):
  """Whether `child` has printed the progress line of `step` ("[name] step 200/2000 ...")."""
  return lambda: child.printed(rf"^\[{name}\] step {step}/")


def happened(event: str, child: Child, name: str, workdir, step: int, saves: int):
  """A predicate: whether `event` (one of KILL_EVENTS) has happened at `step`, the run's
  `saves`-th save (a held save: started with held_save=saves)."""
  if event == "progress line":
    return printed_step(child, name, step)
  if event == "save under way":
    return held_marker(workdir, saves).exists
  return pathlib.Path(workdir, "checkpoints", str(step)).exists


def final_params(config, workdir):
  return [np.asarray(x) for s in run.restore_states(config, workdir) for x in jax.tree.leaves(s.params)]


def uninterrupted(name, overrides, workdir):
  config = shrunk_config(name, **overrides)
  results = run.train_runs(config, str(workdir), log=lambda s: None)
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
    # The run resumes from the newest complete save (a tmp dir a kill left is removed) and is
    # killed 1-3 saves later: <= 5 x 3 saves of 100 steps in all, long before num_steps=2000.
    for held in workdir.parent.glob("held_*"):
      held.unlink()
    saves = int(rng.integers(1, 4))
    kill_steps.append(max(latest_checkpoint(workdir), 0) + every * saves)
    child = start(name, workdir, overrides, held_save=saves if event == "save under way" else 0)
    wait_until(happened(event, child, name, workdir, kill_steps[-1], saves),
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
  expected = run.train_runs(config, str(tmp_path / "ref"), log=lambda s: None)
  real_save = crash_after(monkeypatch, 40)
  with pytest.raises(Crash):
    run.train_runs(config, str(tmp_path / "run"), log=lambda s: None)
  monkeypatch.setattr(Checkpointer, "save", real_save)
  damage(tmp_path / "run" / "checkpoints" / "40", how)
  lines = []
  results = run.train_runs(config, str(tmp_path / "run"), log=lines.append)
  assert "warning: unreadable checkpoint step(s) 40" in lines[0] and "falling back to step 20" in lines[0]
  assert (tmp_path / "run" / "corrupt_checkpoints" / "40").is_dir()
  assert results["resumed_from_step"] == 20
  assert results["per_seed"] == expected["per_seed"] and results["curves"] == expected["curves"]


@pytest.mark.slow
def test_no_readable_checkpoint_is_an_error_unless_fresh_start_allowed(tmp_path, monkeypatch):
  config = shrunk_config("svm_digits", num_steps=60)
  expected = run.train_runs(config, str(tmp_path / "ref"), log=lambda s: None)
  real_save = crash_after(monkeypatch, 40)
  with pytest.raises(Crash):
    run.train_runs(config, str(tmp_path / "run"), log=lambda s: None)
  monkeypatch.setattr(Checkpointer, "save", real_save)
  for step in ("20", "40"):
    damage(tmp_path / "run" / "checkpoints" / step, "truncated")
  with pytest.raises(CheckpointError, match=r"no readable checkpoint .*unreadable steps: 40 .*, 20 "
                                            r".*--config.allow_fresh_start=True"):
    run.train_runs(config, str(tmp_path / "run"), log=lambda s: None)
  assert (tmp_path / "run" / "checkpoints" / "40").is_dir()  # nothing moved or lost
  config.allow_fresh_start = True
  results = run.train_runs(config, str(tmp_path / "run"), log=lambda s: None)
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


# --- fuzzing: valid configs, and valid configs with one field made invalid ---------------------

# The models and the datasets each reads, the objectives each allows (others: any).
DATASETS_OF = {"logreg": ("iris", "digits", "mnist1d"), "linear_svm": ("iris", "digits", "mnist1d"),
               "mlp": ("iris", "digits", "mnist1d"), "lenet": ("digits",), "cnn1d": ("mnist1d",),
               "rnn": ("digits", "mnist1d"), "transformer": ("digits", "mnist1d")}
OBJECTIVES_OF = {"logreg": ("cross_entropy",), "linear_svm": ("hinge",)}
OBJECTIVES = ("cross_entropy", "hinge")
# Valid values of the other fields with every model and dataset (batches fit iris' 112
# examples) ...
VALID = {"optimizer": ["adam", "sgd"], "learning_rate": [1e-2, 3e-3], "batch_size": [8, 32],
         "chunk_steps": [-1, 1, 5, 10], "seeds": ["0", "2,0"], "seed_group": [1, 2]}
# ... and invalid ones (5000 exceeds every training split).
INVALID = {"optimizer": ["lbfgs"], "learning_rate": [0.0, -1.0], "batch_size": [0, 5000],
           "chunk_steps": [0, -2], "seeds": ["", "x", "1,1", "-1"], "seed_group": [0, -2]}


def invalid_values(choice: dict, field: str) -> list[tuple[object, tuple[str, ...]]]:
  """(value, the fields an error may name) for each value of `field` that is invalid beside the
  other fields of the valid `choice`, written from the documented rules, independently of
  genvdisc/config.py. A clash of two fields may name either."""
  model, dataset = choice["model"], choice["dataset"]
  if field == "model":
    return [("resnet", ("model",))] + [(m, ("model", "dataset")) for m, reads in DATASETS_OF.items()
                                       if dataset not in reads]
  if field == "dataset":  # an unknown name: test_an_unknown_dataset_names_the_field
    return [(d, ("model", "dataset")) for d in DATASETS_OF["mlp"] if d not in DATASETS_OF[model]]
  if field == "objective":
    return [("mse", ("objective",))] + [(o, ("objective", "model")) for o in OBJECTIVES
                                        if o not in OBJECTIVES_OF.get(model, OBJECTIVES)]
  return [(value, (field,)) for value in INVALID[field]]


@st.composite
def fuzzed_configs(draw, may_break: bool = True):
  """(fields, named): a valid choice of model, dataset, objective and VALID, and, when the draw
  breaks one of its fields, that field's invalid value and the fields its error may name (else
  named is None)."""
  model = draw(st.sampled_from(sorted(DATASETS_OF)))
  choice = {"model": model, "dataset": draw(st.sampled_from(DATASETS_OF[model])),
            "objective": draw(st.sampled_from(OBJECTIVES_OF.get(model, OBJECTIVES)))}
  choice.update({field: draw(st.sampled_from(values)) for field, values in VALID.items()})
  if not (may_break and draw(st.booleans())):
    return choice, None
  field = draw(st.sampled_from([f for f in choice if invalid_values(choice, f)]))
  value, named = draw(st.sampled_from(invalid_values(choice, field)))
  return {**choice, field: value}, named


def make_fuzzed(choice):
  """run.make_train of mlp_digits with `choice`'s fields (the config checks, the data loaded, the
  task built; nothing compiled)."""
  config = shrunk_config("mlp_digits", num_steps=10, log_every=10, checkpoint_every=10)
  config.model_kwargs = {}
  for field, value in choice.items():
    config[field] = value
  return run.make_train(config)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(fuzzed_configs())
def test_fuzzed_configs_are_accepted_or_name_the_invalid_field(fuzzed):
  """A valid config passes every check; one with a field made invalid fails with one line that
  names that field (config.<field>)."""
  choice, named = fuzzed
  try:
    make_fuzzed(choice)
  except (ConfigError, DataError) as e:
    message = str(e)
    assert named is not None, f"refused a valid config {choice}: {message}"
    assert len(message.splitlines()) == 1, message
    assert any(re.search(rf"config\.{field}\b", message) for field in named), (
        f"{message!r} names none of config.{', config.'.join(named)}")
    return
  assert named is None, f"accepted config.{named[0]}={choice[named[0]]!r} in {choice}"


def test_an_unknown_dataset_names_the_field():
  with pytest.raises(DataError, match=r"unknown dataset 'mnist2d'.*config\.dataset"):
    make_fuzzed({"dataset": "mnist2d"})


@pytest.mark.slow
@settings(max_examples=8, deadline=None, derandomize=True)
@given(fuzzed_configs(may_break=False))
def test_fuzzed_valid_configs_train_a_chunk(fuzzed):
  choice, _ = fuzzed
  experiment = make_fuzzed(choice)
  state = experiment.init_states()[0]
  state, metrics = experiment.trainer.train_chunk(state, experiment.device_data(),
                                                  experiment.chunk_steps)
  assert np.all(np.asarray(state.step) == experiment.chunk_steps)
  assert np.all(np.isfinite(np.asarray(metrics["loss"])))
