"""The autoregressive Transformer task: exact likelihoods, causality, quantisation, sampling,
bad input and one-seed reruns. Every network here is one tiny shape (3 levels, 4 positions) so
its programs compile once."""

import functools
import itertools
import math

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from genvdisc import data, objectives
from genvdisc.data import quantize
from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.models.autoregressive import AutoregressiveTransformer
from genvdisc.tasks.autoregressive import autoregressive_from_config
from genvdisc.train import run
from tests.conftest import shrunk_config

TINY_NETWORK = {"d_model": 8, "num_heads": 2, "num_layers": 2, "mlp_dim": 16}
LEVELS, LENGTH = 3, 4


def tiny_dataset(labelled=True) -> Dataset:
  """A sequence dataset of LENGTH values per example and 2 classes (only its shapes matter)."""
  x, y = np.zeros((8, LENGTH, 1), np.float32), np.arange(8, dtype=np.int32) % 2
  return Dataset("tiny", "sequence", 2, x, y if labelled else None, x, y)


def tiny_task(dataset=None, **overrides):
  """The ar_mnist1d task with TINY_NETWORK and LEVELS bins (unless overridden) on `dataset`."""
  fields = {"quantize_bins": LEVELS, "model_kwargs": ml_collections.ConfigDict(TINY_NETWORK),
            **overrides}
  return autoregressive_from_config(shrunk_config("ar_mnist1d", **fields),
                                    dataset or tiny_dataset())


@functools.cache
def trained_like(conditional: bool):
  """(task, params at initialisation, jitted log_prob, jitted sample)."""
  task = tiny_task(conditional=conditional)
  params, _ = jax.jit(task.init)(jax.random.PRNGKey(0), jnp.zeros((1, LENGTH, 1)))
  return (task, params, jax.jit(task.log_prob),
          jax.jit(task.sample, static_argnums=2))


def every_sequence():
  """(tokens [81, 4], values [81, 4, 1]): all LEVELS^LENGTH sequences."""
  tokens = jnp.array(list(itertools.product(range(LEVELS), repeat=LENGTH)), jnp.int32)
  return tokens, quantize.for_dataset(tiny_dataset(), LEVELS).values(tokens)[..., None]


