"""Config help: --show_config, and one line (exit 2) for a broken config file, an unknown field or a
mesh that does not fit the devices."""

import glob
import os
import textwrap

import pytest

from experiments import config_help
from genvdisc.errors import ConfigError
from tests.conftest import ROOT, run_module

MLP = "experiments/configs/mlp_digits.py"
ONE_CPU = {"JAX_PLATFORMS": "cpu", "XLA_FLAGS": ""}


def leaves(config, prefix=""):
  for key, value in config.items():
    if hasattr(value, "items") and len(value):
      yield from leaves(value, f"{prefix}{key}.")
    else:
      yield prefix + key, value


@pytest.mark.slow
def test_show_config_prints_every_field_its_value_and_meaning_and_trains_nothing(tmp_path):
  proc = run_module("experiments.main", f"--config={MLP}", "--show_config",
                    "--config.learning_rate=0.01", "--config.mesh.data=2")
  assert proc.returncode == 0 and proc.stderr == "", proc.stderr
  lines = proc.stdout.strip().splitlines()
  assert lines[0] == f"# {MLP}: set a field with --config.FIELD=VALUE"
  config = config_help.load(MLP)
  fields = [line.split(" = ")[0].strip() for line in lines[1:]]
  assert sorted(fields) == sorted(field for field, _ in leaves(config))
  assert fields[:3] == ["name", "task", "model"]  # the schema's order
  by_field = {line.split(" = ")[0].strip(): " ".join(line.split()) for line in lines[1:]}
  assert by_field["learning_rate"] == "learning_rate = 0.01 # (peak) step size"
  assert by_field["name"] == "name = 'mlp_digits' # row name in results tables"
  # A comment continued on aligned comment-only lines is one line; nested fields are dotted.
  assert by_field["mesh.data"] == ("mesh.data = 2 # devices along the batch axis (batch_size must "
                                   "divide by it); -1 = the devices that mesh.seed leaves")
  # A field that no file documents takes its sub-config's meaning.
  assert by_field["model_kwargs.hidden_sizes"] == ("model_kwargs.hidden_sizes = (128, 64) # "
                                                   "model_kwargs: constructor fields of that model")


@pytest.mark.slow
def test_help_of_config_names_show_config():
  proc = run_module("experiments.main", "--help")
  help_text = " ".join(proc.stdout.split())
  assert ("--config: Config file (experiments/configs/*.py). Set a field with --config.FIELD=VALUE "
          "(e.g. --config.mesh.data=2); --show_config lists every field, its value and its "
          "meaning.") in help_text
  assert "--[no]show_config: Print every field of --config with its value and meaning" in help_text


def test_schema_meanings_win_over_config_comments():
  path = "experiments/configs/vaegan_digits.py"
  shown = {line.split(" = ")[0].strip(): line.split("  # ", 1)[1]
           for line in config_help.show(config_help.load(path), path).splitlines()[1:]}
  # The schema's meaning wins over a config's comment on a value ("DCGAN recipe" in gan_digits).
  assert shown["model"] == "key of the task's model registry (genvdisc.models)"
  assert shown["adam_b1"] == "Adam's beta1 (DCGAN recipe: 0.5)"
  assert shown["iw_samples"].startswith("importance samples per example of the NLL estimate")
  assert shown["num_steps"] == "optimizer steps per seed"


CONFIG_FILES = sorted(path for path in glob.glob(os.path.join(ROOT, "experiments/configs/*.py"))
                      if not path.endswith("__init__.py"))


@pytest.mark.parametrize("path", CONFIG_FILES, ids=os.path.basename)
def test_every_field_of_every_experiment_config_is_documented(path):
  shown = config_help.show(config_help.load(path), path).splitlines()
  assert [line for line in shown if line.endswith("# (undocumented)")] == []


