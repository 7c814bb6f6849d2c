"""experiments.verify (rerun seeds of a committed table, compare row by row) and the lock file."""

import glob
import json
import math
import os
import re
import subprocess
import sys

import pytest

from experiments import tables, verify
from experiments.tables.spec import suffix
from genvdisc import results
from genvdisc.errors import ConfigError
from tests.conftest import ROOT, run_module

COMMITTED = {os.path.basename(p).removesuffix(".json"): p
             for p in glob.glob(os.path.join(ROOT, "results", "*.json"))}
LOCK = os.path.join(ROOT, "requirements.lock")


def committed(name: str) -> dict:
  return results.read_json(COMMITTED[name])


def test_every_committed_table_is_read_row_by_row_seed_by_seed():
  assert {"summary", "ngjordan", "m1", "m2", "augment"} <= COMMITTED.keys() <= tables.TABLES.keys()
  rows = {name: verify.per_seed_rows(verify.table_name(path, committed(name)), committed(name))
          for name, path in COMMITTED.items()}
  summary = {r["name"]: r["per_seed"] for r in committed("summary")["rows"]}
  assert list(rows["summary"]) == list(summary)
  cnn = summary["cnn_mnist1d"]["0"]
  assert rows["summary"]["cnn_mnist1d"]["0"] == {k: v for k, v in cnn.items()
                                                 if k != "diverged_at_step"}
  curves = committed("ngjordan")["curves"]["breast_cancer"]
  assert rows["ngjordan"]["breast_cancer/gnb"]["7"]["m=20"] == curves["errors"]["gnb"][7][1]
  assert len(rows["ngjordan"]["breast_cancer/gnb"]) == len(curves["split_seeds"])
  m1_errors = committed("m1")["errors"]["M1"]["logreg"]
  assert rows["m1"]["M1/logreg"]["2"]["all labels"] == m1_errors[2][-1]
  assert rows["m2"]["m2/50"]["4"] == {"test_error": committed("m2")["test_error"]["m2/50"]["4"]}
  assert rows["augment"]["shift"]["3"] == {
      "test_accuracy": committed("augment")["test_accuracy"]["shift"]["3"]}
  for table in rows.values():
    assert all(seeds and all(m and all(isinstance(v, float) for v in m.values())
                             for m in seeds.values()) for seeds in table.values())


def test_the_table_name_comes_from_the_record_or_the_file_stem():
  assert verify.table_name("runs/x.json", {"table": "core"}) == "core"
  assert verify.table_name("runs/m2-seeds-3.json", {}) == "m2"
  with pytest.raises(ConfigError, match="no table 'nonsense'"):
    verify.table_name("runs/nonsense.json", {})


def cnn_mnist1d_rerun(seed_0_accuracy: float) -> verify.RowCheck:
  row = verify.per_seed_rows("summary", committed("summary"))["cnn_mnist1d"]
  rerun = {"0": dict(row["0"], test_accuracy=seed_0_accuracy)}
  return verify.check_row("cnn_mnist1d", row, rerun, ("0",))


def test_the_same_numbers_are_bitwise_equal():
  row = verify.per_seed_rows("summary", committed("summary"))["cnn_mnist1d"]
  check = cnn_mnist1d_rerun(row["0"]["test_accuracy"])
  assert (check.bitwise, check.max_diff, check.within) == (True, 0.0, True)


def test_the_measured_cross_cpu_difference_is_outside_the_seed_std():
  """Seed 0 of cnn_mnist1d: 93.6 % committed (Intel Xeon), 94.5 % on an AMD EPYC; the row's std
  over 5 seeds is 0.52 points, so the row is reported outside it."""
  check = cnn_mnist1d_rerun(0.9450000524520874)
  assert not check.bitwise and not check.within
  assert check.worst == "test_accuracy"
  assert check.max_diff == pytest.approx(0.009, abs=1e-6)
  assert check.worst_std == pytest.approx(0.005176869468452619)
  assert "| cnn_mnist1d | 0 | no | 0.009 | NO (test_accuracy: 0.009 > std 0.00518) |" in (
      verify.markdown([check], ("0",)))


def test_a_difference_within_the_seed_std_is_not_bitwise_but_passes():
  check = cnn_mnist1d_rerun(0.9360000491142273 + 0.004)
  assert not check.bitwise and check.within
  assert check.max_diff == pytest.approx(0.004)


@pytest.mark.parametrize("rerun, max_diff, within", [
    ({"0": {"loss": 1.0, "acc": 0.5}}, 0.0, True),
    ({"0": {"loss": 1.0}}, math.inf, False),                   # a metric missing from the rerun
    ({}, math.inf, False),                                     # the seed missing
    ({"0": {"loss": math.nan, "acc": 0.5}}, math.inf, False),  # NaN on one side
])
def test_missing_and_nan_numbers_differ_by_inf(rerun, max_diff, within):
  row = {"0": {"loss": 1.0, "acc": 0.5}, "1": {"loss": 3.0, "acc": 0.5}}
  check = verify.check_row("r", row, rerun, ("0",))
  assert (check.max_diff, check.within) == (max_diff, within)


