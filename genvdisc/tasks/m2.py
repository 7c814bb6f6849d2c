"""Semi-supervised M2 (Kingma et al. 2014): q(y|x), q(z|x,y) and p(x|y,z) trained together on a
few labelled and many unlabelled examples."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from genvdisc import objectives, optim
from genvdisc.data import subsets
from genvdisc.data.datasets import Dataset
from genvdisc.models import get_model
from genvdisc.tasks import shared
from genvdisc.tasks.base import Task
from genvdisc.tasks.shared import require


def m2_from_config(config, dataset: Dataset) -> Task:
  """M2 for config.model ('mlp'), latent_dim, likelihood, model_kwargs and
  classifier_hidden_sizes on `dataset` (images or tabular features, e.g. M1's latents).

  Networks, params {'classifier', 'encoder', 'decoder'}: q(y|x) an MLP on x, q(z|x,y) an encoder
  on [x, onehot(y)], p(x|y,z) a decoder on [z, onehot(y)].
  Each seed keeps the labels of `num_labels` training examples (`subsets.labelled_subset` of its
  run key, n / K per class) and uses every training example unlabelled. Minimises
  `objectives.m2_loss` on a batch of `batch_size` examples from the whole training split (the
  unlabelled term) and one of `labelled_batch_size` of the seed's labelled examples per step,
  classifier_weight = alpha / N. Dynamic binarisation feeds the Bernoulli decoder; q(y|x) sees x
  itself. Metrics (test split): `accuracy` and `class_loss` of q(y|x), `bound` = -U(x) in nats.
  sample(params, key, n, labels): E[x|y,z], z ~ N(0, I). log_prob: -U(x), a lower bound.
  """
  likelihood = shared.Likelihood.from_config(config, dataset)
  observe = likelihood.observe
  nets = shared.networks(config, likelihood.output_shape(dataset.example_shape), encoder=True)
  num_labels = config.num_labels
  subsets.check_num_labels(dataset.y_train, dataset.num_classes, num_labels)
  require(config.labelled_batch_size >= 1, "labelled_batch_size", config.labelled_batch_size,
          "an integer >= 1, e.g. 50")
  require(config.classifier_weight >= 0, "classifier_weight", config.classifier_weight,
          "a value >= 0 (alpha / N; the paper's 0.1)")
  num_classes, latent = dataset.num_classes, config.latent_dim
  labelled_fraction = num_labels / dataset.num_train
  encoder, decoder = nets.encoder, nets.decoder
  classifier = get_model("mlp", num_classes, hidden_sizes=tuple(config.classifier_hidden_sizes))
  optimizer = optim.from_config(config)
  with_label = lambda a, y: shared.with_label(a, y, num_classes)
  class_logits = lambda params, x: classifier.apply(params["classifier"], x)

  def init(key, x_example):
    k_cls, k_enc, k_dec = jax.random.split(key, 3)
    y = jnp.zeros((x_example.shape[0],), jnp.int32)
    params = {"classifier": classifier.init(k_cls, x_example),
              "encoder": encoder.init(k_enc, with_label(x_example, y)),
              "decoder": decoder.init(k_dec, with_label(jnp.zeros((x_example.shape[0], latent)), y))}
    return params, optimizer.init(params)

  def labelled_bound(params, x, y, key):
    """-L(x, y) [B]: the labelled bound with one z ~ q(z|x,y)."""
    mean, logvar = encoder.apply(params["encoder"], with_label(x, y))
    z = shared.reparameterize(mean, logvar, key)
    log_px = likelihood.log_prob(decoder.apply(params["decoder"], with_label(z, y)), x)
    return objectives.m2_labelled_bound(log_px, -jnp.log(num_classes),
                                        objectives.gaussian_kl_to_standard(mean, logvar))

  def bounds_per_class(params, x, key):
    """-L(x, y) for all K classes at once (x tiled K times): [B, K]."""
    b = x.shape[0]
    ys = jnp.repeat(jnp.arange(num_classes), b)
    x_tiled = jnp.tile(x, (num_classes,) + (1,) * (x.ndim - 1))
    return labelled_bound(params, x_tiled, ys, key).reshape(num_classes, b).T

  def loss_fn(params, batch, key, classifier_weight):
    k_bin_l, k_bin_u, k_l, k_u = jax.random.split(key, 4)
    x_l, y_l = batch["x_labelled"], batch["y_labelled"]
    labelled = labelled_bound(params, observe(x_l, k_bin_l), y_l, k_l)
    unlabelled = objectives.m2_unlabelled_bound(
        bounds_per_class(params, observe(batch["x"], k_bin_u), k_u),
        class_logits(params, batch["x"]))
    log_q = jnp.take_along_axis(jax.nn.log_softmax(class_logits(params, x_l)), y_l[:, None],
                                axis=1)[:, 0]
    loss = objectives.m2_loss(labelled, unlabelled, log_q, labelled_fraction,
                              classifier_weight)
    return loss, {"loss": loss, "labelled_bound": jnp.mean(labelled),
                  "unlabelled_bound": jnp.mean(unlabelled), "class_loss": -jnp.mean(log_q)}

  def update(params, opt_state, batch, key, hparams):
    grads, metrics = jax.grad(loss_fn, has_aux=True)(params, batch, key,
                                                     hparams["classifier_weight"])
    return *optim.apply_gradients(params, opt_state, grads, optimizer, hparams), metrics

  def sample_batch(data, run_key, key, batch_size):
    """`batch_size` examples i.i.d. from the whole training split, `labelled_batch_size` from the
    seed's labelled examples (both with replacement)."""
    k_u, k_l = jax.random.split(key)
    labelled = subsets.labelled_subset(run_key, data["y_train"], num_classes, num_labels)
    u = jax.random.randint(k_u, (batch_size,), 0, data["x_train"].shape[0])
    l = labelled[jax.random.randint(k_l, (config.labelled_batch_size,), 0, num_labels)]
    return {"x": data["x_train"][u], "y": data["y_train"][u],
            "x_labelled": data["x_train"][l], "y_labelled": data["y_train"][l]}

  def unlabelled_bound(params, x, key):
    k_bin, k_z = jax.random.split(key)
    return objectives.m2_unlabelled_bound(
        bounds_per_class(params, observe(x, k_bin), k_z), class_logits(params, x))

  def eval_metrics(params, batch, key):
    logits = class_logits(params, batch["x"])
    return {"accuracy": objectives.accuracy(logits, batch["y"]),
            "class_loss": objectives.softmax_cross_entropy(logits, batch["y"]),
            "bound": unlabelled_bound(params, batch["x"], key)}

  def sample(params, key, n, labels):
    z = jax.random.normal(key, (n, latent))
    return likelihood.mean(decoder.apply(params["decoder"], with_label(z, labels)))

  return Task(init=init, update=update, eval_metrics=eval_metrics, headline="test_accuracy",
              eval_splits=("test",),
              sample_batch=sample_batch, sample=sample, log_prob=unlabelled_bound)
