"""One command per results table (experiments/tables); every table is reproducible seed by seed.

  python -m experiments.reproduce --table=summary --out=runs/summary   # the README's main job
  python -m experiments.reproduce --table=core|mnist1d|generative|ngjordan|m1|m2|augment --out=results
  python -m experiments.reproduce --table=all --out=results           # every table in turn
  python -m experiments.reproduce --table=core --out=runs/core --seeds=3   # seed 3 alone

Each table trains its runs in workdirs under OUT (resumable; a finished one is read back, not
retrained) and writes OUT/<table>.md, .csv, .json (every seed's numbers and configs) and .png.
`--seeds=3` reruns every row for seed 3 alone (workdirs <row>-seeds-3, files
OUT/<table>-seeds-3.*), bit-identical to that seed's entry in the full run. `--set field=value`
(repeatable) overrides a config field of every row of a trained table (core, mnist1d,
generative, summary; workdirs get a suffix), e.g. `--set num_steps=500` for a quick look.
Bad input prints one line and exits with code 2.
"""

import sys

from absl import app, flags, logging

from experiments import tables
from genvdisc.config import parse_seeds
from genvdisc.errors import ConfigError, GenvdiscError

FLAGS = flags.FLAGS
flags.DEFINE_enum("table", "summary", list(tables.TABLES) + ["all"],
                  "Which table to reproduce ('all': every table in turn).")
flags.DEFINE_string("out", "runs", "Directory for the tables' workdirs and files.")
flags.DEFINE_string("seeds", None, "Only these seeds (splits), e.g. '3' or '0,1'.")
flags.DEFINE_multi_string("set", [], "field=value overriding a config field of every row of a "
                          "trained table, e.g. num_steps=500 (repeatable).")


def parse_sets(sets: list[str]) -> tuple[tuple[str, str], ...]:
  pairs = []
  for text in sets:
    field, sep, value = text.partition("=")
    if not sep or not field:
      raise ConfigError(f"--set={text!r} is invalid; use field=value, e.g. --set=num_steps=500")
    pairs.append((field, value))
  return tuple(pairs)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if not FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)
  log = lambda s: print(s, flush=True)
  try:
    seeds = None if FLAGS.seeds is None else parse_seeds(FLAGS.seeds)
    sets = parse_sets(FLAGS.set)
    names = list(tables.TABLES) if FLAGS.table == "all" else [FLAGS.table]
    tables.check_sets(names, sets)
    for name in names:
      text = tables.reproduce(name, FLAGS.out, seeds, log, sets)
      print(text if FLAGS.table != "all" else f"## {name}\n\n{text}", flush=True)
  except GenvdiscError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
  app.run(main)
