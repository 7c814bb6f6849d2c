"""Sequence models: gate-by-gate parity with flax's cells, attention parity, masking, TFDS inputs."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from genvdisc import data
from genvdisc.models import get_model, rnn, transformer
from genvdisc.train import run
from tests.conftest import shrunk_config

H, F, B = 5, 3, 4


def _random(key, shape):
  return jax.random.normal(jax.random.PRNGKey(key), shape)


@pytest.mark.slow
def test_lstm_step_equals_flax_lstm_cell():
  cell = nn.LSTMCell(H)
  x = _random(0, (B, F))
  carry = (_random(1, (B, H)), _random(2, (B, H)))  # (c, h)
  ref = cell.init(jax.random.PRNGKey(3), carry, x)["params"]
  # Our fused weights, gate order i, f, g, o; flax puts the bias on the hidden Dense.
  p = {"w_x": jnp.concatenate([ref[f"i{g}"]["kernel"] for g in "ifgo"], axis=1),
       "w_h": jnp.concatenate([ref[f"h{g}"]["kernel"] for g in "ifgo"], axis=1),
       "b": jnp.concatenate([ref[f"h{g}"]["bias"] for g in "ifgo"])}
  (c_ref, h_ref), _ = cell.apply({"params": ref}, carry, x)
  c, h = rnn.lstm_step(p, carry, x)
  np.testing.assert_allclose(c, c_ref, atol=1e-5)
  np.testing.assert_allclose(h, h_ref, atol=1e-5)


def test_gru_step_equals_flax_gru_cell():
  cell = nn.GRUCell(H)
  x, h0 = _random(0, (B, F)), _random(1, (B, H))
  ref = cell.init(jax.random.PRNGKey(3), h0, x)["params"]
  p = {"w_x": jnp.concatenate([ref[f"i{g}"]["kernel"] for g in "rzn"], axis=1),
       "b_x": jnp.concatenate([ref[f"i{g}"]["bias"] for g in "rzn"]),
       "w_h": jnp.concatenate([ref[f"h{g}"]["kernel"] for g in "rzn"], axis=1),
       "b_h": jnp.concatenate([jnp.zeros(H), jnp.zeros(H), ref["hn"]["bias"]])}
  h_ref, _ = cell.apply({"params": ref}, h0, x)
  (h,) = rnn.gru_step(p, (h0,), x)
  np.testing.assert_allclose(h, h_ref, atol=1e-5)


@pytest.mark.slow
def test_recurrent_unroll_equals_python_loop_and_reverse():
  xs = _random(0, (B, 7, F))
  layer = rnn.Recurrent("lstm", H)
  params = layer.init(jax.random.PRNGKey(1), xs)
  carry = (jnp.zeros((B, H)), jnp.zeros((B, H)))
  expected = []
  for t in range(7):
    carry = rnn.lstm_step(params["params"], carry, xs[:, t])
    expected.append(carry[1])
  np.testing.assert_allclose(layer.apply(params, xs), jnp.stack(expected, 1), atol=1e-6)
  backward = rnn.Recurrent("lstm", H, reverse=True).apply(params, xs)
  forward_on_flipped = layer.apply(params, xs[:, ::-1])[:, ::-1]
  np.testing.assert_allclose(backward, forward_on_flipped, atol=1e-6)


@pytest.mark.slow
def test_attention_equals_flax_dot_product_attention_with_padding_mask():
  q, k, v = _random(0, (2, 6, 3, 8)), _random(1, (2, 6, 3, 8)), _random(2, (2, 6, 3, 8))
  valid = jnp.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)
  mask = valid[:, None, None, :]
  ours = transformer.attention(q, k, v, mask)
  np.testing.assert_allclose(ours, nn.dot_product_attention(q, k, v, mask=mask), atol=1e-5)
  # A padded key gets no weight: changing its value leaves the output unchanged.
  v_changed = v.at[0, 4:].set(100.0)
  np.testing.assert_allclose(transformer.attention(q, k, v_changed, mask)[0], ours[0], atol=1e-5)


def test_sinusoidal_positions_hand_values():
  pe = transformer.sinusoidal_positions(3, 4)
  t = np.arange(3)[:, None]
  expected = np.concatenate([np.sin(t / 1.0), np.cos(t / 1.0), np.sin(t / 100.0), np.cos(t / 100.0)], 1)
  np.testing.assert_allclose(pe, expected[:, [0, 1, 2, 3]], atol=1e-6)


@pytest.mark.slow
def test_padding_does_not_change_a_token_sequence_score():
  model = get_model("transformer", 2, positions="sinusoidal", pool="mean", d_model=16,
                    num_heads=2, mlp_dim=32)
  short = jnp.array([[5, 7, 9, 11]])
  padded = jnp.array([[5, 7, 9, 11, 0, 0, 0]])
  params = model.init(jax.random.PRNGKey(0), short)
  np.testing.assert_allclose(model.apply(params, short), model.apply(params, padded), atol=1e-5)


@pytest.mark.slow
def test_trailing_pads_do_not_change_an_rnn_score():
  """readout='last', both directions: pads (id 0) carry the (c, h) state through unchanged, so
  the forward readout is the state after the last real token and the backward one starts there."""
  model = get_model("rnn", 3, cell="lstm", hidden_size=4, bidirectional=True, readout="last",
                    embed_dim=5)
  short = jnp.array([[5, 7, 9, 11], [3, 0, 0, 0]])
  params = jax.jit(model.init)(jax.random.PRNGKey(0), short)
  apply = jax.jit(model.apply)
  np.testing.assert_allclose(apply(params, jnp.pad(short, ((0, 0), (0, 3)))),
                             apply(params, short), rtol=1e-6, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("name, shape, kwargs, tokens", [
    ("rnn", (40, 1), {"cell": "gru", "hidden_size": 6, "bidirectional": True, "readout": "all"}, 40 * 12),
    ("rnn", (8, 8, 1), {"cell": "lstm", "hidden_size": 16, "bidirectional": False, "readout": "last"}, 16),
    ("transformer", (8, 8, 1), {"patch_size": 4, "d_model": 16, "num_heads": 2}, None),
    ("transformer", (40, 1), {"patch_size": 8, "patch_stride": 2, "d_model": 16, "num_heads": 2}, None),
])
def test_sequence_model_shapes(name, shape, kwargs, tokens):
  model = get_model(name, 10, **kwargs)
  params = model.init(jax.random.PRNGKey(0), jnp.zeros((1, *shape)))
  assert model.apply(params, jnp.ones((3, *shape))).shape == (3, 10)
  if tokens is not None:  # readout width: all steps x directions x hidden, or the last h
    assert params["Dense_0"]["kernel"].shape == (tokens, 10)


@pytest.mark.slow
def test_transformer_token_counts():
  image = transformer.Transformer(10, patch_size=4, d_model=8, num_heads=2)
  params = image.init(jax.random.PRNGKey(0), jnp.zeros((1, 8, 8, 1)))
  assert params["params"]["positions"].shape == (4, 8)  # 8x8 digits -> 4 patches of 4x4
  signal = transformer.Transformer(10, patch_size=8, patch_stride=2, d_model=8, num_heads=2)
  params = signal.init(jax.random.PRNGKey(0), jnp.zeros((1, 40, 1)))
  assert params["params"]["positions"].shape == (17, 8)  # windows start at 0, 2, ..., 32


def test_byte_tokens():
  np.testing.assert_array_equal(data.byte_tokens(["ab", "é"], 3), [[98, 99, 0], [196, 170, 0]])
