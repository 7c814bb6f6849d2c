"""Bad input to the DDPM and autoregressive families is one line, and from the command line exit
2 before anything compiles. test_diffusion.py, test_autoregressive.py and test_likelihoods.py
hold the other cases (schedule, T, reverse variance, unlabelled data, temperature, likelihoods
that do not fit the data's levels); here: quantisation bins for DDPM, and whole commands of
configs with a judge, whose classifier must not train before the config is refused."""

import pytest

from genvdisc.data import load
from genvdisc.errors import ConfigError
from genvdisc.tasks import registry
from tests.conftest import run_module, shrunk_config
from tests.unit.genvdisc.tasks.test_autoregressive import tiny_dataset


@pytest.mark.parametrize("name, overrides, dataset, message", [
    ("ddpm_mnist1d", {"quantize_bins": 1}, tiny_dataset(),
     r"^config.quantize_bins=1 is invalid; use an integer >= 2, e.g. 32$"),
    ("ddpm_digits", {"quantize_bins": 0}, None,   # images keep their levels, bins are still checked
     r"^config.quantize_bins=0 is invalid; use an integer >= 2"),
    ("ddpm_digits", {"diffusion_steps": -3}, None,
     r"^config.diffusion_steps=-3 is invalid; use an integer >= 1, e.g. 1000$"),
])
def test_ddpm_bad_input_is_one_config_error_line(name, overrides, dataset, message):
  config = shrunk_config(name, judge="", **overrides)
  with pytest.raises(ConfigError, match=message):
    registry.from_config(config, dataset or load("digits"))


@pytest.mark.slow
@pytest.mark.parametrize("config, flag, message", [
    ("ddpm_digits", "--config.noise_schedule=quadratic",
     "error: config.noise_schedule='quadratic' is invalid; use linear or cosine"),
    ("ar_digits_conditional", "--config.quantize_bins=1",
     "error: config.quantize_bins=1 is invalid; use an integer >= 2, e.g. 32"),
])
def test_a_judged_config_is_refused_before_its_judge_trains(tmp_path, config, flag, message):
  """Both configs name the judge mlp_digits: refusing them must not train it first (which
  compiles, and writes <workdir>/judges/mlp_digits)."""
  workdir = tmp_path / "run"
  proc = run_module("experiments.main", f"--config=experiments/configs/{config}.py", flag,
                    f"--workdir={workdir}")
  assert (proc.returncode, proc.stderr.strip()) == (2, message)
  assert proc.stdout == "" and not workdir.exists()
