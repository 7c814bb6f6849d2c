"""The benchmark suite runs end to end (--quick) and keeps the other suite's block of the file."""

import pytest

from bench import report
from tests.conftest import Child, run_module, wait_until

SECTIONS = ("### Machine", "### Targets", "### Seed scaling", "### Engine vs the flax-examples style",
            "### vs PyTorch", "### Hardware efficiency", "### vs scikit-learn",
            "### Generative tasks")


@pytest.mark.slow
def test_quick_cpu_suite_writes_every_section_and_keeps_the_gpu_block(tmp_path):
  out = tmp_path / "BENCHMARKS.md"
  begin, end = report.suite_markers("gpu")
  gpu_block = f"{begin}\ngpu numbers\n{end}"
  out.write_text("# Benchmarks\n\n" + gpu_block + "\n")
  proc = run_module("bench", "--suite=cpu", "--quick", f"--out={out}")
  assert proc.returncode == 0, proc.stderr[-3000:]
  text = out.read_text()
  assert gpu_block in text and text.count("# Benchmarks") == 1
  cpu = text[text.index(report.suite_markers("cpu")[0]):text.index(report.suite_markers("cpu")[1])]
  for heading in SECTIONS:
    assert heading in cpu, heading
  assert "unfinished" not in cpu
  assert [p.name for p in tmp_path.iterdir()] == ["BENCHMARKS.md"]  # no temporary files left


@pytest.mark.slow
def test_a_suite_killed_part_way_keeps_the_sections_it_finished(tmp_path):
  """Killed while it is known to be inside the hardware-efficiency section (blocked there by
  tests/run_blocked.py), after the seed-scaling and comparison sections."""
  out, marker = tmp_path / "BENCHMARKS.md", tmp_path / "blocked"
  child = Child("tests.run_blocked", str(marker), "bench.flops.sections", "1", "bench",
                "--suite=gpu", "--quick", f"--out={out}")
  wait_until(marker.exists, "the hardware-efficiency section", [child])
  child.proc.kill()
  child.finish()
  text = out.read_text()
  assert "### Seed scaling" in text and "### Hardware efficiency" not in text
  assert "unfinished: stopped after" in text


def test_write_suite_replaces_only_its_own_block(tmp_path):
  path = str(tmp_path / "B.md")
  report.write_suite(path, "cpu", "cpu 1", "# Benchmarks")
  report.write_suite(path, "gpu", "gpu 1", "# Benchmarks")
  report.write_suite(path, "cpu", "cpu 2", "# Benchmarks")
  text = open(path).read()
  assert "cpu 2" in text and "gpu 1" in text and "cpu 1" not in text
  assert text.index("cpu 2") < text.index("gpu 1")
