"""experiments.verify (rerun seeds of a committed table, compare row by row) and the lock file."""

import glob
import json
import math
import os
import re
import signal
import subprocess
import sys

import pytest

from experiments import tables, verify
from experiments.tables import trained
from experiments.tables.spec import suffix, wanted
from genvdisc import results
from genvdisc.errors import ConfigError
from tests.conftest import ROOT, Child, run_module, wait_until

COMMITTED = {os.path.basename(p).removesuffix(".json"): p
             for p in glob.glob(os.path.join(ROOT, "results", "*.json"))}
LOCK = os.path.join(ROOT, "requirements.lock")


def committed(name: str) -> dict:
  return results.read_json(COMMITTED[name])


def test_every_committed_table_is_read_row_by_row_seed_by_seed():
  assert {"summary", "ngjordan", "m1", "m2", "augment"} <= COMMITTED.keys()
  assert {name.split("-seeds-")[0] for name in COMMITTED} <= tables.TABLES.keys()  # --seeds runs
  rows = {name: verify.per_seed_rows(verify.table_name(path, committed(name)), committed(name))
          for name, path in COMMITTED.items()}
  summary = {r["name"]: r["per_seed"] for r in committed("summary")["rows"]}
  assert list(rows["summary"]) == list(summary)
  cnn = summary["cnn_mnist1d"]["0"]
  assert rows["summary"]["cnn_mnist1d"]["0"] == {  # the numbers, not the flags
      k: v for k, v in cnn.items() if k not in ("diverged_at_step", "loss_increased")}
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


# The summary table's cnn_mnist1d row as measured on the Intel Xeon (commit bde2e60's
# results/summary.json): test accuracy and loss of seeds 0-4.
CNN_MNIST1D_INTEL = {str(s): {"test_accuracy": accuracy, "test_loss": loss}
                     for s, (accuracy, loss) in enumerate((
                         (0.9360000491142273, 0.3809516727924347),
                         (0.9460000395774841, 0.2969999313354492),
                         (0.9470000267028809, 0.35600534081459045),
                         (0.9460000395774841, 0.38539865612983704),
                         (0.9380000233650208, 0.465946763753891)))}


def cnn_mnist1d_rerun(seed_0_accuracy: float) -> verify.RowCheck:
  row = CNN_MNIST1D_INTEL
  rerun = {"0": dict(row["0"], test_accuracy=seed_0_accuracy)}
  return verify.check_row("cnn_mnist1d", row, rerun, ("0",))


def test_the_same_numbers_are_bitwise_equal_only_where_the_provenance_matches():
  check = cnn_mnist1d_rerun(CNN_MNIST1D_INTEL["0"]["test_accuracy"])
  assert (check.equal, check.max_diff, check.within) == (True, 0.0, True)
  assert check.verdict(bitwise_claims=True) == "bitwise equal"
  assert check.verdict(bitwise_claims=False) == "equal (provenance differs)"


def test_the_measured_cross_cpu_difference_is_outside_the_seed_std():
  """Seed 0 of cnn_mnist1d: 93.6 % on the Intel Xeon (`CNN_MNIST1D_INTEL`), 94.5 % on an AMD
  EPYC; the row's std over 5 seeds is 0.52 points, so the row is reported outside it."""
  check = cnn_mnist1d_rerun(0.9450000524520874)
  assert not check.equal and not check.within
  assert check.worst == "test_accuracy"
  assert check.max_diff == pytest.approx(0.009, abs=1e-6)
  assert check.worst_std == pytest.approx(0.005176869468452619)
  for claims in (True, False):
    assert check.verdict(claims) == "outside the row's std"
    assert ("| cnn_mnist1d | 0 | outside the row's std | 0.009 | test_accuracy: 0.009 > std "
            "0.00518 |") in verify.markdown([check], ("0",), claims)


