"""The explicit map from config names to models, and the pure init/apply pair they become.

config.model names a network within the family its task builds (`REGISTRY[family][name]`):
classifiers (`ModelSpec`), the VAE/GAN networks (`GenerativeFamily`), DDPM denoisers and the
autoregressive Transformer. One registry, one lookup, one error line.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import flax.linen as nn
import jax

from genvdisc.data import KINDS
from genvdisc.errors import ConfigError
from genvdisc.models import autoregressive, cnn, denoiser, generative, linear, mlp, rnn, transformer

Params = Any


@dataclasses.dataclass(frozen=True)
class Model:
  """Pure functions: `init(key, x) -> params`, `apply(params, x) -> outputs`.

  `x` is a batch `[batch, *example_shape]`; neither function touches global state.
  """
  init: Callable[[jax.Array, jax.Array], Params]
  apply: Callable[[Params, jax.Array], jax.Array]


def from_linen(module: nn.Module) -> Model:
  """Wraps a stateless flax.linen module as a `Model` (params only, no mutable collections)."""
  return Model(init=lambda key, x: module.init(key, x)["params"],
               apply=lambda params, x: module.apply({"params": params}, x))


@dataclasses.dataclass(frozen=True)
class ModelSpec:
  """What the registry knows of a model before building it.

  build: `(num_classes, **model_kwargs) -> nn.Module`.
  input_kinds: the dataset kinds (`genvdisc.data.KINDS`) it accepts.
  objectives: the objectives it may be trained with (None: any classification objective).
  uses_conv: it has convolutions, whose CPU speed drops inside `lax.scan` (see train.engine).
  """
  build: Callable[..., nn.Module]
  input_kinds: tuple[str, ...] = KINDS
  objectives: tuple[str, ...] | None = None
  uses_conv: bool = False


CLASSIFIERS: dict[str, ModelSpec] = {
    "logreg": ModelSpec(linear.Linear, objectives=("cross_entropy",)),
    "linear_svm": ModelSpec(linear.Linear, objectives=("hinge",)),
    "mlp": ModelSpec(mlp.MLP),
    "residual_mlp": ModelSpec(mlp.ResidualMLP),
    "lenet": ModelSpec(cnn.LeNet, input_kinds=("image",), uses_conv=True),
    "cnn1d": ModelSpec(cnn.CNN1D, input_kinds=("sequence",), uses_conv=True),
    "rnn": ModelSpec(rnn.RNNClassifier, input_kinds=("sequence", "image", "tokens")),
    "transformer": ModelSpec(transformer.Transformer, input_kinds=("sequence", "image", "tokens")),
    # the autoregressive Transformer's body + a linear head; vocab_size and length come from the
    # data (tasks.classification.model_and_optimizer), so a pretrained AR model is its backbone
    "ar_transformer": ModelSpec(autoregressive.autoregressive_classifier,
                                input_kinds=("sequence", "image")),
}


def get_spec(name: str) -> ModelSpec:
  return lookup("classifier", name)


def get_model(name: str, num_classes: int, **model_kwargs) -> Model:
  """Builds the named model; `model_kwargs` are its constructor's fields (config.model_kwargs)."""
  spec = get_spec(name)
  try:
    module = spec.build(num_classes=num_classes, **model_kwargs)
  except TypeError as e:
    raise ConfigError(f"config.model_kwargs do not fit model {name!r}: {e}") from None
  return from_linen(module)


@dataclasses.dataclass(frozen=True)
class GenerativeFamily:
  """The networks a generative task (config.task vae/iwae/gan/vaegan) builds for config.model.

  encoder: `(latent_dim, **model_kwargs) -> nn.Module` (None: the family has no encoder);
  decoder: `(out_shape, **model_kwargs)`, also the GAN generator; discriminator: `(**model_kwargs)`.
  """
  encoder: Callable[..., nn.Module] | None
  decoder: Callable[..., nn.Module]
  discriminator: Callable[..., nn.Module]
  uses_conv: bool = False


# family -> config.model -> what it builds; each task names its family.
REGISTRY: dict[str, dict[str, Any]] = {
    "classifier": CLASSIFIERS,
    "generative": {  # vae, iwae, gan, vaegan
        "mlp": GenerativeFamily(generative.MLPEncoder, generative.MLPDecoder,
                                generative.MLPDiscriminator),
        "dcgan": GenerativeFamily(None, generative.DCGANGenerator, generative.DCGANDiscriminator,
                                  uses_conv=True),
    },
    "denoiser": {"mlp": denoiser.MLPDenoiser},                      # ddpm
    "autoregressive": {"transformer": autoregressive.AutoregressiveTransformer},
}


def lookup(family: str, name: str):
  """REGISTRY[family][name], or one ConfigError line naming the family's models."""
  models = REGISTRY[family]
  if name not in models:
    raise ConfigError(f"unknown model {name!r} (config.model); valid names: {', '.join(models)}"
                      f" ({family} networks)")
  return models[name]


def build_generative(build: Callable[..., nn.Module], name: str, *args, **model_kwargs) -> Model:
  """`from_linen(build(*args, **model_kwargs))`, with bad config.model_kwargs as a ConfigError."""
  try:
    return from_linen(build(*args, **model_kwargs))
  except TypeError as e:
    raise ConfigError(f"config.model_kwargs do not fit model family {name!r}: {e}") from None
