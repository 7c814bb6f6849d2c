"""Recurrent classifiers: LSTM and GRU cells with every gate written out, unrolled with lax.scan.

Inputs are `[batch, time, features]`; images `[batch, height, width, channels]` are read row by
row (time = height, features = width * channels), so digits is 8 steps of 8 pixels and MNIST
28 steps of 28; byte tokens `[batch, time]` (`tfds:imdb_reviews`, 0 = padding) are embedded
first, and a pad token leaves the state as it was (`Recurrent`'s mask), so trailing pads change
no readout. Gate order and equations follow PyTorch's `nn.LSTM` / `nn.GRU` (and flax's
`LSTMCell` / `GRUCell`), which the tests check parameter for parameter.
"""

from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp


def lstm_step(p: dict, carry: tuple, x: jax.Array) -> tuple:
  """One LSTM step; p['w_x'] [F, 4H], p['w_h'] [H, 4H], p['b'] [4H], gates in order i, f, g, o.

    i = σ(W_xi x + W_hi h + b_i)     input gate
    f = σ(W_xf x + W_hf h + b_f)     forget gate
    g = tanh(W_xg x + W_hg h + b_g)  candidate cell
    o = σ(W_xo x + W_ho h + b_o)     output gate
    c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
  """
  c, h = carry
  i, f, g, o = jnp.split(x @ p["w_x"] + h @ p["w_h"] + p["b"], 4, axis=-1)
  c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
  h = jax.nn.sigmoid(o) * jnp.tanh(c)
  return c, h


def gru_step(p: dict, carry: tuple, x: jax.Array) -> tuple:
  """One GRU step; p['w_x'] [F, 3H], p['b_x'] [3H], p['w_h'] [H, 3H], p['b_h'] [3H], gates r, z, n.

    r = σ(W_xr x + b_xr + W_hr h + b_hr)        reset gate
    z = σ(W_xz x + b_xz + W_hz h + b_hz)        update gate
    n = tanh(W_xn x + b_xn + r ⊙ (W_hn h + b_hn)) candidate
    h' = (1 - z) ⊙ n + z ⊙ h
  """
  (h,) = carry
  xr, xz, xn = jnp.split(x @ p["w_x"] + p["b_x"], 3, axis=-1)
  hr, hz, hn = jnp.split(h @ p["w_h"] + p["b_h"], 3, axis=-1)
  r = jax.nn.sigmoid(xr + hr)
  z = jax.nn.sigmoid(xz + hz)
  n = jnp.tanh(xn + r * hn)
  return ((1.0 - z) * n + z * h,)


class Recurrent(nn.Module):
  """Runs one cell over `[batch, time, features]`; returns every step's h, `[batch, time, hidden]`.

  mask `[batch, time]` (True at real steps): at a masked step the carry passes through
  unchanged, state_t = mask_t ? step(state_{t-1}, x_t) : state_{t-1}, in either direction.
  """
  cell: str
  hidden_size: int
  reverse: bool = False

  @nn.compact
  def __call__(self, xs: jax.Array, mask: jax.Array | None = None) -> jax.Array:
    features, hidden = xs.shape[-1], self.hidden_size
    gates = {"lstm": 4, "gru": 3}[self.cell]
    init_w, zeros = nn.initializers.lecun_normal(), nn.initializers.zeros
    p = {"w_x": self.param("w_x", init_w, (features, gates * hidden)),
         "w_h": self.param("w_h", nn.initializers.orthogonal(), (hidden, gates * hidden))}
    if self.cell == "lstm":
      p["b"] = self.param("b", zeros, (gates * hidden,))
      step: Callable = lstm_step
      carry = (jnp.zeros((xs.shape[0], hidden), xs.dtype),) * 2
    else:
      p["b_x"] = self.param("b_x", zeros, (gates * hidden,))
      p["b_h"] = self.param("b_h", zeros, (gates * hidden,))
      step = gru_step
      carry = (jnp.zeros((xs.shape[0], hidden), xs.dtype),)

    def scan_step(carry, inputs):
      x, real = inputs                     # real: None without a mask
      new = step(p, carry, x)
      carry = new if real is None else tuple(jnp.where(real[:, None], a, b)
                                             for a, b in zip(new, carry))
      return carry, carry[-1]  # the last carry entry is h

    time_major = lambda a: None if a is None else jnp.swapaxes(a, 0, 1)
    _, hs = jax.lax.scan(scan_step, carry, (time_major(xs), time_major(mask)), reverse=self.reverse)
    return jnp.swapaxes(hs, 0, 1)


class RNNClassifier(nn.Module):
  """(Bi)directional LSTM/GRU, then Dense(num_classes) on the last step's h or on all steps' h.

  readout='last': the forward direction's final h (and the backward direction's h at step 0);
  with tokens, pads (id 0) are skipped, so that is the state after the last real token.
  readout='all': every step's h flattened, as in the MNIST-1D paper's GRU (bidirectional,
  hidden 6).
  """
  num_classes: int
  cell: str = "gru"
  hidden_size: int = 6
  bidirectional: bool = True
  readout: str = "all"
  vocab_size: int = 257       # token inputs only: byte tokens 1..256, 0 = padding
  embed_dim: int = 32         # token inputs only: size of a token's embedding

  def __post_init__(self):
    if self.cell not in ("lstm", "gru") or self.readout not in ("last", "all"):
      raise TypeError(f"cell must be 'lstm' or 'gru' and readout 'last' or 'all', got "
                      f"cell={self.cell!r}, readout={self.readout!r}")
    super().__post_init__()

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    mask = None
    if jnp.issubdtype(x.dtype, jnp.integer):
      xs, mask = nn.Embed(self.vocab_size, self.embed_dim, name="embed")(x), x != 0
    else:
      xs = x.reshape(x.shape[0], x.shape[1], -1)  # images: rows are steps
    directions = [Recurrent(self.cell, self.hidden_size, name="forward")(xs, mask)]
    if self.bidirectional:
      directions.append(
          Recurrent(self.cell, self.hidden_size, reverse=True, name="backward")(xs, mask))
    if self.readout == "last":
      features = jnp.concatenate([directions[0][:, -1]] + [d[:, 0] for d in directions[1:]], -1)
    else:
      features = jnp.concatenate(directions, axis=-1).reshape(xs.shape[0], -1)
    return nn.Dense(self.num_classes)(features)
