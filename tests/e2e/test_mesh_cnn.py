"""The MNIST-1D CNN at its default CPU chunking (one jitted step per call) on a seed x data mesh.

Unpaced, this aborted on every mesh with a data axis of 2 or more on the 2-core CPU: XLA:CPU
deadlocks once 32 calls with a collective are queued (docs/cpu_collectives.md). The training
loop now waits for call c - 16 before dispatching call c (`sharding.Pacer`).

Simulated devices must be set before JAX starts, so the 8-device run is a subprocess.
"""

import json
import textwrap

import pytest

from genvdisc import sharding
from genvdisc.train import run
from tests.conftest import run_module, shrunk_config

# Short enough for float rounding to stay below 1e-6 (from ~100 steps on, lr 1e-2 amplifies it:
# different groupings on one device then differ by 8 % in the test loss at step 200). Unpaced,
# 63 calls with no wait did not always fill XLA:CPU's 32 slots (150 and 300 did), so the
# one-device run checks that the loop paces every call.
STEPS = 64

EIGHT_DEVICE_SCRIPT = textwrap.dedent("""
    import json, sys
    import jax
    from genvdisc.train import run
    from tests.e2e.test_mesh_cnn import mesh_config
    assert jax.device_count() == 8, jax.devices()
    config = mesh_config(2, 4)
    assert run.make_train(config).chunk_steps == 1  # the CPU default for conv nets
    results = run.train_runs(config, sys.argv[1], log=lambda s: None)
    print(json.dumps({"mesh": results["mesh"], "per_seed": results["per_seed"]}))
""")


def mesh_config(seed: int, data: int):
  """Shrunk cnn_mnist1d, seeds 0 and 1 in one group, default chunking, nothing waited for
  before the end."""
  config = shrunk_config("cnn_mnist1d", num_steps=STEPS, chunk_steps=-1, log_every=STEPS,
                         checkpoint_every=STEPS, seeds="0,1", seed_group=2 // seed)
  config.mesh.seed, config.mesh.data = seed, data
  return config


def test_pacer_waits_for_the_oldest_call(monkeypatch):
  waited = []
  monkeypatch.setattr(sharding.jax, "block_until_ready", waited.append)
  pace = sharding.Pacer(limit=2)
  for call in range(5):
    assert pace({"loss": call}) == {"loss": call}
    assert pace.pending == min(call + 1, 2)
  assert waited == [{"loss": 0}, {"loss": 1}, {"loss": 2}]
  assert sharding.Pacer().limit == sharding.MAX_QUEUED_CALLS < 32
  with pytest.raises(ValueError, match="limit=0"):
    sharding.Pacer(limit=0)


@pytest.mark.slow
def test_cnn_default_chunking_on_a_2x4_mesh(tmp_path, monkeypatch):
  script = tmp_path / "eight.py"
  script.write_text(EIGHT_DEVICE_SCRIPT)
  # A deadlock aborts the child after XLA's 40 s rendezvous timeout; 150 s bounds the rest.
  proc = run_module("tests.run_script", str(script), str(tmp_path / "eight"), timeout=150,
                    env={"XLA_FLAGS": "--xla_force_host_platform_device_count=8",
                         "JAX_PLATFORMS": "cpu"})
  assert proc.returncode == 0, proc.stderr[-3000:]
  eight = json.loads(proc.stdout.strip().splitlines()[-1])
  assert eight["mesh"]["axes"] == {"seed": 2, "data": 4} and eight["mesh"]["devices"] == 8

  # The same two seeds on this process's one device: equal to float rounding (measured: metrics
  # within 1.2e-7, params within 3e-7 absolute; XLA fuses the partitioned program differently).
  depths, call = [], sharding.Pacer.__call__
  monkeypatch.setattr(sharding.Pacer, "__call__",
                      lambda pace, outputs: (call(pace, outputs), depths.append(pace.pending))[0])
  one = run.train_runs(mesh_config(1, 1), str(tmp_path / "one"), log=lambda s: None)
  assert len(depths) == STEPS and max(depths) == sharding.MAX_QUEUED_CALLS  # every call paced
  assert one["mesh"]["devices"] == 1
  assert sorted(one["per_seed"]) == sorted(eight["per_seed"]) == ["0", "1"]
  for seed, metrics in one["per_seed"].items():
    got = dict(eight["per_seed"][seed])
    assert got.pop("diverged_at_step") is None and metrics.pop("diverged_at_step") is None
    assert got == pytest.approx(metrics, rel=1e-5), seed
    assert metrics["test_accuracy"] > 0.4  # 64 steps: 0.47 and 0.54; chance is 0.1
