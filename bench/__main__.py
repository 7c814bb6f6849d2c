"""Benchmarks of the engine: `python -m bench --suite=cpu|gpu|sweep --out BENCHMARKS.md [--quick]`.

Runs the suite's sections (see bench/suites.py) and writes its block of `--out` atomically
(after every section, so an interrupted run keeps what it measured),
keeping the other suites' blocks if the file has them: the cpu and sweep suites are run on the
2-core CPU machine, the gpu suite on a GPU machine, and all end up in one BENCHMARKS.md. Run it
with nothing else on the machine. `--quick` runs every section at tiny sizes (a smoke test);
`--repeats` overrides the suite's timed repeats.
"""

import dataclasses
import time

from absl import app, flags

from bench import compare, flops, generative, report, seeds, sklearn_compare, suites, sweep

FLAGS = flags.FLAGS
flags.DEFINE_enum("suite", "cpu", list(suites.SUITES), "Which suite (and BENCHMARKS.md block).")
flags.DEFINE_string("out", "BENCHMARKS.md", "Markdown file to write the suite's block into.")
flags.DEFINE_bool("quick", False, "Tiny sizes: checks that every section runs; numbers mean nothing.")
flags.DEFINE_integer("repeats", None, "Timed repeats per figure (default: the suite's own; the "
                     "sweep suite's runs at a config's own step count keep theirs).")

PREAMBLE = """# Benchmarks

Written by `python -m bench --suite=cpu|gpu|sweep --out BENCHMARKS.md` (bench/); each suite
rewrites its own block below and keeps the others'. Every timing is the median [min–max] of
repeats after a warm-up call (compilation excluded), measured with `jax.block_until_ready`;
the sweep suite's alone times whole processes, compilation included."""


def modules(suite) -> list:
  """The bench modules whose sections make up `suite`."""
  if isinstance(suite, suites.SweepSuite):
    return [sweep]
  return ([seeds, compare, flops] + [sklearn_compare] * bool(suite.sklearn_seeds)
          + [generative] * bool(suite.sample_images))


def main(argv):
  del argv
  suite = suites.SUITES[FLAGS.suite]
  suite = suites.quick(suite) if FLAGS.quick else suite
  if FLAGS.repeats is not None:
    suite = dataclasses.replace(suite, repeats=FLAGS.repeats)
  start = time.time()
  sections = []
  for module in modules(suite):
    for section in module.sections(suite):
      print(f"[bench] {section.title} done ({time.time() - start:.0f} s)", flush=True)
      sections.append(section)
      # Written after every section, so a suite stopped part-way (a device lease running out)
      # keeps the sections it finished.
      write_block(suite, sections, time.time() - start, finished=False)
  write_block(suite, sections, time.time() - start, finished=True)
  print(f"[bench] wrote the {suite.name} block of {FLAGS.out}", flush=True)


def write_block(suite, sections: list, seconds: float, finished: bool) -> None:
  """Writes the suite's block of --out from the sections measured so far."""
  title = f"## {suite.name} suite" + (" (--quick: smoke test, numbers mean nothing)" * FLAGS.quick)
  repeats = f" --repeats={FLAGS.repeats}" if FLAGS.repeats is not None else ""
  status = "" if finished else f" (unfinished: stopped after {sections[-1].title!r})"
  parts = [title, f"`python -m bench --suite={suite.name}`{' --quick' * FLAGS.quick}{repeats}, "
                  f"{seconds:.0f} s{status}.", "### Machine", report.machine_info(),
           "### Targets", report.targets_table(sections)]
  parts += [f"### {s.title}\n\n{s.text}" for s in sections]
  report.write_suite(FLAGS.out, suite.name, "\n\n".join(parts), PREAMBLE)


if __name__ == "__main__":
  app.run(main)
