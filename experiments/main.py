"""Trains one config over its seeds and prints the results row.

  python -m experiments.main --config=experiments/configs/cnn_mnist1d.py --workdir=runs/cnn_mnist1d
  python -m experiments.main --config=experiments/configs/cnn_mnist1d.py --config.seeds=3 \
      --workdir=runs/cnn_mnist1d_seed3     # seed 3 alone, bit-identical to its row above

Several processes (GPU hosts, a TPU pod, SLURM tasks) run this same command, each with
`--coordinator_address=HOST:PORT --num_processes=N --process_id=I`, or `--multihost` where JAX
detects them (TPU pods, SLURM); see README "Launch recipes". Only process 0 prints and writes.

A config with `judge` set (GAN, VAE-GAN) trains its judge classifier once into
<workdir>/judges/<judge> and scores the samples with it (experiments/judges.py).

Bad input (unknown model or dataset, unwritable workdir, ...) exits with code 2 and one line.
SIGTERM/SIGINT stop at the next chunk with a checkpoint and exit code 75; rerun to resume.
"""

import os
import sys

from absl import app, flags, logging
from ml_collections import config_flags

from experiments.judges import JUDGES_DIR, judge_for
from genvdisc import config as config_lib
from genvdisc import distributed, results
from genvdisc.errors import GenvdiscError
from genvdisc.train import preemption
from genvdisc.train.run import train_and_evaluate

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None, "Directory for config.json, checkpoints and results.")
flags.DEFINE_bool("overwrite", False, "Discard the run the workdir holds and start afresh.")
flags.DEFINE_string("coordinator_address", None,
                    "HOST:PORT of process 0, for a run over several processes (default: env "
                    "JAX_COORDINATOR_ADDRESS; unset = one process).")
flags.DEFINE_integer("num_processes", None, "Processes in the run (default: env JAX_NUM_PROCESSES).")
flags.DEFINE_integer("process_id", None, "This process's index, 0 .. num_processes-1 (default: env "
                     "JAX_PROCESS_ID).")
flags.DEFINE_bool("multihost", False, "Let JAX detect the processes (TPU pod, SLURM, Open MPI); "
                  "SLURM jobs with several tasks do this by themselves.")
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
    distributed.initialize(FLAGS.coordinator_address, FLAGS.num_processes, FLAGS.process_id,
                           auto=FLAGS.multihost)
    log = lambda line: print(line, flush=True)
    config_lib.validate(FLAGS.config)  # bad input fails before a judge trains
    judge = judge_for(FLAGS.config, os.path.join(FLAGS.workdir, JUDGES_DIR), log)
    run = train_and_evaluate(FLAGS.config, FLAGS.workdir, log=log, overwrite=FLAGS.overwrite,
                             judge=judge)
  except GenvdiscError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)
  except preemption.Preempted as e:
    print(str(e), file=sys.stderr)
    sys.exit(preemption.EXIT_CODE)
  if not distributed.is_primary():
    return
  print(results.table_header())
  print(results.markdown_row(run))
  print(results.format_summary(run))


if __name__ == "__main__":
  app.run(main, flags_parser=parse_flags)
