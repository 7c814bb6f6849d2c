"""Every number of docs/results.md and of the modules' Measured lines comes from results/*.json.

`experiments.docs` renders docs/results.template.md and rewrites the configs' and table modules'
`Measured in ...` lines from the committed tables; these tests hold the committed files to that
rendering, and show that a number changed by hand in a (copied) json changes what the docs must
say.
"""

from __future__ import annotations

import ast
import glob
import json
import os
import re
import shutil

import pytest

from experiments import docs
from experiments.tables.spec import Cell
from genvdisc.errors import ConfigError
from genvdisc.report.format import Stat

RESULTS = os.path.join(docs.ROOT, "results")


@pytest.fixture(scope="module")
def rendered():
  return docs.outputs()


@pytest.fixture
def results_copy(tmp_path):
  """A copy of results/*.json to edit by hand."""
  for path in glob.glob(os.path.join(RESULTS, "*.json")):
    shutil.copy(path, tmp_path)
  return tmp_path


def edit_json(path, change):
  with open(path) as f:
    record = json.load(f)
  change(record)
  with open(path, "w") as f:
    json.dump(record, f)


def test_committed_docs_equal_their_rendering(rendered):
  assert docs.stale(rendered) == [], "run python -m experiments.docs"
  assert docs.RENDERED in rendered
  assert "experiments/configs/cnn_mnist1d.py" in rendered
  assert {"experiments/tables/semisupervised.py", "experiments/tables/features.py"} <= set(rendered)


def test_check_exits_0_when_the_docs_are_current(capsys):
  with pytest.raises(SystemExit) as exit_info:
    docs.main(["--check"])
  assert exit_info.value.code == 0
  assert capsys.readouterr().out == ""


def set_seeds(row: dict, metric: str, value: float) -> None:
  for metrics in row["per_seed"].values():
    metrics[metric] = value


def test_a_number_changed_in_a_json_changes_the_docs_and_the_config(results_copy, rendered):
  """cnn_mnist1d's test accuracy in a copied mnist1d.json set to 50 % for every seed: the
  table in results.md, the prose and the config's Measured line all read 50.0 ± 0.0."""
  def change(record):
    row, = (r for r in record["rows"] if r["name"] == "cnn_mnist1d")
    set_seeds(row, "test_accuracy", 0.5)
  edit_json(results_copy / "mnist1d.json", change)
  files = docs.outputs(results_dir=str(results_copy))
  assert set(docs.stale(files)) == {docs.RENDERED, "experiments/configs/cnn_mnist1d.py"}
  config = files["experiments/configs/cnn_mnist1d.py"]
  assert ('Measured in results/mnist1d.md, row cnn_mnist1d, column "test acc %": 50.0 ± 0.0.'
          in config)
  assert "| cnn_mnist1d | cnn1d | mnist1d | 5 | 50.0 ± 0.0 |" in files[docs.RENDERED]
  assert "the CNN\n(50.0 → " in files[docs.RENDERED]
  assert "| cnn_mnist1d | cnn1d | mnist1d | 5 | 50.0 ± 0.0 |" not in rendered[docs.RENDERED]


def test_a_comparison_is_recomputed_when_the_data_flip(results_copy):
  """QDA ahead of LR 'at every m' on digits; with QDA's m = 1 accuracy set to 10 % in a copied
  genclf_digits.json the answer section says where it is ahead instead."""
  tables = docs.Tables(RESULTS)
  claim = "ahead:genclf_digits#0:qda_digits:logreg_digits"
  assert docs.evaluate(tables, claim) == "every m"

  def change(record):
    for metrics in record["datasets"]["digits"]["rows"]["qda_digits"]["per_size"]["1"].values():
      metrics["test_accuracy"] = 0.1
  edit_json(results_copy / "genclf_digits.json", change)
  changed = docs.Tables(str(results_copy))
  assert docs.evaluate(changed, claim) == "m = 2, 5, 10, 20, 50 and all"
  assert docs.evaluate(changed, "ahead:genclf_digits#0:logreg_digits:qda_digits") == "m = 1"
  assert "QDA with\n  reg_param 0.01 is ahead of logistic regression at m = 2, 5, 10, 20, 50 and all" \
      in docs.render(open(os.path.join(docs.ROOT, docs.TEMPLATE)).read(), changed)


def test_functions_read_the_tables_as_printed():
  tables = docs.Tables(RESULTS)
  with open(os.path.join(RESULTS, "summary.md")) as f:
    summary = f.read()
  cell = docs.evaluate(tables, "cell:summary:mlp_digits:mean ± std")
  assert f"| mlp_digits | mlp | digits | 5 inits | test acc % | {cell} |" in summary
  assert docs.evaluate(tables, "table:summary") + "\n" == summary
  mean, std = cell.split(" ± ")
  assert docs.evaluate(tables, "mean:summary:mlp_digits:mean ± std") == mean
  qda, lr = (float(docs.evaluate(tables, f"mean:genclf_digits#0:{r}:all"))
             for r in ("qda_digits", "logreg_digits"))
  assert docs.evaluate(tables, "diff:genclf_digits#0:qda_digits:all:logreg_digits:all") == \
      f"{qda - lr:+.1f}"
  # errors: lower is better, so the best row at m = 1280 has the smallest printed error
  errors = {c: float(docs.evaluate(tables, f"mean:ngjordan#digits:{c}:m=1280"))
            for c in ("GNB", "LDA", "LR", "SVM")}
  order = docs.evaluate(tables, "order:ngjordan#digits:m=1280").split(", ")
  assert [errors[c] for c in order] == sorted(errors.values())
  record = json.load(open(os.path.join(RESULTS, "m1.json")))
  assert docs.evaluate(tables, "wall:m1") == docs.duration(record["wall_time_s"])
  assert docs.evaluate(tables, "range:genclf_digits#2:shift:clean").count(" to ") == 1


