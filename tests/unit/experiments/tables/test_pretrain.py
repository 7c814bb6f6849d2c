"""Generative pretraining -> discriminative: the AR Transformer classifier ('ar_transformer')
from scratch, as a linear probe and fine-tuned from an autoregressive run (config.pretrained,
config.finetune). One tiny network (d_model 8, 1 block) pretrained once, for 2 steps, on digits."""

import json
import os
import shutil

import jax
import ml_collections
import numpy as np
import pytest

from genvdisc import data
from genvdisc.errors import ConfigError
from genvdisc.models.autoregressive import backbone_params
from genvdisc.tasks.registry import from_config
from genvdisc.train import run
from tests.conftest import shrunk_config

TINY_NETWORK = {"d_model": 8, "num_heads": 2, "num_layers": 1, "mlp_dim": 16}
STEPS = dict(num_steps=10, chunk_steps=10, log_every=10, checkpoint_every=10)
quiet = lambda line: None


def tiny(name: str, **overrides):
  return shrunk_config(name, **{"model_kwargs": ml_collections.ConfigDict(TINY_NETWORK),
                                **STEPS, **overrides})


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory) -> tuple[str, dict]:
  """(workdir, {seed: params}) of an unconditional autoregressive run of seeds 0 and 1 (2 steps,
  in groups of one: narrow programs compile fastest)."""
  workdir = str(tmp_path_factory.mktemp("pretrain") / "ar")
  config = tiny("ar_digits", eval_every=0, judge="", image_grid=0, seed_group=1, num_steps=2,
                chunk_steps=1, log_every=1, checkpoint_every=2)
  run.train_runs(config, workdir, log=quiet)
  return workdir, run.restore_seed_params(config, workdir)


def classifier(workdir: str = "", **overrides):
  """The tiny classifier, seed 1 alone: it must start from the pretraining's seed 1 (its second
  group), not from the run in its own slot 0."""
  return tiny("ar_classifier_digits", **{"pretrained": workdir, "seeds": "1", "seed_group": 1,
                                        **overrides})


def at_start(config) -> tuple:
  """(experiment, seed 1's params at step 0, scratch params of the same init)."""
  experiment = run.make_train(config)
  source = run.warm_start_source(experiment)
  start = experiment.init_states(run.warm_start_params(experiment, source))[0]
  return experiment, start, experiment.init_states()[0].params


def assert_trees_equal(a, b):
  assert jax.tree.structure(a) == jax.tree.structure(b)
  jax.tree.map(np.testing.assert_array_equal, a, b)


@pytest.mark.slow
def test_finetune_starts_from_the_pretrained_backbone_and_the_seeds_init_head(pretrained):
  source, ar_params = pretrained
  _, start, scratch = at_start(classifier(source, finetune="all"))
  assert_trees_equal(jax.tree.map(lambda a: a[0], start.params["backbone"]),
                     backbone_params(ar_params[1]))
  assert_trees_equal(start.params["head"], scratch["head"])   # the head from the init key
  differ = jax.tree.map(lambda a, b: bool(np.any(a != b)), start.params["backbone"],
                        scratch["backbone"])
  assert all(jax.tree.leaves(differ))


@pytest.mark.slow
def test_the_probe_trains_the_head_and_leaves_the_backbone_bitwise_as_pretrained(pretrained):
  source, ar_params = pretrained
  experiment, start, _ = at_start(classifier(source, finetune="head", learning_rate=1e-2,
                                             labels_per_class=2))
  head = jax.tree.map(np.asarray, start.params["head"])
  trained, metrics = experiment.trainer.train_chunk(start, experiment.device_data(), 10)
  assert np.isfinite(metrics["loss"]).all()
  assert_trees_equal(jax.tree.map(lambda a: a[0], trained.params["backbone"]),
                     backbone_params(ar_params[1]))
  moved = jax.tree.map(lambda new, old: float(np.max(np.abs(new - old))), trained.params["head"],
                       head)
  assert min(jax.tree.leaves(moved)) > 1e-3   # 10 Adam steps of 1e-2 move every head leaf


def test_the_scratch_twin_probe_and_finetune_are_one_network(pretrained):
  source, _ = pretrained
  dataset = data.load("digits")
  shapes = [jax.eval_shape(from_config(config, dataset).init, jax.random.PRNGKey(0),
                           np.zeros((1, 8, 8, 1), np.float32))
            for config in (classifier(), classifier(source, finetune="head"),
                           classifier(source, finetune="all"))]
  assert shapes[0][0] == shapes[1][0] == shapes[2][0]   # params: structure, shapes, dtypes
  assert jax.tree.structure(shapes[0][1]) == jax.tree.structure(shapes[1][1])   # optimizer state
  assert set(shapes[0][0]) == {"backbone", "head"}
  assert shapes[0][0]["head"]["kernel"].shape == (TINY_NETWORK["d_model"], 10)


