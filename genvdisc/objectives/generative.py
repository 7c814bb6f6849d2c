"""Generative objectives, written out as formulas. Every function is per example unless stated.

Notation: x an example (flattened to D values), z a latent in R^L, q(z|x) = N(mu, diag(exp(logvar)))
the encoder, p(z) = N(0, I) the prior, p(x|z) the decoder. GAN discriminator outputs are logits
l = log D / (1 - D), so log D = -softplus(-l) and log(1 - D) = -softplus(l).
M2 (Kingma et al. 2014): y a class of K, q(y|x) the classifier, q(z|x,y) the encoder, p(x|y,z)
the decoder, p(y) = 1/K, p(z) = N(0, I).
"""

import math

import jax
import jax.numpy as jnp

# A Python float (not a jnp value): importing genvdisc must not start the XLA backend, which
# jax.distributed.initialize needs to come first. It rounds to the same float32 in use.
LOG_2PI = math.log(2.0 * math.pi)


def sum_event(values: jax.Array) -> jax.Array:
  """Sums every axis but the first (the batch): [B, ...] -> [B]."""
  return values.reshape(values.shape[0], -1).sum(-1)


def gaussian_kl_to_standard(mean: jax.Array, logvar: jax.Array) -> jax.Array:
  """KL(N(mu, diag(s^2)) || N(0, I)) = 1/2 sum_j (mu_j^2 + s_j^2 - 1 - log s_j^2), s^2 = exp(logvar).

  [B, L] -> [B].
  """
  return 0.5 * jnp.sum(mean ** 2 + jnp.exp(logvar) - 1.0 - logvar, axis=-1)


def bernoulli_log_likelihood(logits: jax.Array, x: jax.Array) -> jax.Array:
  """log p(x|z) = sum_d x_d log sigma(l_d) + (1 - x_d) log(1 - sigma(l_d)) = sum_d x_d l_d - softplus(l_d).

  logits l, x in [0, 1] with the same shape [B, ...] -> [B].
  """
  return sum_event(x * logits - jax.nn.softplus(logits))


def gaussian_log_likelihood(x: jax.Array, mean: jax.Array, logvar: jax.Array) -> jax.Array:
  """log N(x; mu, diag(exp(logvar))) = -1/2 sum_d [log 2 pi + logvar_d + (x_d - mu_d)^2 exp(-logvar_d)].

  [B, ...] -> [B]; logvar broadcasts against x.
  """
  logvar = jnp.broadcast_to(logvar, x.shape)
  return -0.5 * sum_event(LOG_2PI + logvar + (x - mean) ** 2 * jnp.exp(-logvar))


def categorical_log_likelihood(logits: jax.Array, levels: jax.Array) -> jax.Array:
  """log p(x|z) = sum_d log softmax(l_d)[k_d]: one K-way categorical per value, x_d = k_d / (K - 1).

  logits l [B, ..., K], level indices k int [B, ...] -> [B]. Zero logits give -D log K.
  """
  log_p = jax.nn.log_softmax(logits, axis=-1)
  return sum_event(jnp.take_along_axis(log_p, levels[..., None], axis=-1)[..., 0])


def discretized_logistic_log_mass(x: jax.Array, mean: jax.Array, log_scale: jax.Array,
                                  num_levels: int) -> jax.Array:
  """log P(x) of each value x at K = num_levels levels -1 + 2k/(K - 1) on [-1, 1]: a logistic
  (mean mu, scale s = exp(log_scale)) integrated over the bin of width 2/(K - 1) centred on x,
  the two outer bins open (Salimans et al. 2017, PixelCNN++ eq. 2):

    P(x) = sigma(a) - sigma(b),  a = (x + 1/(K - 1) - mu) / s,  b = (x - 1/(K - 1) - mu) / s,
    with sigma(b) := 0 at x = -1 and sigma(a) := 1 at x = 1,

  computed as log sigma(a) + log(1 - sigma(b)) + log(1 - e^(b - a)), an identity
  (sigma(a) - sigma(b) = sigma(a) (1 - sigma(b)) (1 - e^(b - a))) that never subtracts two
  probabilities. Elementwise; the K probabilities of a value sum to 1.
  """
  half_bin = 1.0 / (num_levels - 1)
  inv_scale = jnp.exp(-log_scale)
  a, b = (x + half_bin - mean) * inv_scale, (x - half_bin - mean) * inv_scale
  log_cdf_a, log_survival_b = -jax.nn.softplus(-a), -jax.nn.softplus(b)
  inner = log_cdf_a + log_survival_b + jnp.log(-jnp.expm1(b - a))
  return jnp.where(x < -1.0 + half_bin, log_cdf_a,
                   jnp.where(x > 1.0 - half_bin, log_survival_b, inner))


def discretized_logistic_log_likelihood(x: jax.Array, mean: jax.Array, log_scale: jax.Array,
                                        num_levels: int) -> jax.Array:
  """log p(x|z) = sum_d log P(x_d), P of `discretized_logistic_log_mass`. [B, ...] -> [B]."""
  return sum_event(discretized_logistic_log_mass(x, mean, log_scale, num_levels))


def dequantized_log_likelihood_bound(log_density: jax.Array, bin_width: float,
                                     num_dims: int) -> jax.Array:
  """log P(k) >= E_u[log p(y)] + D log w, y = x_k + (u - 1/2) w, u ~ U[0, 1)^D (Theis et al. 2016).

  P(k) = int over the cube of side w centred on x_k of p(y) dy = w^D E_u[p(y)], and Jensen
  (log E >= E log) gives the bound; with one y per example, log_density = log p(y) [B] -> [B]
  is an unbiased estimate of it. A continuous density p on data at levels w apart thereby
  scores as a discrete model, in nats (bits/dim: divide the negation by D ln 2).
  """
  return log_density + num_dims * math.log(bin_width)


