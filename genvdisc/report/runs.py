"""A run's or a sweep's results as text: the rows of results.md (also printed by
experiments.main) and the summary of every metric printed after them."""

from __future__ import annotations

from genvdisc.report import format as fmt

COLUMNS = ("config", "model", "dataset", "seeds", "metric", "mean ± std", "wall s")


def table_header(extra_columns: tuple[str, ...] = ()) -> str:
  """The two markdown header lines for rows from `markdown_row` (plus any extra columns)."""
  return fmt.markdown_table(COLUMNS + tuple(extra_columns), [])


def markdown_row(results: dict) -> str:
  """One table row (see `table_header`): the task's headline metric (`format.headline`) as
  mean ± std over the non-diverged seeds ('-' if they have none), and the flagged seeds."""
  cfg, per_seed = results["config"], results["per_seed"]
  metric = fmt.headline(results)
  stat = results["summary"].get(metric.key)
  value = metric.stat.format(stat["mean"], stat["std"]) if stat else "-"
  return fmt.markdown_line([cfg["name"], cfg["model"], cfg["dataset"], fmt.seeds_text(per_seed),
                            metric.stat.label, value, f"{results['wall_time_s']:.0f}"])


def markdown_rows(results: dict) -> list[str]:
  """`markdown_row` of a run, or of every point of a sweep, its values in the config column and
  the selected one marked, so no two rows look alike."""
  if "points" not in results:
    return [markdown_row(results)]
  chosen = (results.get("selected") or {}).get("label")
  rows = []
  for entry in results["points"]:
    mark = f" ✓ {results['selected']['metric']}" if entry["label"] == chosen else ""
    name = f"{results['config']['name']} [{entry['label']}]{mark}"
    rows.append(markdown_row({**results, "config": {**results["config"], "name": name},
                              "per_seed": {n: results["per_seed"][n] for n in entry["runs"]},
                              "summary": entry["summary"]}))
  return rows


def format_summary(results: dict) -> str:
  """Every summarised metric as 'name: mean ± std (n seeds)', one per line (the rows above hold
  only the headline metric); of a sweep, the selected point's, after the line naming it."""
  summary, head = results["summary"], []
  if "points" in results:
    chosen = results["selected"]
    if chosen is None:
      return "no point selected: no validation metric (set config.select, e.g. val_accuracy)"
    summary = next(p["summary"] for p in results["points"] if p["label"] == chosen["label"])
    head = [f"selected {chosen['label']} by {chosen['metric']} = {chosen['value']:.4g} "
            "(validation split; test numbers above are reported, never used to choose)"]
  return "\n".join(head + [f"{name}: {fmt.significant(stat)} (n={stat['n']})"
                           for name, stat in summary.items()])
