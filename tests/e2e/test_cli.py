"""experiments.main and experiments.reproduce as a user runs them: one clear line for bad input."""

import functools
import json
import os

import pytest

from experiments import reproduce, tables
from experiments.tables import trained, writers
from genvdisc.errors import ConfigError
from genvdisc.report import format as fmt
from tests.conftest import ROOT, run_module, shrunk_config

CONFIG = "--config=experiments/configs/logreg_iris.py"
SHORT = ["--config.num_steps=20", "--config.chunk_steps=10", "--config.log_every=10",
         "--config.checkpoint_every=10", "--config.seeds=0,1", "--config.seed_group=2"]


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (["--config.model=resnet"], "error: unknown model 'resnet' (config.model); valid names: logreg,"),
    (["--config.dataset=mnist2d"], "error: unknown dataset 'mnist2d' (config.dataset); valid names: digits,"),
    (["--config.model=lenet"], "error: model 'lenet' needs image inputs but dataset 'iris' is tabular"),
    (["--config.foo=1"], "error: unknown field 'foo'; --show_config lists the fields"),
    (["--config.seed_group=two"], "error: flag --config.seed_group=two: invalid literal for int()"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, args, message):
  workdir = tmp_path / "run"
  proc = run_module("experiments.main", CONFIG, f"--workdir={workdir}", *args)
  assert proc.returncode == 2
  assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]  # exactly one line
  assert proc.stderr.startswith(message), proc.stderr
  assert "Traceback" not in proc.stderr and not workdir.exists()


@pytest.mark.slow
def test_missing_config_file_and_unwritable_workdir(tmp_path):
  proc = run_module("experiments.main", "--config=experiments/configs/nope.py",
                    f"--workdir={tmp_path / 'run'}")
  assert proc.returncode == 2 and "No such file or directory: 'experiments/configs/nope.py'" in proc.stderr
  (tmp_path / "file").write_text("")
  proc = run_module("experiments.main", CONFIG, f"--workdir={tmp_path / 'file' / 'run'}", *SHORT)
  assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
  assert "cannot write workdir" in proc.stderr and "pass a writable --workdir" in proc.stderr


@pytest.mark.slow
def test_main_trains_prints_table_and_refuses_another_config(tmp_path):
  workdir = tmp_path / "run"
  proc = run_module("experiments.main", CONFIG, f"--workdir={workdir}", *SHORT)
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert "step 20/20 (100%)" in proc.stdout
  assert "| config | model | dataset | seeds | metric | mean ± std | wall s |" in proc.stdout
  assert "| logreg_iris | logreg | iris | 2 |" in proc.stdout
  results = json.loads((workdir / "results.json").read_text())
  assert results["config"]["num_steps"] == 20 and sorted(results["per_seed"]) == ["0", "1"]

  proc = run_module("experiments.main", CONFIG, f"--workdir={workdir}", *SHORT, "--config.seeds=0")
  assert proc.returncode == 2 and "holds a run with a different config (fields: seeds)" in proc.stderr