def test_a_config_documents_the_fields_it_adds(tmp_path):
  path = tmp_path / "mine.py"
  path.write_text(textwrap.dedent("""\
      from experiments.configs import default


      def get_config():
        config = default.get_config()
        config.learning_rate = 0.5     # tuned on seed 0 (a value's reason, not the meaning)
        config.tau = 2.0               # softmax temperature of the
                                       # logits at evaluation
        # a note about the next line, not a continuation
        config.mesh.extra = 3          # an added nested field
        config.unexplained = (1, 2)
        return config
      """))
  docs = config_help.field_docs(str(path))
  assert docs["learning_rate"] == "(peak) step size"
  assert docs["tau"] == "softmax temperature of the logits at evaluation"
  assert docs["mesh.extra"] == "an added nested field"
  assert "unexplained" not in docs
  shown = config_help.show(config_help.load(str(path)), str(path)).splitlines()
  assert " ".join(shown[-1].split()) == "unexplained = (1, 2) # (undocumented)"


BROKEN = {
    "syntax": ("def get_config():\n  x = (\n  return x\n", ":2: SyntaxError: '(' was never closed"),
    "raises": ("from experiments.configs import default\n\n\ndef get_config():\n"
               "  config = default.get_config()\n  raise ValueError('no such recipe')\n",
               ":6: ValueError: no such recipe"),
    "import": ("import genvdisc.nonexistent\n",
               ":1: ModuleNotFoundError: No module named 'genvdisc.nonexistent'"),
    "no_get_config": ("CONFIG = {}\n", ": defines no get_config(); start from "
                      "experiments/configs/mlp_digits.py"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BROKEN))
def test_a_config_file_that_fails_to_load_is_one_line_naming_file_and_line(tmp_path, case):
  source, where = BROKEN[case]
  path = tmp_path / "broken.py"
  path.write_text(source)
  proc = run_module("experiments.main", f"--config={path}", f"--workdir={tmp_path / 'run'}")
  assert proc.returncode == 2
  assert proc.stderr == f"error: {path}{where}\n"
  assert not (tmp_path / "run").exists()


def test_an_error_in_a_config_module_it_imports_names_that_module(tmp_path):
  path = tmp_path / "mine.py"
  path.write_text("from experiments.configs import default\n\n\ndef get_config():\n"
                  "  return default.get_config(1)\n")
  with pytest.raises(ConfigError, match=rf"^{path}:5: TypeError: get_config\(\) takes 0"):
    config_help.load(str(path))
  with pytest.raises(ConfigError, match=r"^cannot read config file: No such file or "
                                                    r"directory: 'experiments/configs/nope.py'"):
    config_help.load("experiments/configs/nope.py")


@pytest.mark.slow
@pytest.mark.parametrize("override, message", [
    ("--config.learning_rat=1", "unknown field 'learning_rat'; did you mean 'learning_rate'?"),
    ("--config.mesh.dat=2", "unknown field 'mesh.dat'; did you mean 'mesh.data'?"),
    ("--config.froobnitz=1", "unknown field 'froobnitz'; --show_config lists the fields"),
])
def test_unknown_field_is_one_line_with_the_closest_field(tmp_path, override, message):
  proc = run_module("experiments.main", f"--config={MLP}", f"--workdir={tmp_path / 'run'}", override)
  assert proc.returncode == 2 and proc.stderr == f"error: {message}\n"
  assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_mesh_error_quotes_the_fields_as_set_and_the_devices_found(tmp_path):
  proc = run_module("experiments.main", f"--config={MLP}", f"--workdir={tmp_path / 'run'}",
                    "--config.mesh.data=2", env=ONE_CPU)
  assert proc.returncode == 2
  assert proc.stderr == ("error: config.mesh.seed=-1 (auto), config.mesh.data=2 needs a multiple of "
                         "2 devices but 1 cpu device(s) were found; use --config.mesh.data=1\n")
  assert not (tmp_path / "run").exists()


def test_argv_parsing_follows_absl():
  argv = ["main", "--config", "a.py:arg", "--noconfig.halt_on_divergence", "--config.mesh.seed=2",
          "--workdir=w"]
  assert config_help.config_spec(argv) == "a.py:arg"
  assert config_help.config_spec(["main", "-config=b.py"]) == "b.py"
  assert config_help.config_spec(["main", "--config.seeds=1"]) is None
  assert config_help.override_names(argv) == ["halt_on_divergence", "mesh.seed"]


@pytest.mark.slow
def test_workdir_is_required_to_train():
  proc = run_module("experiments.main", f"--config={MLP}")
  assert proc.returncode == 2 and proc.stderr.strip().endswith(
      "--workdir is required (except with --show_config)")
  assert len(proc.stderr.strip().splitlines()) == 1