def test_a_metric_with_zero_seed_std_passes_only_when_equal():
  row = {"0": {"acc": 0.5}, "1": {"acc": 0.5}}
  assert verify.check_row("r", row, {"0": {"acc": 0.5}}, ("0",)).within
  check = verify.check_row("r", row, {"0": {"acc": 0.5 + 1e-9}}, ("0",))
  assert not check.within and check.worst_std == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"path": "results/missing.json"}, "cannot read table json"),
    ({"rows": ("cnn_mnist1d", "no_such_row")}, "has no row 'no_such_row'"),
    ({"seeds": (0, 7)}, "has no seed 7 in row 'gnb_digits'"),
    ({"path": os.path.join(ROOT, "pyproject.toml")}, "cannot read table json"),
])
def test_bad_input_raises_before_anything_runs(kwargs, message):
  kwargs = {"path": COMMITTED["summary"], **kwargs}
  with pytest.raises(ConfigError, match=message):
    verify.verify(log=lambda line: pytest.fail("nothing may run"), **kwargs)


def test_a_json_of_another_shape_is_one_error(tmp_path):
  for record, message in (([1, 2], "is not a table json"),
                          ({"table": "summary", "rows": [{"name": "x"}]},
                           "is not a 'summary' table json .*KeyError: 'per_seed'")):
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(record))
    with pytest.raises(ConfigError, match=message):
      verify.verify(str(path), log=lambda line: pytest.fail("nothing may run"))


def test_command_line_bad_input_is_one_line_and_exit_2():
  proc = run_module("experiments.verify", "results/summary.json", "--seeds=-1")
  assert proc.returncode == 2
  assert proc.stderr.strip().splitlines() == [
      "error: --seeds='-1' must be distinct non-negative integers, e.g. --seeds=0,3"]


def test_environment_names_this_machine_and_the_versions_side_by_side():
  text = verify.environment({"jax": "0.0.1", "numpy": results.package_versions()["numpy"]})
  assert re.match(r"this machine: (CPU: .+, \d+ cores|\d+ x .+); Python 3\.\d+", text)
  assert "| jax | 0.0.1 | " + results.package_versions()["jax"] + " (differs) |" in text
  assert f"| numpy | {results.package_versions()['numpy']} | " \
         f"{results.package_versions()['numpy']} |" in text


def test_gpu_launch_scripts_ask_xla_for_deterministic_ops():
  """The scripts' XLA_FLAGS (flags already set first) start JAX: an unknown flag would abort it."""
  for script in ("gpu.sh", "multi_gpu.sh", "slurm.sbatch"):
    exports = "".join(line for line in open(os.path.join(ROOT, "launch", script))
                      if line.startswith(("deterministic=", "export XLA_FLAGS")))
    proc = subprocess.run(["bash", "-c", exports + 'echo "$XLA_FLAGS"'], capture_output=True,
                          text=True, env={"XLA_FLAGS": "--xla_cpu_enable_fast_math=false"})
    flags = proc.stdout.strip()
    assert flags == "--xla_cpu_enable_fast_math=false --xla_gpu_deterministic_ops=true", script
  jax = subprocess.run([sys.executable, "-c", "import jax.numpy as jnp; print(jnp.ones(3).sum())"],
                       capture_output=True, text=True, env=dict(os.environ, XLA_FLAGS=flags))
  assert jax.stdout.strip() == "3.0", jax.stderr


def locked() -> dict[str, str]:
  pins = {}
  with open(LOCK) as f:
    for line in f:
      if line.strip() and not line.startswith("#"):
        name, version = line.strip().split("==")
        pins[name.lower().replace("_", "-")] = version
  return pins


def test_the_lock_pins_the_versions_every_committed_table_was_measured_with():
  pins = locked()
  for path in COMMITTED.values():
    for name, version in results.read_json(path)["versions"].items():
      if name != "genvdisc":
        assert pins[name.lower().replace("_", "-")] == version, (path, name)
  assert {"pytest", "chex", "hypothesis", "tensorboardx", "jaxlib", "protobuf"} <= pins.keys()


@pytest.mark.slow
def test_rerunning_seed_0_of_a_shrunk_table_is_bitwise_equal(tmp_path):
  """A 'committed' core table (seeds 0, 1, shrunk with --set), then verify seed 0 against it."""
  sets = (("num_steps", "20"), ("chunk_steps", "10"), ("log_every", "10"),
          ("checkpoint_every", "20"), ("eval_every", "0"))
  tables.reproduce("core", str(tmp_path), (0, 1), lambda line: None, sets)
  path = str(tmp_path / f"core{suffix((0, 1), sets)}.json")
  checks = verify.verify(path, (0,), None, lambda line: None, sets)
  assert [c.name for c in checks] == [r["name"] for r in json.load(open(path))["rows"]]
  assert all(c.bitwise and c.max_diff == 0.0 and c.within for c in checks)
