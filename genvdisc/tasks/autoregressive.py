"""Autoregressive Transformer (Image GPT style) on quantised images and sequences: exact likelihood.

An example becomes T tokens in raster order (`data.quantize`: digits are 64 tokens of 17
levels, MNIST-1D 40 tokens of config.quantize_bins bins), modelled by
`models.autoregressive.AutoregressiveTransformer` as p(x) = prod_t p(x_t | x_<t [, y]).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from genvdisc import objectives, optim
from genvdisc.data import quantize
from genvdisc.data.datasets import Dataset
from genvdisc.errors import ConfigError
from genvdisc.models.registry import lookup
from genvdisc.tasks import bayes, shared
from genvdisc.tasks.base import Task
from genvdisc.tasks.shared import require


def autoregressive_from_config(config, dataset: Dataset) -> Task:
  """Trained on the mean of -log p(x) over the batch (teacher forcing: all T conditionals from
  one causally masked pass); with config.conditional, on -log p(x|y) with the batch's labels.

  Metrics per split: `nll` = -log p(x) (conditional: -log p(x|y)) in nats per example, exact,
  and `bits_per_dim` = nll / (T ln 2).
  log_prob(params, x, key, labels=None): exact log p(x), or log p(x|y) given labels; a
    conditional model without labels gives log p(x) = log (1/K) sum_y p(x|y) (uniform p(y)).
  predict(params, x, key) (conditional): log p(x|y) + log p(y) [B, K], exact, the Bayes-rule
    classifier (`tasks.bayes`); its per-example `accuracy` joins the metrics.
  sample(params, key, n, labels=None): ancestral sampling, x_t ~ softmax(l_t / temperature) one
    position after another, decoded to bin centres shaped like the data (images: pixels in
    [0, 1]); a conditional model without labels draws y ~ U{0..K-1}.
  encode(params, x): the final-LayerNorm hidden states averaged over the T positions,
    [B, d_model] (unconditional models only: a conditional model's features would see y).
  """
  network = lookup("autoregressive", config.model)
  quantizer = quantize.for_dataset(dataset, config.quantize_bins)
  require(config.temperature > 0, "temperature", config.temperature, "a value > 0, e.g. 1.0")
  conditional = config.conditional
  require(not conditional or dataset.y_train is not None, "conditional", conditional,
          f"False: dataset {dataset.name!r} has no training labels here")
  eval_splits = tuple(config.eval_splits.split(","))
  require(eval_splits in (("train", "test"), ("test",)), "eval_splits", config.eval_splits,
          "'train,test' or 'test'")
  num_classes = dataset.num_classes if conditional else 0
  log_prior = bayes.class_log_prior(config, dataset)
  class_batch = bayes.class_batch(config, num_classes)
  length = math.prod(dataset.example_shape)
  try:
    model = network(vocab_size=quantizer.num_bins, length=length, num_classes=num_classes,
                    **config.model_kwargs.to_dict())
  except TypeError as e:
    raise ConfigError(f"config.model_kwargs do not fit the autoregressive transformer: {e}"
                      ) from None
  optimizer = optim.from_config(config)

  def to_tokens(x):
    return quantizer.tokens(x.reshape(x.shape[0], length))

  def to_inputs(tokens):
    return quantizer.values(tokens).reshape(tokens.shape[0], *dataset.example_shape)

  def logits(params, tokens, labels):
    return model.apply({"params": params}, tokens, labels)

  def log_likelihood(params, x, labels):
    tokens = to_tokens(x)
    return objectives.sequence_log_likelihood(logits(params, tokens, labels), tokens)

  def batch_labels(batch):
    return batch["y"] if conditional else None

  def init(key, x_example):
    labels = jnp.zeros(x_example.shape[:1], jnp.int32) if conditional else None
    params = model.init(key, to_tokens(x_example), labels)["params"]
    return params, optimizer.init(params)

  def loss_fn(params, batch):
    loss = -jnp.mean(log_likelihood(params, batch["x"], batch_labels(batch)))
    return loss, {"loss": loss, "bits_per_dim": objectives.bits_per_dim(loss, length)}

  def update(params, opt_state, batch, key, hparams):
    del key  # teacher forcing: no sampling in a step
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, batch)
    return *optim.apply_gradients(params, opt_state, grads, optimizer, hparams), metrics

  def class_log_likelihood(params):
    return lambda x, y, key: log_likelihood(params, x, y)   # exact: no key

  def predict(params, x, key):
    return bayes.joint_log_probs(class_log_likelihood(params), x, key, log_prior, class_batch)

  def eval_metrics(params, batch, key):
    nll = -log_likelihood(params, batch["x"], batch_labels(batch))
    metrics = {"nll": nll, "bits_per_dim": objectives.bits_per_dim(nll, length)}
    if conditional:
      metrics["accuracy"] = objectives.accuracy(predict(params, batch["x"], key), batch["y"])
    return metrics

  def log_prob(params, x, key, labels=None):
    if labels is not None or not conditional:
      return log_likelihood(params, x, labels)
    return bayes.marginal_log_prob(class_log_likelihood(params), x, key, num_classes, class_batch)

  def sample_tokens(params, key, labels, n):
    """x_t ~ softmax(l_t / temperature) for t = 0..T-1, l_t from the prefix sampled so far
    (`decode` with the cached keys and values of x_<t): int [n, T]."""
    def step(carry, position_and_key):
      previous, cache = carry
      t, k = position_and_key
      l_t, cache = model.apply({"params": params}, previous, t, cache, labels, method="decode")
      token = jax.random.categorical(k, l_t / config.temperature).astype(jnp.int32)
      return (token, cache), token

    carry = (jnp.zeros((n,), jnp.int32), model.empty_cache(n))
    _, tokens = jax.lax.scan(step, carry, (jnp.arange(length), jax.random.split(key, length)))
    return tokens.T

  sample = bayes.sampler(lambda params, key, n, labels: to_inputs(
      sample_tokens(params, key, labels, n)), num_classes)

  def encode(params, x):
    return model.apply({"params": params}, to_tokens(x), hidden=True).mean(axis=1)

  sampling = (f"ancestral sampling of the {length} tokens in raster order, temperature "
              f"{config.temperature:g}, {quantizer.num_bins} levels"
              + (", labels drawn uniformly" if conditional else ""))
  images = (shared.image_grids(config, sample, sampling=sampling) if dataset.kind == "image"
            else None)
  return Task(init=init, update=update, eval_metrics=eval_metrics, headline="test_nll",
              images=images, eval_splits=eval_splits, sample=sample,
              encode=None if conditional else encode, log_prob=log_prob,
              predict=predict if conditional else None)
