"""Scale-out: ('seed', 'data') meshes on 8 simulated CPU devices and a 2-process run.

Simulated devices must be set before JAX starts, so those runs are subprocesses. Tolerance
against 1 device: per-seed metrics rel 1e-5, params atol 1e-6 (float reassociation of the
partitioned program; measured on params of mlp_digits, 40 steps: <= 6e-8 on (8, 1), 2e-7 on
(2, 4), 1.2e-7 on (1, 8)).
"""

import json
import os
import shutil
import signal
import tempfile
import textwrap

import jax
import numpy as np
import pytest
import tensorflow_datasets as tfds

from genvdisc import distributed
from genvdisc.errors import ConfigError, DataError
from genvdisc.train import preemption, run
from tests.conftest import Child, run_module, shrunk_config, wait_until

SEEDS = "0,1,2,3,4,5,6,7"
MESHES = ((8, 1), (2, 4), (1, 8))

MESH_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    from genvdisc.errors import ConfigError
    from tests.e2e.test_scale import stream_equals_device_on_mesh, train_on_mesh
    out = {f"{seed}x{data}": train_on_mesh(seed, data) for seed, data in %r}
    out["stream_2x4"] = stream_equals_device_on_mesh(sys.argv[1], 2, 4)
    try:
      train_on_mesh(2, 4, batch_size=30)
    except ConfigError as e:
      out["batch_error"] = str(e)
    print(json.dumps(out))