def test_a_difference_within_the_seed_std_is_not_bitwise_but_passes():
  check = cnn_mnist1d_rerun(0.9360000491142273 + 0.004)
  assert not check.equal and check.within
  assert check.max_diff == pytest.approx(0.004)
  assert check.verdict(bitwise_claims=True) == "within the row's std"


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
    ({"path": COMMITTED["m1"], "rows": ("pixels/logreg",), "sets": (("num_steps", "5"),)},
     "--set does not apply to table 'm1'"),
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


@pytest.mark.slow
def test_command_line_bad_input_is_one_line_and_exit_2():
  proc = run_module("experiments.verify", "results/summary.json", "--seeds=-1")
  assert proc.returncode == 2
  assert proc.stderr.strip().splitlines() == [
      "error: --seeds='-1' must be distinct non-negative integers, e.g. --seeds=0,3"]


HERE = {"commit": "a" * 40, "dirty": False, "machine": "CPU: AMD EPYC 7B13, 2 cores",
        "python": "3.11.9", "versions": {"jax": "0.10.2", "numpy": "2.1.0"}}


@pytest.mark.parametrize("recorded, blocked", [
    (HERE, ()),
    (dict(HERE, python="3.12.1"), ()),                          # Python alone does not block
    (dict(HERE, commit="b" * 40), ("commit",)),
    (dict(HERE, dirty=True), ("dirty",)),
    (dict(HERE, machine="CPU: Intel Xeon, 2 cores"), ("machine",)),
    (dict(HERE, machine="CPU: AMD EPYC 7B13, 4 cores"), ("machine",)),
    (dict(HERE, versions={"jax": "0.10.1", "numpy": "2.1.0"}), ("versions",)),
    (dict(HERE, versions={"jax": "0.10.2"}), ("versions",)),     # a package not recorded
    ({"versions": HERE["versions"]}, ("commit", "dirty", "machine")),   # an older table json
])
def test_bitwise_claims_need_the_same_clean_commit_machine_and_versions(recorded, blocked):
  assert verify.blockers(recorded, HERE) == blocked


def test_uncommitted_or_unknown_source_here_blocks_bitwise_claims():
  assert verify.blockers(HERE, dict(HERE, dirty=True)) == ("dirty",)
  assert verify.blockers(HERE, dict(HERE, commit=None, dirty=None)) == ("commit", "dirty")


def test_the_provenance_of_an_older_json_is_its_versions():
  assert verify.recorded_provenance({"table": "m1", "versions": HERE["versions"]}) == {
      "versions": HERE["versions"]}
  assert verify.recorded_provenance({"provenance": HERE, "versions": {}}) == HERE


def test_the_provenance_table_shows_both_sides_field_by_field():
  lines = verify.provenance_table({"versions": {"jax": "0.0.1", "numpy": "2.1.0"}},
                                  HERE).splitlines()
  assert lines[:8] == ["| provenance | recorded | here |", "|---|---|---|",
                       f"| commit | not recorded | {'a' * 40} (differs) |",
                       "| dirty | not recorded | False (differs) |",
                       "| machine | not recorded | CPU: AMD EPYC 7B13, 2 cores (differs) |",
                       "| python | not recorded | 3.11.9 (differs) |",
                       "| jax | 0.0.1 | 0.10.2 (differs) |", "| numpy | 2.1.0 | 2.1.0 |"]
  assert lines[-1] == ("bitwise claims: none (commit differs or not recorded; uncommitted "
                       "changes, or not recorded; machine differs or not recorded; versions "
                       "differ or not recorded)")
  assert verify.provenance_table(HERE, HERE).splitlines()[-1] == (
      "bitwise claims: yes (the same clean commit, machine and versions)")


