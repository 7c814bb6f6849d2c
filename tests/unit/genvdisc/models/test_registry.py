"""Every registry model: pure init/apply and output shapes."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from genvdisc.errors import ConfigError
from genvdisc.models import CLASSIFIERS, get_model, registry


@pytest.mark.slow
@pytest.mark.parametrize("name, example_shape, kwargs", [
    ("logreg", (4,), {}),
    ("linear_svm", (8, 8, 1), {}),
    ("mlp", (40, 1), {"hidden_sizes": (100, 100)}),
    ("lenet", (8, 8, 1), {}),
    ("lenet", (28, 28, 1), {}),
    ("cnn1d", (40, 1), {}),
])
def test_output_shape_and_purity(name, example_shape, kwargs):
  model = get_model(name, num_classes=7, **kwargs)
  x = jax.random.normal(jax.random.PRNGKey(1), (5, *example_shape))
  params = model.init(jax.random.PRNGKey(0), x[:1])
  out = model.apply(params, x)
  assert out.shape == (5, 7)
  np.testing.assert_array_equal(out, model.apply(params, x))
  same = model.init(jax.random.PRNGKey(0), x[:1])
  assert jax.tree.all(jax.tree.map(lambda a, b: bool(jnp.array_equal(a, b)), params, same))


def test_cnn1d_matches_the_papers_architecture():
  model = get_model("cnn1d", num_classes=10)
  params = model.init(jax.random.PRNGKey(0), jnp.zeros((1, 40, 1)))
  shapes = {k: v["kernel"].shape for k, v in params.items()}
  # kernels 5/3/3 with 25 channels; lengths 40 -> 19 -> 10 -> 5, so the linear layer sees 125.
  assert shapes == {"Conv_0": (5, 1, 25), "Conv_1": (3, 25, 25), "Conv_2": (3, 25, 25),
                    "Dense_0": (125, 10)}


def test_linear_model_is_one_affine_map():
  model = get_model("logreg", num_classes=3)
  params = model.init(jax.random.PRNGKey(0), jnp.zeros((1, 4)))
  x = jnp.ones((2, 4))
  expected = x @ params["Dense_0"]["kernel"] + params["Dense_0"]["bias"]
  np.testing.assert_allclose(model.apply(params, x), expected, rtol=1e-6)


def test_registry_errors():
  with pytest.raises(ConfigError, match=r"unknown model 'resnet'.*valid names: " + ", ".join(CLASSIFIERS)):
    get_model("resnet", num_classes=2)
  with pytest.raises(ConfigError, match="model_kwargs do not fit model 'mlp'"):
    get_model("mlp", num_classes=2, widths=(3,))


@pytest.mark.slow
def test_cnn1d_im2col_equals_xla_convolution():
  """conv_impl='im2col' has the same params and gives the same outputs and gradients (1e-5),
  also vmapped over seeds (where it is a batched matmul instead of a grouped convolution)."""
  xla, im2col = (get_model("cnn1d", num_classes=10, conv_impl=impl) for impl in ("xla", "im2col"))
  x = jax.random.normal(jax.random.PRNGKey(1), (3, 6, 40, 1))
  params = jax.vmap(lambda k: xla.init(k, x[0, :1]))(jax.random.split(jax.random.PRNGKey(0), 3))
  same = jax.vmap(lambda k: im2col.init(k, x[0, :1]))(jax.random.split(jax.random.PRNGKey(0), 3))
  assert jax.tree.all(jax.tree.map(lambda a, b: bool(jnp.array_equal(a, b)), params, same))
  for f in (lambda m, p, x: m.apply(p, x),
            lambda m, p, x: jax.grad(lambda p: jnp.sum(jnp.sin(m.apply(p, x))))(p)):
    want, got = (jax.vmap(functools.partial(f, m))(params, x) for m in (xla, im2col))
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5), want, got)


@pytest.mark.parametrize("family, valid", [("generative", "mlp, dcgan"), ("denoiser", "mlp"),
                                           ("autoregressive", "transformer")])
def test_every_family_is_one_registry_lookup(family, valid):
  with pytest.raises(ConfigError, match=rf"^unknown model 'resnet' \(config.model\); valid names: "
                                        rf"{valid} \({family} networks\)$"):
    registry.lookup(family, "resnet")
  assert set(registry.REGISTRY) == {"classifier", "generative", "denoiser", "autoregressive"}
