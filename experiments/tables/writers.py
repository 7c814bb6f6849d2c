"""The one writer of every table: `TableData` -> OUT/<stem>.md, .csv, .json and .png, atomically.

md and csv lay out `Table.sections(record)`. md: each section's caption, then its grid
('mean ± spread' per cell); sections apart by a blank line. csv: one line per numeric cell (long format): the section's csv_keys, the row's keys, the
cell's column header, n (seeds), mean and std (or ci95_half_width), unscaled, 5 decimals, then
the row's texts. json: the record plus package versions. png: the table's figures, by default
`bar_chart`.
"""

from __future__ import annotations

import csv
import io
import os

from experiments.tables.spec import Cell, Section, Table, TableData
from genvdisc import results

SPREAD_HEADERS = {"std": "std", "ci95": "ci95_half_width"}


def markdown(sections: tuple[Section, ...]) -> str:
  lines = []
  for section in sections:
    if lines:
      lines.append("")
    if section.caption:
      lines += [section.caption, ""]
    header = [*section.keys, *section.columns, *section.texts]
    lines += ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for row in section.rows:
      cells = [c.text if isinstance(c, Cell) else c for c in row.cells]
      lines.append("| " + " | ".join([*row.keys, *cells, *row.texts]) + " |")
  return "\n".join(lines) + "\n"


def csv_text(sections: tuple[Section, ...]) -> str:
  """The long-format csv (module docstring); every numeric section shares one header."""
  buffer = io.StringIO()
  writer = csv.writer(buffer, lineterminator="\n")
  header = None
  for section in sections:
    for row in section.rows:
      for column, cell in zip(section.columns, row.cells):
        if not isinstance(cell, Cell):
          continue
        line_header = [*(k for k, _ in section.csv_keys), *section.keys, "column", "n", "mean",
                       SPREAD_HEADERS[cell.stat.spread], *section.texts]
        if header is None:
          header = line_header
          writer.writerow(header)
        elif line_header != header:
          raise ValueError(f"csv columns {line_header} differ from the table's {header}")
        mean, spread = cell.stat.summary(cell.values)
        writer.writerow([*(v for _, v in section.csv_keys), *row.keys, column, len(cell.values),
                         f"{mean:.5f}", f"{spread:.5f}", *row.texts])
  return buffer.getvalue()


def pyplot():
  """matplotlib.pyplot on the Agg backend (no display needed)."""
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  return plt


def save_figure(fig, path: str) -> None:
  """Lays out, saves atomically (dpi 120) and closes a figure."""
  fig.tight_layout()
  results.write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
  pyplot().close(fig)


def bar_chart(title: str, sections: tuple[Section, ...]):
  """One bar panel per Stat of the rows' first cells (mean ± spread over seeds; a row's marker,
  the published value, as a red diamond); None when no row has a number."""
  panels: dict = {}
  for section in sections:
    for row in section.rows:
      if row.cells and isinstance(row.cells[0], Cell):
        panels.setdefault(row.cells[0].stat, []).append(row)
  if not panels:
    return None
  plt = pyplot()
  widths = [max(2, len(p)) for p in panels.values()]
  fig, axes = plt.subplots(1, len(panels), figsize=(max(6.0, 0.8 * sum(widths) + 1.5), 4.8),
                           gridspec_kw={"width_ratios": widths}, squeeze=False)
  for ax, (stat, panel) in zip(axes[0], panels.items()):
    summaries = [stat.summary(row.cells[0].values) for row in panel]
    positions = range(len(panel))
    ax.bar(positions, [stat.scale * mean for mean, _ in summaries],
           yerr=[stat.scale * spread for _, spread in summaries], capsize=4, color="tab:blue",
           label=f"genvdisc (mean ± {'95% CI' if stat.spread == 'ci95' else 'std'} over seeds)")
    markers = [(i, row.marker) for i, row in enumerate(panel) if row.marker is not None]
    if markers:
      ax.scatter(*zip(*markers), marker="D", color="tab:red", zorder=3, label="published / sklearn")
    ax.set_xticks(list(positions), [row.keys[0] for row in panel], rotation=45, ha="right")
    ax.set_ylabel(stat.label + (" (lower is better)" if stat.lower_is_better else ""))
    if stat.scale == 100.0:
      ax.set_ylim(0, 100)
  axes[0][0].legend(loc="lower left", fontsize=8)
  fig.suptitle(title)
  return fig


def write(table: Table, data: TableData, out: str, stem: str) -> str:
  """OUT/<stem>.md, .csv, .json and <stem><suffix>.png per figure; returns the markdown."""
  sections = table.sections(data.record)
  text = markdown(sections)
  os.makedirs(out, exist_ok=True)
  results.write_text_atomic(os.path.join(out, f"{stem}.md"), text)
  results.write_text_atomic(os.path.join(out, f"{stem}.csv"), csv_text(sections))
  results.write_json_atomic(os.path.join(out, f"{stem}.json"),
                            {**data.record, "versions": results.package_versions()})
  figures = data.figures
  if figures is None:
    figures = {"": lambda: bar_chart(f"genvdisc: {table.name}", sections)}
  for suffix, draw in figures.items():
    fig = draw()
    if fig is not None:
      save_figure(fig, os.path.join(out, f"{stem}{suffix}.png"))
  return text
