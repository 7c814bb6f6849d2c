"""The one writer of every table: `TableData` -> OUT/<stem>.md, .csv, .json and .png, atomically.

md and csv lay out `Table.sections(record)` with `genvdisc.report.format`'s one markdown and
csv writer. md: each section's caption, then its grid ('mean ± spread' per cell); sections apart
by a blank line. csv: one line per numeric cell (long format): the section's csv_keys, the row's
keys, the cell's column header, n (seeds), mean and std (or ci95_half_width), unscaled, 5
decimals, then the row's texts. json: the record plus package versions. png: the table's figures, by default
`point_chart`: points with error bars on an axis zoomed to the data, each seed a dot, published
values as red diamonds.
"""

from __future__ import annotations

import os

import numpy as np

from experiments.tables.spec import Cell, Section, Table, TableData
from genvdisc import results
from genvdisc.report import format as fmt
from genvdisc.report.format import Stat
from genvdisc.report.plots import axis_label, log_y, pyplot, save_figure

SPREAD_HEADERS = {"std": "std", "ci95": "ci95_half_width"}


def markdown(sections: tuple[Section, ...]) -> str:
  lines = []
  for section in sections:
    if lines:
      lines.append("")
    if section.caption:
      lines += [section.caption, ""]
    rows = [[*row.keys, *(c.text if isinstance(c, Cell) else c for c in row.cells), *row.texts]
            for row in section.rows]
    lines.append(fmt.markdown_table([*section.keys, *section.columns, *section.texts], rows))
  return "\n".join(lines) + "\n"


def csv_text(sections: tuple[Section, ...]) -> str:
  """The long-format csv (module docstring); every numeric section shares one header."""
  lines, header = [], None
  for section in sections:
    for row in section.rows:
      for column, cell in zip(section.columns, row.cells):
        if not isinstance(cell, Cell):
          continue
        line_header = [*(k for k, _ in section.csv_keys), *section.keys, "column", "n", "mean",
                       SPREAD_HEADERS[cell.stat.spread], *section.texts]
        if header is None:
          header = line_header
          lines.append(header)
        elif line_header != header:
          raise ValueError(f"csv columns {line_header} differ from the table's {header}")
        mean, spread = cell.stat.summary(cell.values)
        lines.append([*(v for _, v in section.csv_keys), *row.keys, column, len(cell.values),
                      f"{mean:.5f}", f"{spread:.5f}", *row.texts])
  return fmt.csv_text(lines)


def point_key(stats, published: bool) -> str:
  """The line under a point chart's title saying what its marks are."""
  spreads = "/".join(sorted({"95% CI" if stat.spread == "ci95" else "std" for stat in stats}))
  return (f"blue: mean ± {spreads} over seeds, grey dots: each seed"
          + (", red diamonds: published / sklearn" if published else ""))


def point_panel(ax, stat: Stat, entries: list[tuple[str, Cell, float | None]],
                paired: bool = False) -> None:
  """On `ax`, one column per entry (label, cell, published value or None): the cell's mean ±
  spread as a blue point with error bar and its value, each seed as a grey dot beside it
  (`paired`: seed i of every entry joined by a line, for cells over the same seeds), the
  published value as a hollow red diamond. The y axis zooms to the data (no zero baseline),
  so entries a point apart look a point apart."""
  positions = np.arange(len(entries))
  summaries = [stat.summary(c.values) for _, c, _ in entries]
  means, spreads = stat.scale * np.asarray(summaries).T
  seeds = [stat.scale * np.asarray(cell.values) for _, cell, _ in entries]
  for i, values in enumerate(seeds):
    ax.scatter(np.full(len(values), i + 0.2), values, s=9, color="0.6", zorder=2)
    ax.annotate(stat.number(summaries[i][0]), (i, means[i]), xytext=(-7, 0), fontsize=7,
                textcoords="offset points", ha="right", va="center")
  if paired:
    ax.plot(positions + 0.2, np.stack(seeds), color="0.6", linewidth=0.8, alpha=0.6, zorder=1)
  ax.errorbar(positions, means, yerr=spreads, fmt="o", capsize=4, color="tab:blue", zorder=3)
  published = [(i, value) for i, (_, _, value) in enumerate(entries) if value is not None]
  if published:
    ax.scatter(*zip(*published), s=60, marker="D", facecolors="none", edgecolors="tab:red",
               linewidths=1.5, zorder=4)
  ax.set_xticks(positions, [label for label, _, _ in entries], rotation=45, ha="right")
  ax.set_xlim(-0.7, len(entries) - 0.3)
  ax.margins(y=0.12)
  ax.grid(axis="y", alpha=0.3)
  ax.set_ylabel(axis_label(stat))


