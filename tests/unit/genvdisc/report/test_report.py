"""genvdisc.report: numbers as text, markdown and csv tables, image grids, saved figures."""

import numpy as np
import pytest

from genvdisc import results
from genvdisc.report import format as fmt
from genvdisc.report import plots, runs


def test_a_stat_scales_rounds_and_spreads_known_values():
  accuracy = fmt.Stat("test acc %", 100.0)
  # mean 0.85, sample std sqrt(0.005) = 0.0707...
  assert accuracy.text([0.9, 0.8]) == "85.0 ± 7.1"
  assert accuracy.number(0.97125) == "97.1"
  assert accuracy.format(0.5, 0.25) == "50.0 ± 25.0"
  assert fmt.Stat("nll", 1.0, 2).text([22.61, 22.69]) == "22.65 ± 0.06"
  assert fmt.Stat("one", 1.0, 3).text([0.5]) == "0.500 ± 0.000"   # one value: no spread
  # 95% half-width: 1.96 * std / sqrt(n) = 1.96 * 1 / 2
  ci = fmt.Stat("error", 1.0, 2, True, "ci95")
  # [1, 2, 3, 2]: mean 2, sample variance 2 / 3, half-width 1.96 sqrt(2 / 3) / 2
  assert ci.summary([1.0, 2.0, 3.0, 2.0]) == pytest.approx((2.0, 0.98 * (2 / 3) ** 0.5))
  assert ci.text([1.0, 3.0]) == "2.00 ± 1.96"


def test_headlines_read_as_each_tasks_metric():
  assert fmt.headline({"headline": "test_nll", "config": {"task": "vae"}}) == fmt.TEST_NLL
  assert fmt.headline({"config": {"task": "gan"}}).stat.label == "classifier-FID"
  assert fmt.headline({"config": {"task": "m2"}}) == fmt.TEST_ACCURACY


def test_seed_values_skip_diverged_seeds_and_flags():
  per_seed = {"0": {"acc": 0.5, "diverged_at_step": None, "loss_increased": True},
              "1": {"acc": 0.1, "diverged_at_step": 30},
              "2": {"acc": True, "diverged_at_step": None},          # a flag, not a number
              "3": {"acc": 0.7, "diverged_at_step": None}}
  assert fmt.seed_values(per_seed, "acc") == (0.5, 0.7)
  assert fmt.seeds_text(per_seed) == "4 (1 diverged: 1; 1 loss increased: 0)"
  assert fmt.seeds_text({"0": {}, "1": {}}, "splits") == "2 splits"


def test_significant_digits():
  assert fmt.significant({"mean": 0.971234, "std": 0.003149}) == "0.9712 ± 0.0031"
  assert fmt.significant({"mean": 1234.5678, "std": 12.3}) == "1235 ± 12"


def test_a_markdown_table_of_two_rows():
  assert fmt.markdown_table(["config", "acc"], [["mlp", "97.6 ± 0.2"], ["svm", 96]]) == (
      "| config | acc |\n"
      "|---|---|\n"
      "| mlp | 97.6 ± 0.2 |\n"
      "| svm | 96 |")
  assert fmt.markdown_table(["a"], []) == "| a |\n|---|"


def test_csv_quotes_only_where_needed():
  assert fmt.csv_text([["name", "mean"], ["a, b", "0.50000"], ["c", 3]]) == (
      'name,mean\n"a, b",0.50000\nc,3\n')


def test_a_sweeps_rows_name_their_points_and_mark_the_selected_one():
  per_seed = {"lr=0.1,seed=0": {"test_accuracy": 0.5, "diverged_at_step": None},
              "lr=0.01,seed=0": {"test_accuracy": 0.9, "diverged_at_step": None}}
  points = [{"label": "lr=0.1", "runs": ["lr=0.1,seed=0"],
             "summary": results.summarize({"a": per_seed["lr=0.1,seed=0"]})},
            {"label": "lr=0.01", "runs": ["lr=0.01,seed=0"],
             "summary": results.summarize({"a": per_seed["lr=0.01,seed=0"]})}]
  sweep = {"config": {"name": "mlp", "model": "mlp", "dataset": "digits"}, "per_seed": per_seed,
           "headline": "test_accuracy",
           "points": points, "summary": points[1]["summary"], "wall_time_s": 3.2,
           "selected": {"label": "lr=0.01", "metric": "val_accuracy", "value": 0.91}}
  assert "\n".join([runs.table_header(), *runs.markdown_rows(sweep)]) == (
      "| config | model | dataset | seeds | metric | mean ± std | wall s |\n"
      "|---|---|---|---|---|---|---|\n"
      "| mlp [lr=0.1] | mlp | digits | 1 | test acc % | 50.0 ± 0.0 | 3 |\n"
      "| mlp [lr=0.01] ✓ val_accuracy | mlp | digits | 1 | test acc % | 90.0 ± 0.0 | 3 |")
  assert runs.format_summary(sweep).splitlines() == [
      "selected lr=0.01 by val_accuracy = 0.91 (validation split; test numbers above are "
      "reported, never used to choose)", "test_accuracy: 0.9 ± 0 (n=1)"]


def test_an_image_grid_pads_with_grey_and_leaves_missing_cells_grey():
  images = np.ones((5, 2, 3, 1))
  out = plots.grid(images, columns=3, pad=1)
  assert out.shape == (2 * (2 + 1) + 1, 3 * (3 + 1) + 1, 1)   # 2 rows, 3 columns
  assert out[1:3, 1:4].min() == 1.0                             # the first image
  assert out[0].max() == 0.5 and out[:, 0].max() == 0.5         # the padding
  assert out[4:6, 9:12].max() == 0.5                            # the empty 6th cell
  assert plots.grid(np.zeros((4, 2, 2, 3)), pad=0).shape == (4, 4, 3)   # 2 x 2 by default
  assert plots.grid(np.full((1, 1, 1, 1), 7.0)).max() == 1.0    # clipped to [0, 1]


def test_save_figure_writes_a_png_and_closes_the_figure(tmp_path):
  plt = plots.pyplot()
  fig, ax = plt.subplots()
  ax.plot([0, 1], [1, 0])
  path = tmp_path / "figure.png"
  plots.save_figure(fig, str(path), dpi=50, metadata={"Description": "a line"})
  assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  assert b"a line" in path.read_bytes()
  assert not plt.fignum_exists(fig.number)
  assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]   # no temporary file left
