"""experiments.compare: the runs' summary table with their differing config fields, the overlay."""

import os

import pytest

from experiments import compare
from genvdisc import results
from genvdisc.errors import ConfigError
from genvdisc.report import curves
from genvdisc.train.sweep import train_and_evaluate
from tests.conftest import run_module, shrunk_config

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def fake_run(lr: float, per_seed_steps: dict) -> dict:
  """A results.json-shaped dict: {seed: [(step, loss)]} -> curves and the final summary."""
  steps = sorted({step for points in per_seed_steps.values() for step, _ in points})
  curves = [{"step": step, "per_seed": {s: {"loss": v} for s, points in per_seed_steps.items()
                                        for t, v in points if t == step}} for step in steps]
  per_seed = curves[-1]["per_seed"]
  return {"config": {"name": "mlp_digits", "learning_rate": lr, "mesh": {"seed": -1, "data": 1}},
          "per_seed": per_seed, "summary": results.summarize(per_seed), "curves": curves}


def test_table_has_only_the_differing_fields_and_mean_std():
  runs = {"a": fake_run(0.1, {"0": [(10, 2.0), (20, 1.0)], "1": [(10, 4.0), (20, 3.0)]}),
          "b": fake_run(0.01, {"0": [(10, 5.0), (20, 5.0)]})}
  runs["b"]["config"]["mesh"]["data"] = 2
  lines = compare.table(runs).splitlines()
  assert lines[0] == "| run | learning_rate | mesh.data | n seeds | loss |"
  # run a: final losses 1 and 3 -> mean 2, sample std sqrt(2) = 1.41
  assert lines[2] == "| a | 0.1 | 1 | 2 | 2 ± 1.4 |"
  assert lines[3] == "| b | 0.01 | 2 | 1 | 5 ± 0 |"


def test_a_field_only_one_run_has_counts_as_differing():
  assert compare.differing_fields([{"a": 1, "b": {"c": ""}}, {"a": 1}]) == ["b.c"]
  assert compare.differing_fields([{"a": 1}, {"a": 1}]) == []


def test_curves_average_the_seeds_that_logged_the_metric():
  run = fake_run(0.1, {"0": [(10, 2.0), (20, 1.0)], "1": [(10, 4.0)]})
  run["curves"].append({"step": 30, "per_seed": {"0": {"accuracy": 0.5}}})
  steps, means, stds, _ = curves.series(run["curves"], "loss")
  assert (steps.tolist(), means.tolist(), stds.tolist()) == ([10, 20], [3.0, 1.0], [2 ** 0.5, 0.0])
  assert curves.series(run["curves"], "accuracy")[1].tolist() == [0.5]
  run["curves"][0]["per_seed"]["1"].update(diverged_at_step=5, loss_increased=True)
  assert curves.metric_names(run["curves"]) == ["accuracy", "loss"]


def fake_sweep() -> dict:
  """A results.json-shaped sweep: learning rates 0.1 (seeds 0, 1) and 0.01 (seed 0), its final
  losses 1, 3 and 7, the selected point 0.1 and a pooled top-level summary no row may show."""
  names = {"learning_rate=0.1,seed=0": (0, 0.1, 1.0), "learning_rate=0.1,seed=1": (1, 0.1, 3.0),
           "learning_rate=0.01,seed=0": (0, 0.01, 7.0)}
  per_seed = {name: {"loss": loss} for name, (_, _, loss) in names.items()}
  points = [{"label": f"learning_rate={lr:g}", "point": {"learning_rate": lr},
             "runs": [n for n, (_, rate, _) in names.items() if rate == lr],
             "summary": results.summarize({n: per_seed[n] for n, (_, rate, _) in names.items()
                                           if rate == lr})} for lr in (0.1, 0.01)]
  return {"config": {"name": "mlp_digits", "learning_rate": 0.001, "mesh": {"seed": -1, "data": 1},
                     "sweep": "learning_rate=0.1,0.01", "validation_fraction": -1.0},
          "runs": {name: {"seed": seed, "point": {"learning_rate": lr}} for name, (seed, lr, _)
                   in names.items()},
          "per_seed": per_seed, "summary": results.summarize(per_seed), "points": points,
          "selected": {"label": "learning_rate=0.1"}, "validation_fraction": 0.1,
          "curves": [{"step": 10, "per_seed": per_seed}]}


