"""`results.build`, the one results dict of every producer, and `results.table_row`."""

import math
from typing import NamedTuple

import pytest

from genvdisc import results

COMMON = {"config", "headline", "seeds", "runs", "per_seed", "summary", "versions", "provenance",
          "wall_time_s"}


class Run(NamedTuple):
  name: str
  seed: int
  point: dict
  label: str


def test_a_closed_form_fit_gets_the_common_keys_one_run_per_seed_and_no_divergence():
  built = results.build({"name": "gnb_iris", "model": "gnb"},
                        {"1": {"test_accuracy": 0.7}, "0": {"test_accuracy": 0.5}}, 2.5,
                        "test_accuracy")
  assert set(built) == COMMON
  assert built["seeds"] == [0, 1]
  assert built["runs"] == {"1": {"seed": 1, "point": {}}, "0": {"seed": 0, "point": {}}}
  assert built["per_seed"] == {"1": {"test_accuracy": 0.7, "diverged_at_step": None},
                               "0": {"test_accuracy": 0.5, "diverged_at_step": None}}
  stat = built["summary"]["test_accuracy"]
  assert (stat["n"], stat["mean"]) == (2, pytest.approx(0.6))
  assert stat["std"] == pytest.approx(math.sqrt(0.02))       # (0.1^2 + 0.1^2) / (2 - 1)
  assert built["wall_time_s"] == 2.5
  assert set(built["provenance"]) >= {"commit", "dirty", "machine", "versions"}


def test_a_reported_divergence_is_kept_and_left_out_of_the_summary():
  built = results.build({"name": "mlp"}, {"0": {"test_accuracy": 0.9, "diverged_at_step": None},
                                          "1": {"test_accuracy": 0.1, "diverged_at_step": 40}}, 1.0,
                        "test_accuracy")
  assert built["per_seed"]["1"]["diverged_at_step"] == 40
  assert built["summary"]["test_accuracy"] == {"mean": 0.9, "std": 0.0, "n": 1}


def test_runs_get_their_rerun_commands_and_extra_keys_pass_through():
  runs = [Run("3", 3, {}, "")]
  built = results.build({"name": "mlp"}, {"3": {"test_accuracy": 0.8}}, 1.0, "test_accuracy", runs,
                        rerun=lambda run: f"--config.seeds={run.seed}", mesh="1 x 1", curves=[])
  assert set(built) == COMMON | {"mesh", "curves"}
  assert built["runs"] == {"3": {"seed": 3, "point": {}, "rerun": "--config.seeds=3"}}


def test_a_sweeps_summary_is_its_selected_points():
  runs = [Run(f"learning_rate={lr},seed={s}", s, {"learning_rate": lr}, f"learning_rate={lr}")
          for lr in (0.1, 0.01) for s in (0, 1)]
  val = {0.1: (0.6, 0.8), 0.01: (0.9, 0.7)}
  per_run = {run.name: {"val_accuracy": val[run.point["learning_rate"]][run.seed]}
             for run in runs}
  built = results.build({"name": "lr", "sweep": "learning_rate=0.1,0.01"}, per_run, 1.0,
                        "test_accuracy", runs, rerun=lambda run: "")
  assert built["seeds"] == [0, 1]
  assert built["selected"]["label"] == "learning_rate=0.01"             # mean 0.8 > 0.7
  assert built["summary"]["val_accuracy"]["mean"] == pytest.approx(0.8)
  assert [p["label"] for p in built["points"]] == ["learning_rate=0.1", "learning_rate=0.01"]


def test_a_table_row_keeps_its_extra_keys_and_the_results_it_shows():
  built = results.build({"name": "gnb_iris"}, {"0": {"test_accuracy": 0.5}}, 3.0, "test_accuracy")
  row = results.table_row(built, name="gnb_iris", reference="-")
  assert row == {"name": "gnb_iris", "reference": "-", "config": {"name": "gnb_iris"},
                 "headline": "test_accuracy", "per_seed": built["per_seed"],
                 "summary": built["summary"], "wall_time_s": 3.0}


def test_the_headline_is_the_tasks_own_or_the_recorded_tasks():
  recorded = {"headline": "test_brier", "config": {"task": "brier"}}
  assert results.headline_key(recorded) == "test_brier"
  assert results.headline_key({"config": {"task": "ddpm"}}) == "test_nll"   # written before
  with pytest.raises(KeyError):   # no silent default for a task results never recorded
    results.headline_key({"config": {"task": "brier"}})
