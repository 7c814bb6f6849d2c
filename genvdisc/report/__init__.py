"""Reporting: numbers as text, markdown and csv tables, figures and image grids.

format.py: mean ± spread of per-seed values (`Stat`), the metrics' display specs (`Metric`),
markdown and csv tables. runs.py: results.md rows of a run or sweep and the summary
experiments.main prints. plots.py: matplotlib helpers, bands of curves, image grids, saving a
figure atomically. curves.py: curves.png. sweeps.py: sweep.md, .csv and .png. The package sits
just above `genvdisc.results` and `genvdisc.hyperparams`: it imports no model, task or training
code, so the library, the tables and the benchmarks all call it.
"""
