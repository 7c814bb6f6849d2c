"""Trains one config over its seeds and prints the results row.

  python -m experiments.main --config=experiments/configs/cnn_mnist1d.py --workdir=runs/cnn_mnist1d
  python -m experiments.main --config=experiments/configs/cnn_mnist1d.py --config.seeds=3 \
      --workdir=runs/cnn_mnist1d_seed3     # seed 3 alone, bit-identical to its row above

Bad input (unknown model or dataset, unwritable workdir, ...) exits with code 2 and one line.
SIGTERM/SIGINT stop at the next chunk with a checkpoint and exit code 75; rerun to resume.
"""

import sys

from absl import app, flags, logging
from ml_collections import config_flags

from genvdisc import results
from genvdisc.errors import GenvdiscError
from genvdisc.train import preemption
from genvdisc.train.run import train_and_evaluate

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None, "Directory for config.json, checkpoints and results.")
flags.DEFINE_bool("overwrite", False, "Discard the run the workdir holds and start afresh.")
config_flags.DEFINE_config_file("config", None, "Config file (experiments/configs/*.py).",
                                lock_config=True)
flags.mark_flags_as_required(["config", "workdir"])


def parse_flags(argv):
  """absl's parser, but a bad --config path or field is one line and exit 2, not a traceback."""
  try:
    argv = FLAGS(argv)
    FLAGS.config.get("name")  # config_flags defers a config file's load errors to first use
    return argv
  except flags.Error as e:
    print(f"error: {e}", file=sys.stderr)
  except (AttributeError, KeyError, OSError, TypeError, ValueError) as e:
    detail = " ".join(str(e.__cause__ or e).split())
    print(f"error: bad --config flag ({type(e).__name__}: {detail}); the fields are listed in "
          "experiments/configs/default.py", file=sys.stderr)
  sys.exit(2)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if not FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every save at INFO
  try:
    run = train_and_evaluate(FLAGS.config, FLAGS.workdir, log=lambda line: print(line, flush=True),
                             overwrite=FLAGS.overwrite)
  except GenvdiscError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)
  except preemption.Preempted as e:
    print(str(e), file=sys.stderr)
    sys.exit(preemption.EXIT_CODE)
  print(results.table_header())
  print(results.markdown_row(run))
  print(results.format_summary(run))


if __name__ == "__main__":
  app.run(main, flags_parser=parse_flags)