def test_sequence_log_likelihood_and_bits_per_dim_by_hand():
  # p(x_0 = 1) = 3/4 (logits 0, ln 3), p(x_1 = 0) = 2/3 (logits ln 2, 0): log p = log 1/2.
  logits = jnp.log(jnp.array([[[1.0, 3.0], [2.0, 1.0]]]))
  log_p = objectives.sequence_log_likelihood(logits, jnp.array([[1, 0]]))
  np.testing.assert_allclose(log_p, [math.log(0.5)], rtol=1e-6)
  np.testing.assert_allclose(objectives.bits_per_dim(jnp.array(64 * math.log(2) * 1.5), 64), 1.5,
                             rtol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("conditional", [False, True])
def test_probabilities_sum_to_one_over_every_sequence(conditional):
  """All 81 sequences: p(x) (p(x | y) for each y, and the marginal over y) sums to 1; the
  metrics are -log p(x) in nats and that / (T ln 2) in bits."""
  task, params, log_prob, _ = trained_like(conditional)
  _, x = every_sequence()
  label_sets = [jnp.full((81,), y) for y in (0, 1)] if conditional else [None]
  for labels in label_sets + ([None] if conditional else []):
    log_p = log_prob(params, x, None, labels)
    np.testing.assert_allclose(jax.nn.logsumexp(log_p), 0.0, atol=1e-5)
    assert jnp.exp(log_p).max() > 3 * jnp.exp(log_p).min()  # far from uniform: a real check
  batch = {"x": x, "y": jnp.full((81,), 1)}
  metrics = jax.jit(task.eval_metrics)(params, batch, None)
  np.testing.assert_allclose(metrics["nll"], -log_prob(params, x, None, label_sets[-1]), rtol=1e-5)
  np.testing.assert_allclose(metrics["bits_per_dim"], metrics["nll"] / (LENGTH * math.log(2)),
                             rtol=1e-6)


@pytest.mark.slow
def test_logits_are_causal_decoding_matches_the_full_pass_and_features_are_pooled():
  model = AutoregressiveTransformer(vocab_size=LEVELS, length=LENGTH, **TINY_NETWORK)
  task, params, _, _ = trained_like(False)
  apply = jax.jit(lambda tokens: model.apply({"params": params}, tokens))
  tokens, x = every_sequence()
  logits = apply(tokens)
  for t in range(LENGTH - 1):
    changed = apply(tokens.at[:, t].set((tokens[:, t] + 1) % LEVELS))
    # logits_s predicts x_s from x_<s: positions s <= t do not see x_t, position t + 1 does.
    np.testing.assert_array_equal(changed[:, :t + 1], logits[:, :t + 1])
    assert jnp.abs(changed[:, t + 1] - logits[:, t + 1]).max(-1).min() > 0
  cache, previous = model.empty_cache(81), jnp.zeros((81,), jnp.int32)
  decode = jax.jit(lambda *a: model.apply({"params": params}, *a, method="decode"))
  for t in range(LENGTH):
    step_logits, cache = decode(previous, t, cache)
    np.testing.assert_allclose(step_logits, logits[:, t], atol=1e-5)
    previous = tokens[:, t]
  hidden = jax.jit(lambda tokens: model.apply({"params": params}, tokens, hidden=True))(tokens)
  np.testing.assert_allclose(task.encode(params, x), hidden.mean(1), atol=1e-5)
  assert hidden.shape == (81, LENGTH, 8) and tiny_task(conditional=True).encode is None


def test_quantizer_edges_width_and_round_trip():
  digits = quantize.for_dataset(data.load("digits"), 32)  # images keep their own 17 levels
  assert (digits.num_bins, digits.width) == (17, 1 / 16)
  np.testing.assert_allclose(digits.edges, (np.arange(18) - 0.5) / 16)
  pixels = np.arange(17, dtype=np.float32) / 16
  np.testing.assert_array_equal(digits.tokens(pixels), np.arange(17))
  np.testing.assert_array_equal(digits.values(np.arange(17)), pixels)
  np.testing.assert_array_equal(digits.unit(np.arange(17)), pixels)
  x = data.load("digits").x_test
  np.testing.assert_array_equal(digits.values(digits.tokens(x)), x)  # digits are exactly tokens

  signal = quantize.for_dataset(tiny_dataset(), 32)
  assert (signal.low, signal.high, signal.width) == (-4.0, 4.0, 0.25)
  np.testing.assert_allclose(signal.edges[[0, 1, 16, 32]], [-4.0, -3.75, 0.0, 4.0])
  x = np.array([-9.0, -4.0, -3.76, -3.75, -0.01, 0.0, 3.99, 4.0, 9.0], np.float32)
  np.testing.assert_array_equal(signal.tokens(x), [0, 0, 0, 1, 15, 16, 31, 31, 31])
  np.testing.assert_allclose(signal.values(np.array([0, 16, 31])), [-3.875, 0.125, 3.875])
  k = np.arange(32)
  np.testing.assert_array_equal(signal.tokens(signal.values(k)), k)
  np.testing.assert_array_equal(signal.tokens(jnp.asarray(signal.values(k))), k)  # jax arrays
  np.testing.assert_array_equal(signal.from_unit(signal.unit(k)), k)
  np.testing.assert_allclose(signal.unit(np.array([0, 31])), [0.0, 1.0])


@pytest.mark.slow
@pytest.mark.parametrize("conditional", [False, True])
def test_samples_follow_p_and_low_temperature_is_argmax_decoding(conditional):
  """Temperature 1: 4000 samples' frequencies over the 81 sequences match exp(log p) within
  total variation 0.08 (sampling noise alone: at most 0.047 over 10 keys; samples with x_0 and
  x_1 swapped would be 0.19 away, reversed ones 0.6-0.8, uniform ones 0.5-0.6).
  Temperature 1e-6: x_t = argmax l_t, computed here by full passes."""
  _, params, log_prob, sample = trained_like(conditional)
  quantizer = quantize.for_dataset(tiny_dataset(), LEVELS)
  drawn = sample(params, jax.random.PRNGKey(5), 4000)  # conditional: y ~ U{0, 1}
  np.testing.assert_allclose(quantizer.values(quantizer.tokens(drawn)), drawn, atol=1e-6)  # levels
  index = np.asarray(quantizer.tokens(drawn[..., 0])) @ LEVELS ** np.arange(LENGTH)[::-1]
  frequencies = np.bincount(index, minlength=81) / 4000
  tokens, x = every_sequence()
  p = np.exp(np.asarray(log_prob(params, x, None, None)))
  assert 0.5 * np.abs(frequencies - p).sum() < 0.08

  model = AutoregressiveTransformer(vocab_size=LEVELS, length=LENGTH,
                                    num_classes=2 if conditional else 0, **TINY_NETWORK)
  labels = jnp.arange(81) % 2 if conditional else None
  apply = jax.jit(lambda tokens: model.apply({"params": params}, tokens, labels))
  greedy = jnp.zeros((81, LENGTH), jnp.int32)
  for t in range(LENGTH):
    greedy = greedy.at[:, t].set(apply(greedy)[:, t].argmax(-1))
  cold_task = tiny_task(conditional=conditional, temperature=1e-6)
  cold = jax.jit(cold_task.sample, static_argnums=2)(params, jax.random.PRNGKey(6), 81, labels)
  np.testing.assert_array_equal(quantizer.tokens(cold[..., 0]), greedy)


@pytest.mark.parametrize("overrides, dataset, message", [
    ({"quantize_bins": 1}, None, r"config.quantize_bins=1 is invalid; use an integer >= 2"),
    ({"conditional": True}, tiny_dataset(labelled=False),
     r"config.conditional=True is invalid; use False: dataset 'tiny' has no training labels"),
    ({"temperature": 0.0}, None, r"config.temperature=0.0 is invalid; use a value > 0"),
    ({"model": "mlp"}, None, r"unknown model 'mlp' \(config.model\); valid names: transformer"),
    ({"model_kwargs": ml_collections.ConfigDict({"d_model": 10, "num_heads": 4})}, None,
     r"config.model_kwargs do not fit the autoregressive transformer: d_model=10 is not divisible"),
    ({}, "iris", r"dataset 'iris' is tabular, which has no fixed quantisation"),
])
def test_bad_input_is_one_config_error_line(overrides, dataset, message):
  dataset = data.load(dataset) if isinstance(dataset, str) else dataset
  with pytest.raises(ConfigError, match=message) as error:
    tiny_task(dataset, **overrides)
  assert "\n" not in str(error.value)


@pytest.mark.slow
def test_a_seed_rerun_alone_is_bitwise_the_seed_in_its_group(tmp_path):
  """Conditional digits, seeds 0 and 1 vmapped together vs seed 1 alone (same seed_group)."""
  shrink = dict(conditional=True, num_steps=20, checkpoint_every=20, eval_every=0, judge="",
                image_grid=0, model_kwargs=ml_collections.ConfigDict(
                    {**TINY_NETWORK, "num_layers": 1}))
  together = shrunk_config("ar_digits", seeds="0,1", **shrink)
  alone = shrunk_config("ar_digits", seeds="1", **shrink)
  r_together = run.train_runs(together, str(tmp_path / "together"), log=lambda s: None)
  r_alone = run.train_runs(alone, str(tmp_path / "alone"), log=lambda s: None)
  assert r_alone["per_seed"]["1"] == r_together["per_seed"]["1"]
  assert r_together["per_seed"]["0"] != r_together["per_seed"]["1"]
  nll = r_together["per_seed"]["1"]["test_nll"]
  assert 100 < nll < 64 * math.log(17)  # 20 steps: below uniform over 17 levels, far from trained
  np.testing.assert_allclose(r_together["per_seed"]["1"]["test_bits_per_dim"],
                             nll / (64 * math.log(2)), rtol=1e-5)
