"""A causal, decoder-only Transformer over token sequences (Image GPT, Chen et al. 2020, small).

p(x) = prod_t p(x_t | x_<t) (or p(x_t | x_<t, y)): position t's input is a start embedding (the
label's embedding for a class-conditional model) at t = 0 and the embedding of x_{t-1} after
it, plus a learned position; `num_layers` pre-LayerNorm blocks run under a causal mask, so
position t sees only x_<t; a final LayerNorm gives the hidden states h_t and Dense(vocab_size)
the logits l_t of x_t.

`__call__` computes all T positions in one pass (teacher forcing); `decode` computes one
position from a cache of the earlier positions' keys and values, so drawing a sequence costs T
one-position steps instead of T full passes (same logits to float rounding, tested).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from genvdisc.models.transformer import attention


def causal_mask(length: int) -> jax.Array:
  """M[q, k] = (k <= q): bool [length, length], True where query q may attend to key k."""
  return jnp.tril(jnp.ones((length, length), bool))


class CausalBlock(nn.Module):
  """y = x + MHSA(LN(x)), out = y + MLP(LN(y)), MLP = Dense(mlp_dim) -> GELU -> Dense(d) (as
  `transformer.EncoderBlock`), the attention `transformer.attention` under a causal mask.

  Full pass: x [B, T, D], position None. One position: x [B, 1, D] is position `position`, its
  key and value are written into `cache` = (keys, values), each [B, T, H, d] (every position;
  those after `position` are ignored), and it attends to the positions <= `position`.
  Returns (out shaped like x, (keys, values) including this call's).
  """
  num_heads: int
  mlp_dim: int

  @nn.compact
  def __call__(self, x, cache=None, position=None):
    d_model = x.shape[-1]
    h = nn.LayerNorm()(x)
    q, k, v = (nn.DenseGeneral((self.num_heads, d_model // self.num_heads), name=n)(h)
               for n in ("query", "key", "value"))
    if position is None:
      mask = causal_mask(x.shape[1])
    else:
      k, v = (jax.lax.dynamic_update_slice_in_dim(c, new, position, axis=1)
              for c, new in zip(cache, (k, v)))
      mask = jnp.arange(k.shape[1]) <= position
    x = x + nn.DenseGeneral(d_model, axis=(-2, -1), name="out")(attention(q, k, v, mask))
    x = x + nn.Dense(d_model)(nn.gelu(nn.Dense(self.mlp_dim)(nn.LayerNorm()(x))))
    return x, (k, v)


class AutoregressiveTransformer(nn.Module):
  """tokens int [B, T] (and labels int [B] when num_classes > 0) -> logits [B, T, vocab_size],
  or with hidden=True the final-LayerNorm hidden states [B, T, d_model] (features)."""
  vocab_size: int
  length: int           # T, tokens per sequence
  num_classes: int = 0  # > 0: class-conditional (the start token is the label's embedding)
  d_model: int = 64
  num_heads: int = 4
  num_layers: int = 2
  mlp_dim: int = 128

  def __post_init__(self):
    if self.d_model % self.num_heads:
      raise TypeError(f"d_model={self.d_model} is not divisible by num_heads={self.num_heads}")
    super().__post_init__()

  def setup(self):
    init = nn.initializers.normal(0.02)
    self.embed = nn.Embed(self.vocab_size, self.d_model)
    if self.num_classes:
      self.label_embed = nn.Embed(self.num_classes, self.d_model)
    else:
      self.start = self.param("start", init, (self.d_model,))
    self.positions = self.param("positions", init, (self.length, self.d_model))
    self.blocks = [CausalBlock(self.num_heads, self.mlp_dim) for _ in range(self.num_layers)]
    self.norm = nn.LayerNorm()
    self.head = nn.Dense(self.vocab_size)

  def start_embedding(self, labels, batch: int) -> jax.Array:
    """[batch, d_model]: the labels' embeddings (conditional) or the learned start vector."""
    if (labels is not None) != (self.num_classes > 0):
      raise ValueError(f"labels are needed exactly when num_classes > 0 (num_classes="
                       f"{self.num_classes}, labels given: {labels is not None})")
    if self.num_classes:
      return self.label_embed(labels)
    return jnp.broadcast_to(self.start, (batch, self.d_model))

  def __call__(self, tokens, labels=None, hidden: bool = False):
    start = self.start_embedding(labels, tokens.shape[0])[:, None]
    h = jnp.concatenate([start, self.embed(tokens[:, :-1])], axis=1) + self.positions
    for block in self.blocks:
      h, _ = block(h)
    h = self.norm(h)
    return h if hidden else self.head(h)

  def empty_cache(self, batch: int) -> tuple:
    """`decode`'s cache before position 0: per layer (keys, values), zeros [batch, T, num_heads,
    d_model / num_heads] each."""
    zeros = jnp.zeros((batch, self.length, self.num_heads, self.d_model // self.num_heads))
    return tuple((zeros, zeros) for _ in range(self.num_layers))

  def decode(self, previous, position, cache, labels=None):
    """(logits [B, vocab_size] of x_position, updated cache): previous [B] is x_{position-1}
    (unused at position 0), cache holds the keys and values of the positions before."""
    start = self.start_embedding(labels, previous.shape[0])
    h = jnp.where(position == 0, start, self.embed(previous)) + self.positions[position]
    h = h[:, None]
    layers = []
    for block, layer_cache in zip(self.blocks, cache):
      h, layer_cache = block(h, layer_cache, position)
      layers.append(layer_cache)
    return self.head(self.norm(h[:, 0])), tuple(layers)


class AutoregressiveClassifier(nn.Module):
  """tokens int [B, T] -> class scores [B, num_classes]: the unconditional `backbone`'s
  final-LayerNorm hidden states averaged over the T positions (the autoregressive task's
  `encode`), then Dense(num_classes) (`head`).

  params = {'backbone': the AutoregressiveTransformer's params but its logits layer (`head`,
  never called here), 'head': ...}, so a trained autoregressive model's params, cut by
  `backbone_params`, are a valid 'backbone'.
  """
  backbone: AutoregressiveTransformer
  num_classes: int

  @nn.compact
  def __call__(self, tokens):
    features = self.backbone(tokens, hidden=True).mean(axis=1)
    return nn.Dense(self.num_classes, name="head")(features)


def autoregressive_classifier(num_classes: int, **transformer_fields) -> AutoregressiveClassifier:
  """The classifier of `num_classes` over AutoregressiveTransformer(**transformer_fields):
  vocab_size and length from the data, the sizes from config.model_kwargs."""
  return AutoregressiveClassifier(AutoregressiveTransformer(**transformer_fields), num_classes)


def backbone_params(params: dict) -> dict:
  """An AutoregressiveTransformer's params without its logits layer: AutoregressiveClassifier's
  'backbone'."""
  return {name: value for name, value in params.items() if name != "head"}
