"""Transformer encoder classifier with the attention written out.

Inputs become tokens by their kind: integer tokens `[batch, time]` (0 = padding) are embedded;
sequences `[batch, time, features]` are cut into windows of `patch_size` steps every
`patch_stride` steps (default: non-overlapping) and projected;
images `[batch, height, width, channels]` into `patch_size` x `patch_size` patches (ViT) and
projected. Then positions (sinusoidal or learned), `num_layers` pre-LayerNorm blocks, a final
LayerNorm and a [CLS]-token or masked-mean readout.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def attention(q: jax.Array, k: jax.Array, v: jax.Array, mask: jax.Array | None = None) -> jax.Array:
  """softmax(Q Kᵀ / √d + M) V per head; q [B, Tq, H, d], k and v [B, Tk, H, d] -> [B, Tq, H, d].

  mask: bool, broadcastable to [B, H, Tq, Tk], True where a query may attend; M is 0 there and
  the most negative float elsewhere.
  """
  scores = jnp.einsum("bqhd,bkhd->bhqk", q, k) / jnp.sqrt(jnp.asarray(q.shape[-1], q.dtype))
  if mask is not None:
    scores = jnp.where(mask, scores, jnp.finfo(scores.dtype).min)
  scores = scores - jax.lax.stop_gradient(scores.max(axis=-1, keepdims=True))
  weights = jnp.exp(scores) / jnp.sum(jnp.exp(scores), axis=-1, keepdims=True)
  return jnp.einsum("bhqk,bkhd->bqhd", weights, v)


def sinusoidal_positions(length: int, dim: int) -> jax.Array:
  """PE[t, 2i] = sin(t / 10000^(2i/d)), PE[t, 2i+1] = cos(t / 10000^(2i/d)); shape [length, dim]."""
  t = jnp.arange(length)[:, None]
  freq = 1.0 / 10000 ** (jnp.arange(0, dim, 2) / dim)
  pe = jnp.zeros((length, dim))
  pe = pe.at[:, 0::2].set(jnp.sin(t * freq))
  return pe.at[:, 1::2].set(jnp.cos(t * freq[: dim // 2]))


class MultiHeadSelfAttention(nn.Module):
  num_heads: int

  @nn.compact
  def __call__(self, x: jax.Array, mask: jax.Array | None) -> jax.Array:
    d_model = x.shape[-1]
    head_dim = d_model // self.num_heads
    q, k, v = (nn.DenseGeneral((self.num_heads, head_dim), name=n)(x) for n in ("query", "key", "value"))
    return nn.DenseGeneral(d_model, axis=(-2, -1), name="out")(attention(q, k, v, mask))


class EncoderBlock(nn.Module):
  """Pre-LN: x + MHSA(LN(x)), then x + MLP(LN(x)) with MLP = Dense(mlp_dim) -> GELU -> Dense(d)."""
  num_heads: int
  mlp_dim: int

  @nn.compact
  def __call__(self, x: jax.Array, mask: jax.Array | None) -> jax.Array:
    x = x + MultiHeadSelfAttention(self.num_heads)(nn.LayerNorm()(x), mask)
    h = nn.gelu(nn.Dense(self.mlp_dim)(nn.LayerNorm()(x)))
    return x + nn.Dense(x.shape[-1])(h)


class Transformer(nn.Module):
  """Encoder-only Transformer classifier (see the module docstring)."""
  num_classes: int
  d_model: int = 64
  num_heads: int = 4
  num_layers: int = 2
  mlp_dim: int = 128
  patch_size: int = 1
  patch_stride: int = 0       # sequences only; 0 = patch_size (non-overlapping windows)
  positions: str = "learned"  # learned | sinusoidal
  pool: str = "cls"           # cls | mean
  vocab_size: int = 257       # byte tokens 1..256, 0 = padding

  def __post_init__(self):
    if self.positions not in ("learned", "sinusoidal") or self.pool not in ("cls", "mean"):
      raise TypeError(f"positions must be 'learned' or 'sinusoidal' and pool 'cls' or 'mean', got "
                      f"positions={self.positions!r}, pool={self.pool!r}")
    if self.d_model % self.num_heads:
      raise TypeError(f"d_model={self.d_model} is not divisible by num_heads={self.num_heads}")
    super().__post_init__()

  def tokens(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """[batch, tokens, d_model] embeddings and the [batch, tokens] mask of real (non-pad) tokens."""
    p = self.patch_size
    if jnp.issubdtype(x.dtype, jnp.integer):
      return nn.Embed(self.vocab_size, self.d_model, name="embed")(x), x != 0
    if x.ndim == 4:  # image -> p x p patches
      b, h, w, c = x.shape
      x = x.reshape(b, h // p, p, w // p, p, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, -1, p * p * c)
    else:  # sequence -> windows of p steps every `stride` steps (a gather, not a conv op)
      stride = self.patch_stride or p
      starts = jnp.arange(0, x.shape[1] - p + 1, stride)
      x = x[:, starts[:, None] + jnp.arange(p)].reshape(x.shape[0], len(starts), -1)
    return nn.Dense(self.d_model, name="embed")(x), jnp.ones(x.shape[:2], bool)

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    h, valid = self.tokens(x)
    batch, length = valid.shape
    if self.positions == "learned":
      h = h + self.param("positions", nn.initializers.normal(0.02), (length, self.d_model))
    else:
      h = h + sinusoidal_positions(length, self.d_model)
    if self.pool == "cls":
      cls = self.param("cls", nn.initializers.zeros, (1, 1, self.d_model))
      h = jnp.concatenate([jnp.broadcast_to(cls, (batch, 1, self.d_model)), h], axis=1)
      valid = jnp.concatenate([jnp.ones((batch, 1), bool), valid], axis=1)
    mask = valid[:, None, None, :]  # keys that may be attended to
    for _ in range(self.num_layers):
      h = EncoderBlock(self.num_heads, self.mlp_dim)(h, mask)
    h = nn.LayerNorm()(h)
    if self.pool == "cls":
      pooled = h[:, 0]
    else:
      weights = valid[..., None].astype(h.dtype)
      pooled = jnp.sum(h * weights, axis=1) / jnp.maximum(jnp.sum(weights, axis=1), 1.0)
    return nn.Dense(self.num_classes)(pooled)
