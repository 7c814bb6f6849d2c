"""One command per results table (experiments/tables); every table is reproducible seed by seed.

  python -m experiments.reproduce --table=summary --out=runs/summary   # the README's main job
  python -m experiments.reproduce --table=core|mnist1d|generative|ngjordan|m1|m2|augment|likelihood|sweep_lr \
      --out=results
  python -m experiments.reproduce --table=genclf_digits|genclf_mnist1d|features|pretrain --out=results
  python -m experiments.reproduce --table=all --out=results           # every table in turn
  python -m experiments.reproduce --table=core --out=runs/core --seeds=3   # seed 3 alone

Each table trains its runs in workdirs under OUT (resumable; a finished one is read back, not
retrained) and writes OUT/<table>.md, .csv, .json (every seed's numbers and configs) and .png.
`--seeds=3` reruns every row for seed 3 alone (workdirs <row>-seeds-3, files
OUT/<table>-seeds-3.*), bit-identical to that seed's entry in the full run. `--set field=value`
(repeatable) overrides a config field of every row of a trained table (core, mnist1d,
generative, summary; workdirs get a suffix), e.g. `--set num_steps=500` for a quick look.
Each finished row of a trained table prints one line with its own metrics (a generator's NLL or FID, a classifier's
accuracy), as the table shows them.

Bad input (no --table included) prints one line and exits with code 2. SIGTERM/SIGINT stop as
in experiments.main: a training run stops at the next chunk with a checkpoint, anything else
(a closed-form fit, an evaluation) at once; one line, exit code 75; rerun the same command to
resume (finished rows are read back). An OS error (a full disk) is one line naming the path
and errno, exit code 1.
"""

import sys

from absl import app, flags, logging

from experiments import tables
from experiments.tables import parse_sets
from genvdisc.config import parse_seeds
from genvdisc.train import preemption

FLAGS = flags.FLAGS
flags.DEFINE_enum("table", None, list(tables.TABLES) + ["all"],
                  "Which table to reproduce ('all': every table in turn); required.")
flags.DEFINE_string("out", "runs", "Directory for the tables' workdirs and files.")
flags.DEFINE_string("seeds", None, "Only these seeds (splits), e.g. '3' or '0,1'.")
flags.DEFINE_multi_string("set", [], "field=value overriding a config field of every row of a "
                          "trained table, e.g. num_steps=500 (repeatable).")


def parse_flags(argv):
  """absl's parser, but a bad flag is one line and exit 2, not a usage dump."""
  try:
    return FLAGS(argv)
  except flags.Error as e:
    fail(str(e))


def fail(message: str) -> None:
  print(f"error: {message}", file=sys.stderr)
  sys.exit(2)


def run(table: str, out: str, seeds: str | None, sets: list[str], log) -> None:
  """Reproduces `table` ('all': every table) into `out` and prints its markdown; bad input is
  one line and exit 2, SIGINT/SIGTERM one line and exit 75, an OS error one line and exit 1
  (module docstring)."""
  with preemption.exits_cleanly(f"before the table was written: finished runs in {out} are "
                                "kept; rerun the same command to resume"):
    seed_tuple = None if seeds is None else parse_seeds(seeds)
    set_pairs = parse_sets(sets)
    names = list(tables.TABLES) if table == "all" else [table]
    tables.check_sets(names, set_pairs)
    for name in names:
      text = tables.reproduce(name, out, seed_tuple, log, set_pairs)
      print(text if table != "all" else f"## {name}\n\n{text}", flush=True)


def main(argv):
  if len(argv) > 1:
    fail(f"unexpected arguments: {argv[1:]}")
  if FLAGS.table is None:
    fail(f"pass --table, one of: {', '.join(tables.TABLES)}, all (e.g. --table=summary "
         "--out=runs/summary)")
  if not FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)
  run(FLAGS.table, FLAGS.out, FLAGS.seeds, FLAGS.set, lambda line: print(line, flush=True))


if __name__ == "__main__":
  app.run(main, flags_parser=parse_flags)