@pytest.mark.slow
def test_reproduce_runs_every_row_and_writes_the_table(tmp_path, monkeypatch):
  monkeypatch.setitem(tables.TABLES, "tiny", trained.table(
      "tiny", [trained.Row("logreg_iris", "ref A", 97.4), trained.Row("svm_iris", "ref B")],
      (fmt.TEST_ACCURACY, fmt.TRAIN_ACCURACY)))
  monkeypatch.setattr(trained, "get_config", shrunk_config)
  table = tables.reproduce("tiny", str(tmp_path), log=lambda s: None)
  lines = table.strip().splitlines()
  assert lines[0] == ("| config | model | dataset | seeds | test acc % | train acc % | wall s "
                      "| reference |") and len(lines) == 4
  assert lines[2].startswith("| logreg_iris | logreg | iris | 2 |") and lines[2].endswith("| ref A |")
  assert lines[3].startswith("| svm_iris |") and lines[3].endswith("| ref B |")
  assert (tmp_path / "tiny.md").read_text() == table
  csv_lines = (tmp_path / "tiny.csv").read_text().splitlines()
  assert csv_lines[0] == "config,model,dataset,seeds,column,n,mean,std,wall s,reference"
  assert csv_lines[1].startswith("logreg_iris,logreg,iris,2,test acc %,2,0.") and csv_lines[1].endswith(",ref A")
  assert csv_lines[2].startswith("logreg_iris,logreg,iris,2,train acc %,2,") and len(csv_lines) == 5
  assert (tmp_path / "tiny.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  record = json.loads((tmp_path / "tiny.json").read_text())
  full = {row["name"]: row["per_seed"] for row in record["rows"]}
  assert sorted(full["logreg_iris"]) == ["0", "1"]
  one_seed = tables.reproduce("tiny", str(tmp_path), seeds=(1,), log=lambda s: None)
  assert "| logreg_iris | logreg | iris | 1 |" in one_seed
  rerun = json.loads((tmp_path / "tiny-seeds-1.json").read_text())
  for row in rerun["rows"]:  # seed 1 alone reproduces its entry of the full run exactly
    assert row["per_seed"]["1"] == full[row["name"]]["1"]


M2_SMALL = (("latent_dim", 4), ("classifier_hidden_sizes", (16,)), ("model_kwargs.hidden_sizes", (16,)),
            ("batch_size", 8), ("labelled_batch_size", 4))


@pytest.mark.slow
def test_mixed_table_headline_metrics_closed_form_and_m2_rows_and_set(tmp_path, monkeypatch):
  monkeypatch.setitem(tables.TABLES, "mixed", trained.table("mixed", [
      trained.ClosedFormRow("gnb", "iris", "ref G"), trained.Row("logreg_iris"),
      trained.Row("m2_digits", overrides=M2_SMALL)], None))
  monkeypatch.setattr(trained, "get_config", shrunk_config)
  table = tables.reproduce("mixed", str(tmp_path), seeds=(0, 1), log=lambda s: None,
                           sets=reproduce.parse_sets(["num_steps=10"]))
  lines = table.strip().splitlines()
  assert lines[0] == "| config | model | dataset | seeds | metric | mean ± std | wall s | reference |"
  assert lines[2].startswith("| gnb_iris | gnb | iris | 2 splits | test acc % |")
  assert lines[4].startswith("| m2_digits | mlp | digits | 2 inits | test acc % |")
  assert (tmp_path / "logreg_iris-seeds-0-1-num_steps-10" / "results.json").exists()
  stored = json.loads((tmp_path / "logreg_iris-seeds-0-1-num_steps-10" / "results.json").read_text())
  assert stored["config"]["num_steps"] == 10
  with pytest.raises(ConfigError, match="has no field 'nope'"):
    tables.reproduce("mixed", str(tmp_path), sets=(("nope", "1"),), log=lambda s: None)
  with pytest.raises(ConfigError, match="num_steps='ten' has the wrong type"):
    tables.reproduce("mixed", str(tmp_path), sets=(("num_steps", "ten"),), log=lambda s: None)
  with pytest.raises(ConfigError, match="use field=value"):
    reproduce.parse_sets(["num_steps"])


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    ([], "error: pass --table, one of: core, mnist1d, generative, summary, ngjordan, m1, m2, "
         "augment, likelihood, sweep_lr, genclf_digits, genclf_mnist1d, features, pretrain, fashion, "
         "all "
         "(e.g. --table=summary --out=runs/summary)"),
    (["--table=nope"], "error: flag --table=nope: value should be one of <core|mnist1d|"),
    (["--table=core", "--seeds=1,x"], "error: config.seeds='1,x' must be distinct non-negative"),
    (["--table=all", "--set=num_steps=10"], "error: --set does not apply to table 'ngjordan'"),
])
def test_reproduce_bad_flags_are_one_line_and_write_nothing(tmp_path, args, message):
  proc = run_module("experiments.reproduce", f"--out={tmp_path / 'out'}", *args)
  assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [proc.stderr.strip()]
  assert proc.stderr.startswith(message), proc.stderr
  assert not (tmp_path / "out").exists()


RESULTS = os.path.join(ROOT, "results")
COMMITTED = sorted(f.removesuffix(".json") for f in os.listdir(RESULTS) if f.endswith(".json"))


def rerendered(json_path: str, name: str) -> tuple[str, str]:
  """The markdown and csv the writer renders from the record at `json_path` by table `name`'s
  spec."""
  with open(json_path) as f:
    sections = tables.TABLES[name.split("-seeds-")[0]].sections(json.load(f))  # a --seeds run
  return writers.markdown(sections), writers.csv_text(sections)


def committed(name: str) -> tuple[str, str]:
  """results/<name>.md and .csv as committed."""
  with open(os.path.join(RESULTS, f"{name}.md")) as md:
    with open(os.path.join(RESULTS, f"{name}.csv")) as csv:
      return md.read(), csv.read()


def test_every_committed_table_has_its_json():
  tables_written = sorted(f.removesuffix(".md") for f in os.listdir(RESULTS) if f.endswith(".md"))
  assert tables_written == COMMITTED and len(COMMITTED) >= 13


@pytest.mark.parametrize("name", COMMITTED)
def test_committed_table_is_what_the_writer_renders_from_its_json(name):
  """results/<name>.md and .csv are a pure function of results/<name>.json: the per-seed
  numbers, laid out by the table's spec and the one writer, byte for byte."""
  assert rerendered(os.path.join(RESULTS, f"{name}.json"), name) == committed(name)


@pytest.mark.parametrize("name, path", [
    ("summary", ("rows", 0, "per_seed", "0", "test_accuracy")),
    ("genclf_digits", ("datasets", "digits", "rows", "gnb_digits", "per_size", "1", "0",
                       "test_accuracy")),
])
def test_a_number_changed_by_hand_in_a_json_no_longer_renders_its_table(tmp_path, name, path):
  with open(os.path.join(RESULTS, f"{name}.json")) as f:
    record = json.load(f)
  leaf = functools.reduce(lambda node, key: node[key], path[:-1], record)
  leaf[path[-1]] += 0.01
  (tmp_path / f"{name}.json").write_text(json.dumps(record, indent=2, sort_keys=True))
  md, csv = rerendered(str(tmp_path / f"{name}.json"), name)
  committed_md, committed_csv = committed(name)
  assert md != committed_md and csv != committed_csv