def _edited_copy(source: str, destination: str, **fields) -> str:
  """A copy of the run's config.json and results.json with `fields` changed in the config."""
  os.makedirs(destination)
  shutil.copy(os.path.join(source, "results.json"), destination)
  with open(os.path.join(source, "config.json")) as f:
    stored = json.load(f)
  with open(os.path.join(destination, "config.json"), "w") as f:
    json.dump({**stored, **fields}, f)
  return destination


@pytest.mark.parametrize("case, message", [
    ("wider", r"config.pretrained='.*' was trained with model_kwargs=\{'d_model': 8, .* but this "
              r"config has model_kwargs=\{'d_model': 16, .*; use a run with the same dataset"),
    ("split", r"trained with split_seed=0 but this config has split_seed=1"),
    ("seeds", r"trained seeds 0,1, not 2; use config.seeds among them"),
    ("conditional", r"holds a 'autoregressive' run \(conditional: True\); use the workdir of an "
                    r"unconditional autoregressive run"),
    ("vae", r"holds a 'vae' run .*use the workdir of an unconditional autoregressive run"),
    ("unfinished", r"holds no finished run \(results.json\); train it there first"),
])
def test_a_pretrained_run_that_does_not_fit_is_one_config_error_line_before_any_file(
    pretrained, tmp_path, case, message):
  source, _ = pretrained
  config = {
      "wider": lambda: classifier(source, model_kwargs=ml_collections.ConfigDict(
          {**TINY_NETWORK, "d_model": 16})),
      "split": lambda: classifier(source, split_seed=1),
      "seeds": lambda: classifier(source, seeds="1,2"),
      "conditional": lambda: classifier(_edited_copy(source, str(tmp_path / "c"),
                                                     conditional=True)),
      "vae": lambda: classifier(_edited_copy(source, str(tmp_path / "v"), task="vae")),
      "unfinished": lambda: classifier(str(tmp_path)),
  }[case]()
  workdir = str(tmp_path / "classifier")
  with pytest.raises(ConfigError, match=message) as error:
    run.train_runs(config, workdir, log=quiet)
  assert "\n" not in str(error.value)
  assert not os.path.exists(workdir)


@pytest.mark.parametrize("overrides, message", [
    (dict(finetune="last"), r"config.finetune='last' is invalid; use 'all' \(every parameter "
                            r"trained\) or 'head' \(a linear probe: the backbone fixed\)"),
    (dict(finetune="head", model="mlp", model_kwargs=ml_collections.ConfigDict()),
     r"config.model='mlp' is invalid; use 'ar_transformer' with config.pretrained or "
     r"config.finetune='head'"),
    (dict(model_kwargs=ml_collections.ConfigDict({**TINY_NETWORK, "length": 64})),
     r"config.model_kwargs=.* is invalid; use the network's sizes only"),
])
def test_bad_finetune_fields_are_one_config_error_line(overrides, message):
  with pytest.raises(ConfigError, match=message) as error:
    from_config(classifier(**overrides), data.load("digits"))
  assert "\n" not in str(error.value)


@pytest.mark.slow
def test_one_seed_of_the_pretrain_table_equals_its_entry_in_the_full_table(tmp_path, monkeypatch):
  from experiments.tables import pretrain, trained
  monkeypatch.setattr(pretrain, "LABELS_PER_CLASS", (2,))
  # probe stands for both pretrained variants (finetune takes the same path), to save a compile
  monkeypatch.setattr(pretrain, "VARIANTS", {v: pretrain.VARIANTS[v] for v in ("scratch", "probe")})
  monkeypatch.setattr(pretrain, "PRETRAINED", ("probe",))
  monkeypatch.setattr(pretrain, "PRETRAINING", trained.Row(
      "ar_digits", overrides=(("judge", ""), ("image_grid", 0), ("eval_every", 0)),
      name="ar_digits"))
  sets = tuple((f"model_kwargs.{k}", str(v)) for k, v in TINY_NETWORK.items()) + tuple(
      (k, str(v)) for k, v in dict(num_steps=2, chunk_steps=1, log_every=1, checkpoint_every=2,
                                   seed_group=1).items())
  compute = lambda seeds: pretrain.compute(str(tmp_path), seeds, log=quiet, sets=sets).record
  full, alone = compute((0, 1)), compute((1,))
  assert [r["variant"] for r in full["rows"]] == ["pretraining", "scratch", "probe"]
  for row_full, row_alone in zip(full["rows"], alone["rows"]):
    assert row_alone["per_seed"]["1"] == row_full["per_seed"]["1"], row_full["name"]
    assert row_full["per_seed"]["0"] != row_full["per_seed"]["1"], row_full["name"]
  probe, scratch = full["rows"][2]["per_seed"]["1"], full["rows"][1]["per_seed"]["1"]
  assert probe["test_accuracy"] != scratch["test_accuracy"]   # started from the pretraining
  assert len(pretrain.sections(full)) == 3