def elbo(log_px_given_z: jax.Array, kl: jax.Array, beta: float = 1.0) -> jax.Array:
  """ELBO_beta = E_q[log p(x|z)] - beta KL(q(z|x) || p(z)), one reparameterised sample of z.

  beta = 1 is the VAE's evidence lower bound (Kingma & Welling 2014); beta != 1 is the
  beta-VAE objective (Higgins et al. 2017), a bound on log p(x) only for beta >= 1.
  """
  return log_px_given_z - beta * kl


def importance_weighted_bound(log_weights: jax.Array) -> jax.Array:
  """L_k = log (1/k) sum_i w_i = logsumexp_i(log w_i) - log k, w_i = p(x, z_i) / q(z_i|x).

  log_weights [k, B] -> [B]. For z_i ~ q(z|x) i.i.d., E[L_k] <= log p(x) and L_k -> log p(x)
  as k grows; k = 1 is the ELBO. IWAE (Burda et al. 2015) maximises it; with k = 5000 it is
  their test log-likelihood estimate.
  """
  k = log_weights.shape[0]
  return jax.nn.logsumexp(log_weights, axis=0) - jnp.log(k)


def gan_discriminator_loss(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """-[log D(x) + log(1 - D(G(z)))] = softplus(-l_real) + softplus(l_fake), per pair.

  Goodfellow et al. (2014): D maximises V(D, G) = E_x log D(x) + E_z log(1 - D(G(z))).
  """
  return jax.nn.softplus(-real_logits) + jax.nn.softplus(fake_logits)


def gan_generator_loss_minimax(fake_logits: jax.Array) -> jax.Array:
  """log(1 - D(G(z))) = -softplus(l_fake): G minimises V(D, G) directly (saturates when D wins)."""
  return -jax.nn.softplus(fake_logits)


def gan_generator_loss_nonsaturating(fake_logits: jax.Array) -> jax.Array:
  """-log D(G(z)) = softplus(-l_fake): the non-saturating generator loss (Goodfellow et al. 2014)."""
  return jax.nn.softplus(-fake_logits)


GENERATOR_LOSSES = {
    "minimax": gan_generator_loss_minimax,
    "nonsaturating": gan_generator_loss_nonsaturating,
}


def feature_reconstruction_loss(real_features: jax.Array, recon_features: jax.Array) -> jax.Array:
  """-log N(Dis_l(x); Dis_l(x~), I) + const = 1/2 sum_f (Dis_l(x)_f - Dis_l(x~)_f)^2.

  Larsen et al. (2016)'s learned similarity: the reconstruction x~ = Dec(z), z ~ q(z|x), is
  compared with x in the discriminator's hidden-layer features. [B, F] -> [B].
  """
  return 0.5 * sum_event((real_features - recon_features) ** 2)


def vaegan_loss(gan_generator_term: jax.Array, kl: jax.Array, reconstruction: jax.Array,
                alpha: float, beta: float) -> jax.Array:
  """VAE-GAN loss of encoder + decoder: alpha L_GAN + beta L_KL + L_rec (Larsen et al. 2016).

  L_GAN: the decoder's generator loss on samples and reconstructions; L_KL =
  KL(q(z|x) || N(0, I)); L_rec: the reconstruction term (feature or pixel space). The
  discriminator is trained separately with `gan_discriminator_loss`.
  """
  return alpha * gan_generator_term + beta * kl + reconstruction


def m2_labelled_bound(log_px_given_yz: jax.Array, log_py: jax.Array, kl: jax.Array) -> jax.Array:
  """-L(x, y) = E_q(z|x,y)[log p(x|y,z) + log p(y) + log p(z) - log q(z|x,y)]
             = E_q[log p(x|y,z)] + log p(y) - KL(q(z|x,y) || p(z))  (KL in closed form).

  Kingma et al. (2014), eq. 6; a lower bound on log p(x, y). Per example, [B] -> [B].
  """
  return log_px_given_yz + log_py - kl


def m2_unlabelled_bound(bound_per_class: jax.Array, class_logits: jax.Array) -> jax.Array:
  """-U(x) = sum_y q(y|x) (-L(x, y)) + H(q(y|x)), a lower bound on log p(x) (Kingma et al. eq. 7).

  bound_per_class [B, K]: -L(x, y) for every class y; class_logits [B, K] of q(y|x). -> [B].
  """
  log_q = jax.nn.log_softmax(class_logits, axis=-1)
  q = jnp.exp(log_q)
  return jnp.sum(q * (bound_per_class - log_q), axis=-1)


def m2_loss(labelled_bound: jax.Array, unlabelled_bound: jax.Array,
            labelled_class_log_prob: jax.Array, labelled_fraction: float,
            classifier_weight: float) -> jax.Array:
  """J^alpha / N, the M2 objective per training example that Kingma et al. minimise (eq. 9):

    J^alpha = sum_{labelled} L(x, y) + sum_{unlabelled} U(x) + alpha E_labelled[-log q(y|x)]

  where -L(x, y) <= log p(x, y) and -U(x) <= log p(x) are the bounds of eqs. 6-7 (the arguments
  here are those bounds, -L and -U, and log q(y|x)), with all N training images in the unlabelled sum (their labels unused there) and N_l labelled
  ones, estimated from batch means: labelled_fraction = N_l / N, classifier_weight = alpha / N
  (the paper's alpha = 0.1 N gives 0.1).
  """
  return -(labelled_fraction * jnp.mean(labelled_bound) + jnp.mean(unlabelled_bound)
           + classifier_weight * jnp.mean(labelled_class_log_prob))