def point_chart(title: str, sections: tuple[Section, ...]):
  """One `point_panel` per Stat of the rows' numeric cells (a row's marker, the published value
  of its first cell, drawn there), `point_key` under the title; None when no row has a number."""
  panels: dict = {}
  for section in sections:
    for row in section.rows:
      for i, cell in enumerate(row.cells):
        if isinstance(cell, Cell):
          panels.setdefault(cell.stat, []).append((row.keys[0], cell, row.marker if i == 0 else None))
  if not panels:
    return None
  widths = [max(2, len(p)) for p in panels.values()]
  fig, axes = pyplot().subplots(1, len(panels), figsize=(max(6.0, 0.6 * sum(widths) + 2), 4.8),
                                gridspec_kw={"width_ratios": widths}, squeeze=False)
  for ax, (stat, entries) in zip(axes[0], panels.items()):
    point_panel(ax, stat, entries)
  published = any(value is not None for entries in panels.values() for _, _, value in entries)
  fig.suptitle(f"{title}\n{point_key(panels, published)}", fontsize=10)
  return fig


def curves_panel(ax, categories: list[str], curves: dict[str, np.ndarray], stat: Stat,
                 dashed=(), log_scale: bool = False) -> None:
  """On `ax`, one line per curve over `categories` (its [seeds][categories] values): mean ±
  spread with error bars and each seed as a faint dot, the curves shifted sideways a little
  so their error bars do not hide each other; `log_scale` for errors spanning decades."""
  shifts = np.linspace(-0.1, 0.1, len(curves)) if len(curves) > 1 else [0.0]
  positions = np.arange(len(categories))
  for shift, (label, values) in zip(shifts, curves.items()):
    values = np.asarray(values, np.float64)
    means, spreads = stat.scale * np.asarray([stat.summary(column) for column in values.T]).T
    bars = ax.errorbar(positions + shift, means, yerr=spreads, marker="o", capsize=3, label=label,
                       linestyle="--" if label in dashed else "-")
    ax.scatter(np.broadcast_to(positions + shift + 0.03, values.shape), stat.scale * values, s=8,
               color=bars[0].get_color(), alpha=0.4, linewidths=0)
  ax.set_xticks(positions, categories)
  ax.set_xlim(-0.4, len(categories) - 0.6)
  if log_scale:
    log_y(ax)
  ax.grid(axis="y", alpha=0.3)
  ax.set_ylabel(axis_label(stat))


def write(table: Table, data: TableData, out: str, stem: str) -> str:
  """OUT/<stem>.md, .csv, .json and <stem><suffix>.png per figure; returns the markdown."""
  sections = table.sections(data.record)
  text = markdown(sections)
  os.makedirs(out, exist_ok=True)
  results.write_text_atomic(os.path.join(out, f"{stem}.md"), text)
  results.write_text_atomic(os.path.join(out, f"{stem}.csv"), csv_text(sections))
  results.write_json_atomic(os.path.join(out, f"{stem}.json"),
                            {**data.record, "versions": results.package_versions(),
                             "provenance": results.provenance()})
  figures = data.figures
  if figures is None:
    figures = {"": lambda: point_chart(f"genvdisc: {table.name}", sections)}
  for suffix, draw in figures.items():
    fig = draw()
    if fig is not None:
      save_figure(fig, os.path.join(out, f"{stem}{suffix}.png"))
  return text