def test_the_summary_counts_the_verdicts_and_names_the_rows_outside():
  equal = verify.RowCheck("a", True, 0.0, "acc", 0.0, 0.0)
  within = verify.RowCheck("b", False, 0.01, "acc", 0.01, 0.02)
  outside = verify.RowCheck("c", False, 0.03, "acc", 0.03, 0.02)
  assert verify.summary([equal, within, outside], True) == (
      "3 rows: 1 bitwise equal, 1 within the row's std, 1 outside the row's std (c)")
  assert verify.summary([equal], False) == "1 row: 1 equal (provenance differs)"


@pytest.mark.parametrize("only, unit, needed", [
    (None, "anything", True),
    (("mlp_digits",), "mlp_digits", True),
    (("mlp_digits",), "mlp", False),
    (("mlp_digits",), "mlp_digits_test", False),
    (("M1/logreg",), "M1", True),
    (("M1/logreg",), "M1/logreg", True),
    (("M1/logreg",), "M1/linear_svm", False),
    (("pixels/logreg",), "M1", False),
    (("mlp_mnist1d [learning_rate=0.01]",), "mlp_mnist1d", True),
    (("ddpm_digits_conditional m=5",), "ddpm_digits_conditional all", False),
    (("digits vae/gnb", "iris/lda"), "digits vae", True),
    ((), "mlp_digits", False),
])
def test_a_row_needs_the_unit_of_its_name_or_its_head(only, unit, needed):
  assert wanted(only, unit) is needed


def test_only_the_named_rows_are_computed(tmp_path):
  data = tables.compute("likelihood", str(tmp_path), (0,), lambda line: None, (), ("uniform",))
  assert [r["name"] for r in data.record["rows"]] == ["uniform"]
  assert os.listdir(tmp_path) == []                           # nothing trained


@pytest.fixture
def trained_rows(monkeypatch) -> list[str]:
  """The labels of the rows `trained.train_row` is asked for, in order; none trains."""
  asked = []

  def train_row(row, out, seeds, log, sets):
    asked.append(row.label)
    per_seed = {str(s): {"test_accuracy": 0.5, "test_nll": 1.0, "diverged_at_step": None}
                for s in seeds}
    return {"config": {"name": row.label, "model": "-", "dataset": "-"}, "per_seed": per_seed,
            "headline": "test_accuracy", "summary": {}, "wall_time_s": 0.0}
  monkeypatch.setattr(trained, "train_row", train_row)
  return asked


@pytest.mark.parametrize("table, only, trains", [
    ("summary", ("vae_digits_test", "mlp_digits"), ["mlp_digits", "vae_digits_test"]),
    ("likelihood", ("ddpm_digits",), ["ddpm_digits"]),
    ("pretrain", ("ar_scratch_digits_m1",), ["ar_scratch_digits_m1"]),
    ("pretrain", ("ar_finetune_digits_mall",), ["ar_digits", "ar_finetune_digits_mall"]),
    ("genclf_digits", ("ddpm_digits_conditional m=5", "logreg_digits m=1"),
     ["logreg_digits_m1", "ddpm_digits_conditional_m5"]),
])
def test_only_the_named_rows_and_their_dependencies_train(tmp_path, trained_rows, table, only,
                                                          trains):
  data = tables.compute(table, str(tmp_path), (0,), lambda line: None, (), only)
  assert trained_rows == trains
  rerun = verify.per_seed_rows(table, json.loads(json.dumps(data.record)))
  assert set(only) <= set(rerun) and len(rerun) == len(trains)


@pytest.mark.slow
def test_a_pixels_row_of_m1_does_not_train_the_vae(tmp_path):
  """The issue's example: --rows=pixels/logreg trained M1's VAE (5000 steps) it does not use."""
  data = tables.compute("m1", str(tmp_path), (0,), lambda line: None, (), ("pixels/logreg",))
  assert list(data.record["errors"]) == ["pixels"] and os.listdir(tmp_path) == []
  rows = verify.per_seed_rows("m1", data.record)
  assert rows["pixels/logreg"]["0"] == pytest.approx(
      {k: v for k, v in verify.per_seed_rows("m1", committed("m1"))["pixels/logreg"]["0"].items()},
      abs=0.02)