def test_a_table_without_a_committed_json_says_so(tmp_path):
  tables = docs.Tables(str(tmp_path))
  assert docs.evaluate(tables, "cell:core:mlp_digits:test acc %") == docs.NOT_COMMITTED
  assert docs.evaluate(tables, "wall:core") == docs.NOT_COMMITTED
  text = 'Measured in results/core.md, row svm_iris, column "test acc %": 100.0 ± 0.0.\n'
  assert docs.measured(text, tables) == ('Measured in results/core.md, row svm_iris, column '
                                         f'"test acc %": {docs.NOT_COMMITTED}.\n')


def test_a_newly_committed_table_fills_its_lines(results_copy):
  """Once results/core.json exists, its section and the configs' core lines carry its numbers
  (a stand-in core.json: summary's logreg_digits row under each core row's name)."""
  with open(results_copy / "summary.json") as f:
    row, = (r for r in json.load(f)["rows"] if r["name"] == "logreg_digits")
  names = ("logreg_digits", "svm_digits", "logreg_iris", "svm_iris", "mlp_digits", "lenet_digits",
           "logreg_mnist1d", "mlp_mnist1d", "cnn_mnist1d")
  with open(results_copy / "core.json", "w") as f:
    json.dump({"table": "core", "rows": [{**row, "name": n} for n in names]}, f)
  files = docs.outputs(results_dir=str(results_copy))
  text = docs.Tables(str(results_copy)).cell("summary", "logreg_digits", "mean ± std").text
  assert (f'Measured in results/core.md, row svm_iris, column "test acc %": {text}.'
          in files["experiments/configs/svm_iris.py"])
  assert f"| svm_iris | logreg | digits | 5 | {text} |" in files[docs.RENDERED]
  assert "## Core (`--table=core`)\n\n| config | model |" in files[docs.RENDERED]


@pytest.mark.parametrize("expression, message", [
    ("cell:nosuch:a:b", "unknown table 'nosuch'"),
    ("cell:summary:nosuch:mean ± std", "no cells of row 'nosuch'"),
    ("cell:genclf_digits:qda_digits:wall s", "name the section as TABLE#SECTION"),
    ("mean:summary:mlp_digits:wall s", "is text"),
    ("sum:summary", "unknown function 'sum'"),
    ("cell:summary:mlp_digits", "cell takes 3 arguments, got 2"),
    ("ahead:ngjordan:LR:GNB", "name one as TABLE#SECTION"),
])
def test_bad_expressions_are_one_line_errors(expression, message):
  with pytest.raises(ConfigError, match=re.escape(message)) as error:
    docs.evaluate(docs.Tables(RESULTS), expression)
  assert "\n" not in str(error.value)


def test_the_template_types_no_measured_number():
  """A mean ± spread in the template's prose would be typed, not computed: none outside {{}}."""
  with open(os.path.join(docs.ROOT, docs.TEMPLATE)) as f:
    prose = docs.EXPRESSION.sub("", f.read())
  assert "±" not in prose.replace("mean ± std", "").replace("mean ± sample std", "") \
      .replace("±1-pixel", "")


def config_docstrings() -> dict[str, str]:
  paths = glob.glob(os.path.join(docs.ROOT, "experiments", "configs", "*.py"))
  return {os.path.basename(p)[:-3]: ast.get_docstring(ast.parse(open(p).read())) or ""
          for p in paths}


def test_every_config_with_a_committed_row_states_it_as_a_measured_line():
  """Each trained row of a committed table whose config has a module here is named by a
  `Measured in results/<table>.md` line of that module, and no config keeps the old untested
  'Expected (...)' form."""
  strings = config_docstrings()
  missing = []
  for path in glob.glob(os.path.join(RESULTS, "*.json")):
    record = json.load(open(path))
    table = os.path.basename(path)[:-5]
    for row in record.get("rows", []) if table in ("summary", "mnist1d", "generative", "core",
                                                     "likelihood") else []:
      name = row["config"]["name"]
      if name in strings and f"Measured in results/{table}.md, row {row['name']}," \
          not in strings[name]:
        missing.append(f"{name}: {table}/{row['name']}")
  assert missing == []
  assert [n for n, s in strings.items() if "Expected (" in s] == []


def test_helpers():
  assert docs.duration(41.6) == "42 s"
  assert docs.duration(808.2) == "13 min 28 s"
  assert docs.duration(5000) == "1 h 23 min"
  assert docs.number(-0.04, 1) == "0.0" and docs.number(-0.05001, 1) == "-0.1"
  assert docs.number(2.0, 1, sign=True) == "+2.0" and docs.number(-2.0, 1, sign=True) == "-2.0"
  m = ("m=1", "m=2", "all")
  assert docs.listed(list(m), m) == "every m"
  assert docs.listed([], m) == "no m"
  assert docs.listed(["m=2", "all"], m) == "m = 2 and all"
  assert docs.listed(["clean"], ("clean", "shift")) == "clean"
  assert docs.listed([], ("clean", "shift")) == "none of clean and shift"
  assert docs.wall_seconds({"rows": [{"wall_time_s": 2.0}, {"wall_time_s": 3.5}]}) == 5.5
  assert docs.wall_seconds({"wall_time_s": 7.0, "rows": [{"wall_time_s": 2.0}]}) == 7.0
  cell = Cell((0.971, 0.975), Stat("test acc %", 100.0))
  assert docs.printed_mean(cell) == 97.3
