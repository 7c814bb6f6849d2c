"""Generative objectives against values computed by hand."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from genvdisc import objectives

LOG2 = math.log(2.0)


def test_gaussian_kl_to_standard():
  # 1/2 [(1 + 1 - 1 - 0) + (0 + 2 - 1 - log 2)] = 1 - log(2) / 2
  kl = objectives.gaussian_kl_to_standard(jnp.array([[1.0, 0.0]]), jnp.array([[0.0, LOG2]]))
  np.testing.assert_allclose(kl, [1.0 - LOG2 / 2], rtol=1e-6)
  np.testing.assert_allclose(objectives.gaussian_kl_to_standard(jnp.zeros((3, 4)), jnp.zeros((3, 4))),
                             0.0)


def test_bernoulli_log_likelihood():
  # log sigma(0) + log(1 - sigma(log 3)) = log(1/2) + log(1/4) = -3 log 2
  logits = jnp.array([[[0.0], [math.log(3.0)]]])  # [1, 2, 1]
  x = jnp.array([[[1.0], [0.0]]])
  np.testing.assert_allclose(objectives.bernoulli_log_likelihood(logits, x), [-3 * LOG2], rtol=1e-6)


def test_gaussian_log_likelihood():
  # log N(1; 0, 1) + log N(2; 2, e) = -1/2 (log 2 pi + 1) - 1/2 (log 2 pi + 1)
  x, mean, logvar = jnp.array([[1.0, 2.0]]), jnp.array([[0.0, 2.0]]), jnp.array([[0.0, 1.0]])
  np.testing.assert_allclose(objectives.gaussian_log_likelihood(x, mean, logvar),
                             [-(math.log(2 * math.pi) + 1.0)], rtol=1e-6)


def test_elbo_and_importance_weighted_bound():
  np.testing.assert_allclose(objectives.elbo(jnp.array([5.0]), jnp.array([3.0]), beta=2.0), [-1.0])
  # weights 1 and 3 for example 0: log((1 + 3) / 2) = log 2; equal weights give that weight.
  log_w = jnp.log(jnp.array([[1.0, 7.0], [3.0, 7.0]]))  # [k=2, B=2]
  np.testing.assert_allclose(objectives.importance_weighted_bound(log_w), [LOG2, math.log(7.0)],
                             rtol=1e-6)
  # k = 1 is the ELBO itself.
  np.testing.assert_allclose(objectives.importance_weighted_bound(jnp.array([[-4.0]])), [-4.0])


@pytest.mark.parametrize("fake_logit, d_loss, minimax, nonsaturating", [
    (0.0, 2 * LOG2, -LOG2, LOG2),
    # D(G(z)) = 3/4: D loss -log(1/2) - log(1/4); G: log(1/4) and -log(3/4)
    (math.log(3.0), LOG2 + math.log(4.0), -math.log(4.0), -math.log(0.75)),
])
def test_gan_losses(fake_logit, d_loss, minimax, nonsaturating):
  real, fake = jnp.array([0.0]), jnp.array([fake_logit])
  np.testing.assert_allclose(objectives.gan_discriminator_loss(real, fake), [d_loss], rtol=1e-6)
  np.testing.assert_allclose(objectives.gan_generator_loss_minimax(fake), [minimax], rtol=1e-6)
  np.testing.assert_allclose(objectives.gan_generator_loss_nonsaturating(fake), [nonsaturating],
                             rtol=1e-6)


def test_vaegan_terms():
  np.testing.assert_allclose(
      objectives.feature_reconstruction_loss(jnp.array([[1.0, 2.0]]), jnp.zeros((1, 2))), [2.5])
  # alpha L_GAN + beta KL + L_rec = 2 * 1 + 3 * 2 + 4
  np.testing.assert_allclose(objectives.vaegan_loss(jnp.array([1.0]), jnp.array([2.0]),
                                                    jnp.array([4.0]), alpha=2.0, beta=3.0), [12.0])