def uniform_table(tmp_path, seed_0_shift: float, provenance: dict) -> str:
  """A likelihood table json of its row 'uniform' alone, as this machine computes it (the same
  for every seed), seed 0's number shifted by `seed_0_shift`, seed 2's by 3 (so the row's std is
  at least 1.5), recorded with `provenance`."""
  rerun = tables.compute("likelihood", str(tmp_path), (0,), lambda line: None, (), ("uniform",))
  nll = rerun.record["rows"][0]["per_seed"]["0"]["test_nll"]
  per_seed = {str(s): {"test_nll": nll + shift, "diverged_at_step": None}
              for s, shift in enumerate((seed_0_shift, 0.0, 3.0))}
  path = tmp_path / "likelihood.json"
  path.write_text(json.dumps({"table": "likelihood", "provenance": provenance,
                              "rows": [{"name": "uniform", "per_seed": per_seed}]}))
  return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("seed_0_shift, code, verdict", [
    (0.0, 0, "equal (provenance differs)"),
    (10.0, 1, "outside the row's std"),
])
def test_command_line_exit_0_when_no_row_is_outside_its_std_else_1(tmp_path, seed_0_shift, code,
                                                                 verdict):
  """Recorded on another machine: equal numbers are no bitwise claim. Only --rows computes."""
  recorded = dict(results.provenance(), machine="CPU: another kind, 2 cores")
  proc = run_module("experiments.verify", uniform_table(tmp_path, seed_0_shift, recorded),
                    "--rows=uniform")
  assert proc.returncode == code, proc.stderr
  assert f"| machine | CPU: another kind, 2 cores | {results.machine()} (differs) |" in proc.stdout
  claims, = (line for line in proc.stdout.splitlines() if line.startswith("bitwise claims:"))
  assert claims.startswith("bitwise claims: none (") and "machine" in claims
  assert f"| uniform | 0 | {verdict} | {seed_0_shift:.3g} | test_nll: " in proc.stdout
  assert proc.stdout.strip().endswith(f"1 row: 1 {verdict}" + (" (uniform)" if code else ""))


@pytest.mark.slow
@pytest.mark.parametrize("after", [r"^verify: rerunning", r"^\[logreg_digits\] step \d+"])
def test_sigterm_exits_75_and_removes_the_temporary_directory(tmp_path, after):
  """SIGTERM as the rerun starts (KeyboardInterrupt) or while a run trains (preempted)."""
  path = tmp_path / "core.json"
  path.write_text(json.dumps({"table": "core", "rows": [
      {"name": "logreg_digits", "per_seed": {"0": {"test_accuracy": 0.9}}}]}))
  temp = tmp_path / "tmp"
  temp.mkdir()
  child = Child("experiments.verify", str(path), "--rows=logreg_digits", "--set=num_steps=1000000",
                "--set=chunk_steps=100", "--set=log_every=100", "--set=eval_every=0",
                env={"TMPDIR": str(temp)})
  wait_until(lambda: child.printed(after), after, [child])
  assert glob.glob(str(temp / "genvdisc-verify-*"))
  child.proc.send_signal(signal.SIGTERM)
  code, _, err = child.finish(timeout=120)
  assert code == 75, err
  line = err.strip().splitlines()[-1]
  assert re.fullmatch(r"interrupted \((SIGTERM|a run stopped at step \d+)\) before the "
                      r"comparison; the rerun's temporary directory is removed: run verify again",
                      line), line
  assert not glob.glob(str(temp / "genvdisc-verify-*"))


@pytest.mark.slow
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
  checks, _ = verify.verify(path, (0,), None, lambda line: None, sets)
  assert [c.name for c in checks] == [r["name"] for r in json.load(open(path))["rows"]]
  assert all(c.equal and c.max_diff == 0.0 and c.within for c in checks)