def test_a_sweep_compares_per_point_with_the_point_values_in_its_config():
  runs = {"lone": fake_run(0.1, {"0": [(10, 2.0)]}), **compare.point_runs("sw", fake_sweep())}
  assert list(runs) == ["lone", "sw [learning_rate=0.1] ✓", "sw [learning_rate=0.01]"]
  lines = compare.table(runs).splitlines()
  assert lines[0] == "| run | learning_rate | sweep | validation_fraction | n seeds | loss |"
  assert lines[2:] == ["| lone | 0.1 | - | - | 1 | 2 ± 0 |",
                       "| sw [learning_rate=0.1] ✓ | 0.1 | '' | 0.1 | 2 | 2 ± 1.4 |",
                       "| sw [learning_rate=0.01] | 0.01 | '' | 0.1 | 1 | 7 ± 0 |"]
  point = runs["sw [learning_rate=0.1] ✓"]
  assert point["curves"] == [{"step": 10, "per_seed": {"0": {"loss": 1.0}, "1": {"loss": 3.0}}}]
  assert curves.series(point["curves"], "loss")[1].tolist() == [2.0]


def test_without_out_only_the_table_is_printed(tmp_path, monkeypatch):
  run_dir = tmp_path / "run"
  run_dir.mkdir()
  results.write_json_atomic(str(run_dir / "results.json"), fake_sweep())
  monkeypatch.chdir(tmp_path)
  lines = []
  compare.compare([str(run_dir)], None, log=lines.append)
  assert len(lines) == 1 and lines[0].count("\n") == 4   # header, rule, a row per point
  assert sorted(os.listdir(tmp_path)) == ["run"]


@pytest.mark.parametrize("make, message", [
    (lambda tmp: [], "usage:"),
    (lambda tmp: [tmp / "missing"], "does not exist"),
    (lambda tmp: [tmp], "has no results.json"),
    (lambda tmp: [tmp] if (tmp / "results.json").write_text("[]") else [],
     "is not a run's results"),
])
def test_bad_input_raises_config_error(tmp_path, make, message):
  with pytest.raises(ConfigError, match=message):
    compare.compare([str(d) for d in make(tmp_path)], str(tmp_path / "out.png"),
                    log=lambda line: None)


def test_command_line_bad_input_is_one_line_and_exit_2(tmp_path):
  proc = run_module("experiments.compare", str(tmp_path / "missing"))
  assert proc.returncode == 2
  assert proc.stderr.strip().splitlines() == [f"error: run directory '{tmp_path / 'missing'}' "
                                              "does not exist"]


@pytest.mark.slow
def test_two_real_runs_differing_in_learning_rate(tmp_path):
  dirs = []
  for lr in (0.1, 0.01):
    config = shrunk_config("logreg_digits", learning_rate=lr, eval_every=20)
    dirs.append(str(tmp_path / f"lr{lr}"))
    train_and_evaluate(config, dirs[-1], log=lambda line: None)
  out = tmp_path / "overlay.png"
  lines = []
  compare.compare(dirs, str(out), log=lines.append)
  table = lines[0].splitlines()
  assert table[0].startswith("| run | learning_rate | n seeds | ")
  runs = [results.read_json(os.path.join(d, "results.json")) for d in dirs]
  for line, run_dir, run, lr in zip(table[2:], dirs, runs, (0.1, 0.01)):
    accuracy = run["summary"]["test_accuracy"]
    assert line.startswith(f"| {os.path.normpath(run_dir)} | {lr} | 2 | ")
    assert f"{accuracy['mean']:.4g} ± {accuracy['std']:.2g}" in line
  assert lines[-1] == f"wrote {out}"
  assert out.read_bytes()[:8] == PNG_MAGIC
  steps, means, _, _ = curves.series(runs[0]["curves"], "test_accuracy")
  assert steps.tolist() == [20, 40]
  assert means[-1] == pytest.approx(runs[0]["summary"]["test_accuracy"]["mean"])
