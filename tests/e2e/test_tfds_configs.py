"""Every TFDS config trains one chunk end to end on `tfds.testing.mock_data` (no TF, no network).

One test walks all of them (mnist and cifar10 CNNs, VAEs and GANs; imdb_reviews
Transformer and GRU; the MNIST MLP and row-by-row GRU), shrunk to 2 steps, 1 seed, tiny eval.
"""

import pathlib

import jax
import numpy as np
import pytest
import tensorflow_datasets as tfds
from jax.experimental.compilation_cache import compilation_cache

from genvdisc import data
from experiments.configs import get_config
from genvdisc.train import run
from tests.conftest import ROOT, shrunk_config

TFDS_CONFIGS = sorted(
    p.stem for p in pathlib.Path(ROOT, "experiments", "configs").glob("*.py")
    if p.stem not in ("__init__", "default", "generative")
    and shrunk_config(p.stem).get("dataset", "").startswith(data.TFDS_PREFIX))


def test_the_issue_datasets_and_models_have_configs():
  wanted = {f"{model}_{dataset}" for model in ("lenet", "vae", "gan")
            for dataset in ("mnist", "cifar10")}
  wanted |= {"transformer_imdb", "gru_imdb"}
  assert wanted <= set(TFDS_CONFIGS)
  # Fashion-MNIST is read from its IDX files (genvdisc.data.images), TFDS being one source.
  assert {shrunk_config(f"{model}_fashion_mnist").dataset
          for model in ("lenet", "vae", "gan")} == {"fashion_mnist"}


@pytest.fixture
def compilation_cache_dir(tmp_path):
  """A persistent XLA cache for one test: configs that differ only by dataset compile once."""
  settings = {"jax_compilation_cache_dir": str(tmp_path / "xla_cache"),
              "jax_persistent_cache_min_compile_time_secs": 0}
  saved = {name: getattr(jax.config, name) for name in settings}
  for name, value in settings.items():
    jax.config.update(name, value)
  yield
  for name, value in saved.items():
    jax.config.update(name, value)
  compilation_cache.reset_cache()


@pytest.mark.slow
def test_every_tfds_config_trains_one_chunk_on_mock_data(tmp_path, compilation_cache_dir):
  with tfds.testing.mock_data(num_examples=8):
    for name in TFDS_CONFIGS:
      config = shrunk_config(name, num_steps=2, chunk_steps=2, log_every=2, checkpoint_every=2,
                             seeds="0", seed_group=1, batch_size=4, eval_batch_size=8)
      if config.task != "classification":
        if config.judge:  # the judge is a classifier config of the same dataset
          assert get_config(config.judge).dataset == config.dataset, name
        config.update({"judge": "", "iw_samples": 4, "iw_chunk": 2, "image_grid": 4})
      if config.dataset == "tfds:imdb_reviews":
        config.max_length = 32
      results = run.train_runs(config, str(tmp_path / name), log=lambda s: None)
      metrics = results["per_seed"]["0"]
      assert metrics.pop("diverged_at_step") is None, name
      assert all(np.isfinite(v) for v in metrics.values()), (name, metrics)
      if config.task != "classification":
        assert (tmp_path / name / "images" / "samples_seed0_step2.png").exists(), name
      else:
        assert 0.0 <= metrics["test_accuracy"] <= 1.0 and metrics["train_loss"] > 0, name