""" % (MESHES,))


def train_on_mesh(seed: int, data: int, **overrides) -> dict:
  """Trains shrunk mlp_digits (seeds 0-7, one per device row) for 20 steps on a seed x data mesh.

  Returns the mesh, per-seed metrics, params and whether the compiled chunk all-reduces.
  """
  config = shrunk_config("mlp_digits", seeds=SEEDS, seed_group=1, **overrides)
  config.mesh.seed, config.mesh.data = seed, data
  experiment = run.make_train(config)
  assert jax.device_count() == seed * data
  data_arrays = experiment.device_data()
  states = experiment.init_states()
  chunk = experiment.trainer.train_chunk.lower(states[0], data_arrays, 10).compile()
  for _ in range(2):
    states = [chunk(s, data_arrays)[0] for s in states]
  params = [np.concatenate(leaves) for leaves in zip(*(jax.tree.leaves(s.params) for s in states))]
  return {"mesh": dict(experiment.mesh.shape), "all_reduce": "all-reduce" in chunk.as_text(),
          "per_seed": run._evaluate(experiment, states, data_arrays),
          "params": [p.tolist() for p in params]}


def stream_config(**overrides):
  """Shrunk mlp_mnist (for tfds mock data): 20 steps in chunks of 5, checkpoints at 10 and 20."""
  return shrunk_config("mlp_mnist", num_steps=20, chunk_steps=5, log_every=10,
                       checkpoint_every=10, batch_size=8, eval_batch_size=32, **overrides)


def stream_equals_device_on_mesh(workdir: str, seed: int, data: int) -> bool:
  """Whether streamed input gives bitwise the on-device per-seed results on a seed x data mesh."""
  per_seed = {}
  with tfds.testing.mock_data(num_examples=64):
    for mode in ("device", "stream"):
      config = stream_config(input=mode)
      config.mesh.seed, config.mesh.data = seed, data
      per_seed[mode] = run.train_runs(config, f"{workdir}/{mode}_{seed}x{data}",
                                              log=lambda s: None)["per_seed"]
  return per_seed["device"] == per_seed["stream"]


@pytest.mark.slow
def test_meshes_give_the_one_device_results(tmp_path):
  script = tmp_path / "meshes.py"
  script.write_text(MESH_SCRIPT)
  proc = run_module("tests.run_script", str(script), str(tmp_path),
                    env={"XLA_FLAGS": "--xla_force_host_platform_device_count=8",
                         "JAX_PLATFORMS": "cpu"})
  assert proc.returncode == 0, proc.stderr[-3000:]
  eight = json.loads(proc.stdout.strip().splitlines()[-1])
  assert eight.pop("stream_2x4") is True  # each process reads its shards, seeds x batch split
  assert eight.pop("batch_error") == ("config.batch_size=30 does not split over "
                                      "config.mesh.data=4 devices; use --config.batch_size=32")

  one = train_on_mesh(1, 1)
  for (seed, data) in MESHES:
    got = eight[f"{seed}x{data}"]
    assert got["mesh"] == {"seed": seed, "data": data}
    assert got["all_reduce"] == (data > 1)  # gradients are reduced over 'data' by XLA
    _assert_metrics_close(got["per_seed"], one["per_seed"])
    for a, b in zip(got["params"], one["params"], strict=True):
      np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)


def _assert_metrics_close(got: dict, want: dict) -> None:
  """Per-seed metrics equal within rel 1e-5, and no seed diverged."""
  assert sorted(got) == sorted(want)
  for seed, metrics in want.items():
    metrics, other = dict(metrics), dict(got[seed])
    assert metrics.pop("diverged_at_step") is None and other.pop("diverged_at_step") is None
    assert other == pytest.approx(metrics, rel=1e-5), seed


TWO_PROCESS_FLAGS = ["--config=experiments/configs/mlp_digits.py", "--config.num_steps=20",
                     "--config.chunk_steps=5", "--config.log_every=10",
                     "--config.checkpoint_every=10", "--config.seeds=0,1",
                     "--config.seed_group=2", "--config.mesh.seed=1", "--config.mesh.data=-1"]


def _start_two_processes(workdir: str, flags=TWO_PROCESS_FLAGS, env=None) -> list[Child]:
  """Starts experiments.main as 2 processes x 2 CPU devices on localhost (`env`: more
  environment variables).

  The coordinator listens on a Unix socket in a directory just made for it by `mkdtemp` (gRPC
  and JAX take `unix:PATH` as the address; JAX_COORDINATOR_BIND_ADDRESS is where process 0
  binds). A TCP port found free (bind to port 0, read it, close) could be taken by any other
  process before process 0 binds it again; a path in a fresh private directory cannot, so
  there is no race and nothing to retry. (JAX cannot bind port 0 itself: every process,
  process 0 included, connects to the one address it is given.)
  """
  address = f"unix:{tempfile.mkdtemp(prefix='coordinator', dir=os.path.dirname(workdir))}/socket"
  env = {"JAX_NUM_CPU_DEVICES": "2", "JAX_PLATFORMS": "cpu",
         "JAX_COORDINATOR_BIND_ADDRESS": address, **(env or {})}
  return [Child("experiments.main", *flags, f"--workdir={workdir}",
                f"--coordinator_address={address}", "--num_processes=2", f"--process_id={i}",
                env=env) for i in range(2)]


def _finish(procs: list[Child], returncode: int = 0) -> list[tuple[str, str]]:
  """Waits for the processes; checks their exit codes; returns their (stdout, stderr)."""
  ends = [p.finish(timeout=240) for p in procs]
  for code, _, err in ends:
    assert code == returncode, err[-3000:]
  return [(out, err) for _, out, err in ends]


def _two_processes(workdir: str, flags=TWO_PROCESS_FLAGS) -> list[str]:
  """Runs experiments.main as 2 processes x 2 CPU devices on localhost; returns their stdouts."""
  return [out for out, _ in _finish(_start_two_processes(workdir, flags))]


@pytest.mark.slow
def test_two_processes_checkpoint_resume_and_equal_one_process(tmp_path):
  workdir = tmp_path / "two"
  first = _two_processes(str(workdir))
  assert "| mlp_digits |" in first[0] and "| mlp_digits |" not in first[1]  # process 0 prints
  assert sorted(p.name for p in (workdir / "checkpoints").iterdir()) == ["10", "20"]
  # Resume: drop the final checkpoint and results, so both processes restore step 10.
  shutil.rmtree(workdir / "checkpoints" / "20")
  (workdir / "results.json").unlink()
  second = _two_processes(str(workdir))
  results = json.loads((workdir / "results.json").read_text())
  assert results["resumed_from_step"] == 10 and "resumed from step 10" in second[0]
  assert results["mesh"] == {"axes": {"seed": 1, "data": 4}, "platform": "cpu", "devices": 4}

  proc = run_module("experiments.main", *TWO_PROCESS_FLAGS, f"--workdir={tmp_path / 'one'}",
                    env={"XLA_FLAGS": "--xla_force_host_platform_device_count=4",
                         "JAX_PLATFORMS": "cpu"}, timeout=240)
  assert proc.returncode == 0, proc.stderr[-3000:]
  single = json.loads((tmp_path / "one" / "results.json").read_text())
  assert single["mesh"] == results["mesh"]
  _assert_metrics_close(results["per_seed"], single["per_seed"])


@pytest.mark.slow
def test_two_processes_stop_together_on_sigterm_and_resume(tmp_path):
  """SIGTERM to every process (what a scheduler sends) while both wait at step 55, past
  checkpoint 50 (the GENVDISC_PAUSE_AT_STEP hook, released once JAX's preemption protocol has
  every process's counter): JAX's preemption service and Orbax's `reached_preemption` make both
  stop at step 55, checkpointed, with exit code 75; the same command then resumes from it."""
  workdir = tmp_path / "preempted"
  flags = [f for f in TWO_PROCESS_FLAGS if not f.startswith(("--config.num_steps",
                                                              "--config.checkpoint_every"))]
  flags += ["--config.num_steps=1000", "--config.checkpoint_every=50"]
  procs = _start_two_processes(str(workdir), flags, env={preemption.PAUSE_ENV: "55"})
  paused = [workdir / f"{preemption.PAUSED_MARKER}.{i}" for i in range(2)]
  wait_until(lambda: all(p.exists() for p in paused), "both processes at step 55", procs)
  for p in procs:
    p.proc.send_signal(signal.SIGTERM)
  outs = _finish(procs, returncode=75)
  assert json.loads((workdir / "PREEMPTED").read_text())["step"] == 55
  for _, err in outs:
    assert f"preempted at step 55: checkpoint saved in {workdir}; rerun the same command to " \
           "resume" in err
  assert sorted(p.name for p in (workdir / "checkpoints").iterdir()) == ["50", "55"]
  assert not (workdir / "results.json").exists()

  _two_processes(str(workdir), flags)
  results = json.loads((workdir / "results.json").read_text())
  assert results["resumed_from_step"] == 55 and not (workdir / "PREEMPTED").exists()


def test_distributed_flags_without_a_coordinator_are_an_error(monkeypatch):
  for name in ("JAX_COORDINATOR_ADDRESS", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID", "SLURM_NTASKS"):
    monkeypatch.delenv(name, raising=False)
  assert distributed.initialize() is False and distributed.is_primary()
  with pytest.raises(ConfigError, match=r"--num_processes=2 --process_id=1 need "
                                        r"--coordinator_address=HOST:PORT"):
    distributed.initialize(num_processes=2, process_id=1)
  with pytest.raises(ConfigError, match=r"--process_id=2 must be in \[0, --num_processes=2\)"):
    distributed.initialize("localhost:1234", 2, 2)


@pytest.mark.slow
def test_streamed_input_equals_on_device_input_and_resumes(tmp_path):
  with tfds.testing.mock_data(num_examples=64):
    device = run.train_runs(stream_config(), str(tmp_path / "device"), log=lambda s: None)
    stream = run.train_runs(stream_config(input="stream"), str(tmp_path / "stream"),
                                    log=lambda s: None)
    assert stream["per_seed"] == device["per_seed"]  # the same draws, read on the host: bitwise
    shutil.rmtree(tmp_path / "stream" / "checkpoints" / "20")
    (tmp_path / "stream" / "results.json").unlink()
    resumed = run.train_runs(stream_config(input="stream"), str(tmp_path / "stream"),
                                     log=lambda s: None)
  assert resumed["resumed_from_step"] == 10 and resumed["per_seed"] == device["per_seed"]


def test_streaming_needs_a_tfds_dataset():
  with pytest.raises(DataError, match=r"config.input='stream' reads TFDS datasets only, not "
                                      r"'digits'; use --config.input=device"):
    run.make_train(shrunk_config("mlp_digits", input="stream"))
