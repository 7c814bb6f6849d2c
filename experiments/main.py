"""Trains one config over its seeds and prints the results row.

  python -m experiments.main --config=experiments/configs/cnn_mnist1d.py --workdir=runs/cnn_mnist1d
  python -m experiments.main --config=experiments/configs/cnn_mnist1d.py --config.seeds=3 \
      --workdir=runs/cnn_mnist1d_seed3     # seed 3 alone, bit-identical to its row above

Several processes (GPU hosts, a TPU pod, SLURM tasks) run this same command, each with
`--coordinator_address=HOST:PORT --num_processes=N --process_id=I`, or `--multihost` where JAX
detects them (TPU pods, SLURM); see README "Launch recipes". Only process 0 prints and writes.

A config with `judge` set (GAN, VAE-GAN) trains its judge classifier once into
<workdir>/judges/<judge> and scores the samples with it (experiments/judges.py).

  python -m experiments.main --config=experiments/configs/cnn_mnist1d.py --show_config

prints every field with its value and meaning (experiments/config_help.py) and trains nothing.

Bad input (a config file that fails to load, an unknown field, model or dataset, an unwritable
workdir, ...) exits with code 2 and one line; an OS error (a full disk) with code 1 and one line
naming the path and errno. SIGTERM/SIGINT stop a training run at the next chunk with a
checkpoint, anything else (setup, compilation, evaluation) at once: one line, exit code 75;
rerun the same command to resume (genvdisc/train/preemption.py).
"""

import os
import sys

from absl import app, flags, logging
from ml_collections import config_flags

from experiments import config_help
from experiments.judges import JUDGES_DIR, judge_for
from genvdisc import config as config_lib
from genvdisc import distributed
from genvdisc.errors import GenvdiscError
from genvdisc.report import runs as runs_report
from genvdisc.train import preemption
from genvdisc.train.sweep import train_and_evaluate

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
flags.DEFINE_bool("show_config", False, "Print every field of --config with its value and meaning, "
                  "then exit without training (no --workdir needed).")
config_flags.DEFINE_config_file(
    "config", None, "Config file (experiments/configs/*.py). Set a field with "
    "--config.FIELD=VALUE (e.g. --config.mesh.data=2); --show_config lists every field, its value "
    "and its meaning.", lock_config=True)
flags.mark_flag_as_required("config")
flags.register_multi_flags_validator(
    ["workdir", "show_config"], lambda values: values["workdir"] is not None or values["show_config"],
    "--workdir is required (except with --show_config)")


def parse_flags(argv):
  """absl's parser, but a bad --config file, path or field is one line and exit 2, not a traceback.

  The config file is loaded and the overridden fields are checked here first: config_flags
  defers a file's load errors to first use or shows their traceback, and reports an unknown field
  as a Python AttributeError.
  """
  try:
    spec = config_help.config_spec(argv)
    if spec is not None:
      config_help.check_overrides(config_help.load(spec), config_help.override_names(argv),
                                argv)
    return FLAGS(argv)
  except (flags.Error, GenvdiscError) as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if FLAGS.show_config:
    print(config_help.show(FLAGS.config, config_flags.get_config_filename(FLAGS["config"])))
    return
  if not FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every save at INFO
  # Entered before distributed.initialize, so that JAX's preemption service takes SIGTERM over.
  with preemption.exits_cleanly():
    distributed.initialize(FLAGS.coordinator_address, FLAGS.num_processes, FLAGS.process_id,
                           auto=FLAGS.multihost)
    log = lambda line: print(line, flush=True)
    with FLAGS.config.unlocked():  # where the results' rerun commands start
      FLAGS.config.config_file = config_flags.get_config_filename(FLAGS["config"])
    config = config_lib.resolve(FLAGS.config)  # bad input fails before a judge trains
    judge = judge_for(config, os.path.join(FLAGS.workdir, JUDGES_DIR), log)
    run = train_and_evaluate(config, FLAGS.workdir, log=log, overwrite=FLAGS.overwrite,
                             judge=judge)
  if not distributed.is_primary():
    return
  print(runs_report.table_header())
  print("\n".join(runs_report.markdown_rows(run)))
  print(runs_report.format_summary(run))


if __name__ == "__main__":
  app.run(main, flags_parser=parse_flags)
