"""Seed sharding over 4 simulated CPU devices.

XLA_FLAGS must be set before JAX starts, so the 4-device side runs in a subprocess, which
prints its results and final params as JSON.
"""

import json
import textwrap

import jax
import numpy as np
import pytest

from genvdisc import sharding
from genvdisc.errors import ConfigError
from genvdisc.train import run
from tests.conftest import run_module, shrunk_config

SEEDS = "0,1,2,3,4,5,6,7"
FOUR_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}

FOUR_DEVICE_SCRIPT = textwrap.dedent("""
    import json, sys
    import jax, numpy as np
    from genvdisc.train import run
    from tests.conftest import shrunk_config
    from tests.e2e.test_sharding import model_kwargs
    assert jax.device_count() == 4, jax.devices()
    name, workdir, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = {}
    for seeds in (%r, "5"):
      config = shrunk_config(name, seeds=seeds, seed_group=2, chunk_steps=chunk)
      config.model_kwargs.update(model_kwargs(name))
      results = run.train_runs(config, f"{workdir}/{seeds}", log=lambda s: None)
      state = run.restore_states(config, f"{workdir}/{seeds}")[0]
      leaves = jax.tree.leaves(state.params)
      out[seeds] = {"per_seed": results["per_seed"], "mesh": results["mesh"],
                    "shards": len(leaves[0].sharding.device_set),
                    "params": [np.asarray(x).tolist() for x in leaves]}
    print(json.dumps(out))
""" % SEEDS)


def model_kwargs(name):
  """XLA's convolution for the CNN: with the CPU default, im2col, the batched matmuls round
  differently on 1 and 4 devices, and 40 steps amplify that to a relative 3e-4 in the loss
  (measured; one test example of 1000 flips). The sharding under test is the same either way."""
  return {"conv_impl": "xla"} if name == "cnn_mnist1d" else {}


@pytest.mark.slow
@pytest.mark.parametrize("name, chunk", [("mlp_digits", 10), ("cnn_mnist1d", 1)])
def test_four_device_seed_sharding(tmp_path, name, chunk):
  script = tmp_path / "four.py"
  script.write_text(FOUR_DEVICE_SCRIPT)
  proc = run_module("tests.run_script", str(script), name, str(tmp_path / "four"), str(chunk),
                    env=FOUR_DEVICES)
  assert proc.returncode == 0, proc.stderr[-3000:]
  four = json.loads(proc.stdout.strip().splitlines()[-1])
  assert four[SEEDS]["mesh"]["axes"] == {"seed": 4, "data": 1} and four[SEEDS]["shards"] == 4

  # On 4 devices, seed 5 rerun alone (padded to the same 2 seeds per device) is bitwise equal.
  assert four["5"]["per_seed"]["5"] == four[SEEDS]["per_seed"]["5"]
  for alone, together in zip(four["5"]["params"], four[SEEDS]["params"], strict=True):
    np.testing.assert_array_equal(np.asarray(alone)[0], np.asarray(together)[5])

  # The same config on 1 device (4 groups of 2 seeds) agrees to float rounding.
  config = shrunk_config(name, seeds=SEEDS, seed_group=2, chunk_steps=chunk)
  config.model_kwargs.update(model_kwargs(name))
  one = run.train_runs(config, str(tmp_path / "one"), log=lambda s: None)
  assert one["mesh"]["devices"] == 1
  for seed, metrics in one["per_seed"].items():
    assert metrics.pop("diverged_at_step") is None
    four_metrics = dict(four[SEEDS]["per_seed"][seed])
    assert four_metrics.pop("diverged_at_step") is None
    assert four_metrics == pytest.approx(metrics, rel=1e-5), seed
  one_params = [np.concatenate(leaves) for leaves in zip(
      *(jax.tree.leaves(s.params) for s in run.restore_states(config, str(tmp_path / "one"))))]
  for a, b in zip(four[SEEDS]["params"], one_params, strict=True):
    np.testing.assert_allclose(np.asarray(a, np.float32), b, rtol=1e-4, atol=1e-6)


def test_mesh_mismatch_quotes_the_fields_as_set_the_devices_and_the_fix():
  n = jax.device_count()
  with pytest.raises(ConfigError, match=rf"^config.mesh.seed=3, config.mesh.data=1 needs 3 devices "
                                        rf"but {n} cpu device\(s\) were found; use "
                                        r"--config.mesh.seed=-1 --config.mesh.data=1, or two factors"):
    sharding.make_mesh(seed=3)
  with pytest.raises(ConfigError, match=rf"config.mesh.seed=1, config.mesh.data={2 * n} needs {2 * n}"
                                        rf" devices but {n} cpu"):
    sharding.make_mesh(seed=1, data=2 * n)
  with pytest.raises(ConfigError, match=rf"^config.mesh.seed=-1 \(auto\), config.mesh.data={2 * n} "
                                        rf"needs a multiple of {2 * n} devices but {n} cpu device"):
    sharding.make_mesh(data=2 * n)
  devices = jax.devices()[:1] * 4  # the divisors of 4 in the fix
  with pytest.raises(ConfigError, match=r"mesh.data=3 needs a multiple of 3 devices but 4 cpu "
                                        r"device\(s\) were found; use --config.mesh.data=1, 2 or 4$"):
    sharding.make_mesh(data=3, devices=devices)
  with pytest.raises(ConfigError, match=r"^config.mesh.seed=0, config.mesh.data=1: mesh.seed must be"
                                        r" an integer >= 1, or -1 .*; use --config.mesh.seed=-1$"):
    sharding.make_mesh(seed=0)
  with pytest.raises(ConfigError, match=r"^config.mesh.seed=-1 \(auto\), config.mesh.data=-1 "
                                        r"\(auto\): at most one axis can be -1"):
    sharding.make_mesh(seed=-1, data=-1)


def test_seed_count_not_dividing_the_mesh_is_padded():
  proc = run_module("tests.run_script", "-c", "\n".join([
      "from genvdisc import sharding",
      "from genvdisc import rng",
      "mesh = sharding.make_mesh()",
      "width = sharding.group_width(2, mesh)",
      "print(width, [g.tolist() for g in rng.seed_groups((0, 1, 2), width)])"]),
      env=FOUR_DEVICES)
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert proc.stdout.split("\n")[0] == "8 [[0, 1, 2, 2, 2, 2, 2, 2]]"
