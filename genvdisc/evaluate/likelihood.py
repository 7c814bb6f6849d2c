"""Importance-weighted estimate of log p(x) (Burda et al. 2015), batched over samples."""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp


def importance_weighted_log_likelihood(log_weights: Callable[[jax.Array, int], jax.Array],
                                       key: jax.Array, num_samples: int, chunk_size: int
                                       ) -> jax.Array:
  """log p(x) ~= log (1/k) sum_i p(x, z_i) / q(z_i|x) = logsumexp_i(log w_i) - log k, z_i ~ q(z|x).

  `log_weights(key, c) -> [c, B]` draws c samples z ~ q(z|x) for each of B examples and returns
  log p(x, z) - log q(z|x). The k = num_samples samples are drawn in a `lax.scan` over
  ceil(k / chunk_size) chunks (chunk i with fold_in(key, i)), so memory is that of one chunk;
  each chunk is reduced to its logsumexp and the chunks are combined exactly. Returns [B].
  """
  chunk_size = min(chunk_size, num_samples)
  if num_samples % chunk_size:
    raise ValueError(f"num_samples={num_samples} is not a multiple of chunk_size={chunk_size}")
  num_chunks = num_samples // chunk_size

  def chunk(_, i):
    return None, jax.nn.logsumexp(log_weights(jax.random.fold_in(key, i), chunk_size), axis=0)

  _, per_chunk = jax.lax.scan(chunk, None, jnp.arange(num_chunks))  # [num_chunks, B]
  return jax.nn.logsumexp(per_chunk, axis=0) - jnp.log(num_samples)
