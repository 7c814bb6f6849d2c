"""DDPM (Ho et al. 2020), written out as formulas. Equation numbers are Ho et al.'s unless stated.

Notation: T steps, t in 1..T, beta_t the noise schedule, alpha_t = 1 - beta_t, abar_t = prod_{s<=t}
alpha_s. Data x_0 lie in [-1, 1] (at K levels -1 + 2k/(K-1) for discrete data). eps_fn(x_t, t) ->
eps_theta is the network; t is an int array [B] of steps in 1..T. Schedule arrays are indexed by
t - 1. Everything is per example: [B, ...] -> [B], summed over the event axes; nats.

Reverse process: p(x_{t-1}|x_t) = N(mu_theta(x_t, t), sigma_t^2 I) with the variance fixed to
sigma_t^2 = beta_t or beta-tilde_t (`reverse_variances`), and the mean of eq. 11.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from genvdisc.objectives.generative import sum_event

MAX_BETA = 0.999  # Nichol & Dhariwal clip betas here (no-op for `linear` at T >= 21)
REVERSE_VARIANCES = ("beta", "beta_tilde")


class Schedule(NamedTuple):
  """beta_t, alpha_t = 1 - beta_t, abar_t = prod_{s<=t} alpha_s, for t = 1..T: float32 [T]."""
  betas: np.ndarray
  alphas: np.ndarray
  alpha_bars: np.ndarray


def _schedule(betas: np.ndarray) -> Schedule:
  """The Schedule of float64 betas, computed in float64 and stored as float32 constants."""
  betas = np.minimum(betas, MAX_BETA)
  alphas = 1.0 - betas
  return Schedule(*(a.astype(np.float32) for a in (betas, alphas, np.cumprod(alphas))))


def linear_schedule(num_steps: int) -> Schedule:
  """beta_t linear from 1e-4 to 0.02 at T = 1000 (Ho et al. sec. 4); for another T both ends
  are scaled by 1000 / T (Nichol & Dhariwal 2021), so abar_T stays ~ e^-10."""
  scale = 1000.0 / num_steps
  return _schedule(np.linspace(scale * 1e-4, scale * 0.02, num_steps, dtype=np.float64))


def cosine_schedule(num_steps: int, s: float = 0.008) -> Schedule:
  """abar_t = f(t) / f(0), f(t) = cos^2((t/T + s) / (1 + s) * pi/2) (Nichol & Dhariwal eq. 17);
  beta_t = 1 - abar_t / abar_{t-1}, clipped at 0.999."""
  f = np.cos((np.arange(num_steps + 1, dtype=np.float64) / num_steps + s) / (1 + s) * np.pi / 2) ** 2
  return _schedule(1.0 - f[1:] / f[:-1])


SCHEDULES = {"linear": linear_schedule, "cosine": cosine_schedule}


def _at(values: np.ndarray, t: jax.Array, x: jax.Array) -> jax.Array:
  """values[t - 1] shaped [B, 1, ...] to broadcast against x [B, ...]."""
  return jnp.asarray(values)[t - 1].reshape(-1, *(1,) * (x.ndim - 1))


def q_mean_variance(schedule: Schedule, x0: jax.Array, t: jax.Array):
  """q(x_t|x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) (eq. 4): (mean [B, ...], variance [B, 1..])."""
  abar = _at(schedule.alpha_bars, t, x0)
  return jnp.sqrt(abar) * x0, 1.0 - abar


def q_sample(schedule: Schedule, x0: jax.Array, t: jax.Array, noise: jax.Array) -> jax.Array:
  """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, eps = noise ~ N(0, I) (eq. 4)."""
  mean, variance = q_mean_variance(schedule, x0, t)
  return mean + jnp.sqrt(variance) * noise


def posterior_mean_variance(schedule: Schedule, x0: jax.Array, xt: jax.Array, t: jax.Array):
  """q(x_{t-1}|x_t, x_0) = N(mu~_t, beta~_t I) (eqs. 6-7), abar_0 = 1:

    mu~_t = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t
    beta~_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t   (0 at t = 1, where mu~_1 = x_0)
  """
  abar_prev = np.concatenate([[1.0], schedule.alpha_bars[:-1]]).astype(np.float32)
  beta, alpha = _at(schedule.betas, t, x0), _at(schedule.alphas, t, x0)
  abar, abar_prev = _at(schedule.alpha_bars, t, x0), _at(abar_prev, t, x0)
  mean = (jnp.sqrt(abar_prev) * beta * x0 + jnp.sqrt(alpha) * (1.0 - abar_prev) * xt) / (1.0 - abar)
  return mean, (1.0 - abar_prev) / (1.0 - abar) * beta


def reverse_variances(schedule: Schedule, kind: str) -> np.ndarray:
  """sigma_t^2 of p(x_{t-1}|x_t) for t = 1..T [T]: 'beta' (sigma_t^2 = beta_t) or 'beta_tilde'
  (beta~_t of eq. 7, Ho et al. sec. 3.2); beta~_1 = 0, so 'beta_tilde' uses beta~_2 at t = 1,
  the decoder's variance (as Nichol & Dhariwal's code does). A T = 1 'beta_tilde' uses beta_1."""
  if kind == "beta":
    return schedule.betas
  abar_prev = np.concatenate([[1.0], schedule.alpha_bars[:-1]])
  tilde = (1.0 - abar_prev) / (1.0 - schedule.alpha_bars) * schedule.betas
  tilde[0] = tilde[1] if len(tilde) > 1 else schedule.betas[0]
  return tilde.astype(np.float32)


def reverse_mean(schedule: Schedule, xt: jax.Array, t: jax.Array, eps: jax.Array) -> jax.Array:
  """mu_theta(x_t, t) = (x_t - beta_t / sqrt(1 - abar_t) eps_theta) / sqrt(alpha_t) (eq. 11)."""
  beta, abar = _at(schedule.betas, t, xt), _at(schedule.alpha_bars, t, xt)
  return (xt - beta / jnp.sqrt(1.0 - abar) * eps) / jnp.sqrt(_at(schedule.alphas, t, xt))


def levels_eps(schedule: Schedule, xt: jax.Array, t: jax.Array, log_prior: jax.Array) -> jax.Array:
  """eps of the posterior mean of x_0 over K levels v_k = -1 + 2k/(K - 1), value by value:

    p(x_0d = v_k|x_t) ∝ exp(l_dk - (x_td - sqrt(abar_t) v_k)^2 / (2 (1 - abar_t)))   (eq. 4)
    xhat_0 = sum_k p(x_0d = v_k|x_t) v_k,   eps = (x_t - sqrt(abar_t) xhat_0) / sqrt(1 - abar_t)

  log_prior l [..., K]: a log-prior over the levels per value (a network's logits, which may use
  all of x_t); l = 0 is the Bayes eps of independent values uniform over the levels.
  """
  abar = _at(schedule.alpha_bars, t, xt)
  values = jnp.linspace(-1.0, 1.0, log_prior.shape[-1])
  log_likelihood = -(xt[..., None] - jnp.sqrt(abar[..., None]) * values) ** 2 / (2.0 * (1.0 - abar[..., None]))
  x0_mean = jnp.sum(jax.nn.softmax(log_prior + log_likelihood, axis=-1) * values, axis=-1)
  return (xt - jnp.sqrt(abar) * x0_mean) / jnp.sqrt(1.0 - abar)


def simple_loss(noise: jax.Array, eps: jax.Array) -> jax.Array:
  """L_simple = ||eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t)||^2 (eq. 14)."""
  return sum_event((noise - eps) ** 2)


def gaussian_kl(mean1, var1, mean2, var2) -> jax.Array:
  """KL(N(m1, v1 I) || N(m2, v2 I)) = 1/2 sum_d [log(v2 / v1) + (v1 + (m1 - m2)^2) / v2 - 1]."""
  var1, var2 = jnp.broadcast_to(var1, mean1.shape), jnp.broadcast_to(var2, mean1.shape)
  return 0.5 * sum_event(jnp.log(var2 / var1) + (var1 + (mean1 - mean2) ** 2) / var2 - 1.0)


def prior_kl(schedule: Schedule, x0: jax.Array) -> jax.Array:
  """L_T = KL(q(x_T|x_0) || N(0, I)) (eq. 5), q(x_T|x_0) from eq. 4."""
  t = jnp.full(x0.shape[:1], len(schedule.betas))
  mean, variance = q_mean_variance(schedule, x0, t)
  return gaussian_kl(mean, variance, 0.0, 1.0)


def _log_normal_mass(lower: jax.Array, upper: jax.Array) -> jax.Array:
  """log(Phi(upper) - Phi(lower)) for standardised lower < upper, from the tail nearer to the
  bin (Phi(b) - Phi(a) = Phi(-a) - Phi(-b)), so neither difference underflows."""
  flip = lower + upper > 0
  a, b = jnp.where(flip, -upper, lower), jnp.where(flip, -lower, upper)
  log_b = jax.scipy.special.log_ndtr(b)
  return log_b + jnp.log(-jnp.expm1(jax.scipy.special.log_ndtr(a) - log_b))


def discretized_gaussian_log_likelihood(x0: jax.Array, mean: jax.Array, variance,
                                        levels: int) -> jax.Array:
  """log p(x_0|x_1) = sum_d log int_{delta_-(x_0d)}^{delta_+(x_0d)} N(x; mu_d, sigma^2) dx (eq. 13)

  for x_0 at `levels` = K values in [-1, 1]: delta_+- = x_0 +- 1/(K - 1), with delta_- = -inf at
  x_0 = -1 and delta_+ = +inf at x_0 = 1, so the probabilities of the K levels sum to 1.
  """
  half_bin = 1.0 / (levels - 1)
  scale = jnp.sqrt(jnp.broadcast_to(variance, x0.shape))
  lower, upper = (x0 - mean - half_bin) / scale, (x0 - mean + half_bin) / scale
  log_mass = jnp.where(x0 > 1.0 - half_bin, jax.scipy.special.log_ndtr(-lower),
                       jnp.where(x0 < -1.0 + half_bin, jax.scipy.special.log_ndtr(upper),
                                 _log_normal_mass(lower, upper)))
  return sum_event(log_mass)


def vlb_term(schedule: Schedule, variances: np.ndarray, x0: jax.Array, xt: jax.Array,
             t: jax.Array, eps: jax.Array, levels: int) -> jax.Array:
  """L_{t-1} = KL(q(x_{t-1}|x_t, x_0) || p(x_{t-1}|x_t)) for t >= 2, and at t = 1
  L_0 = -log p(x_0|x_1), the discretised decoder of eq. 13 with mean mu_theta(x_1, 1) (eq. 5)."""
  mean = reverse_mean(schedule, xt, t, eps)
  sigma2 = _at(variances, t, xt)
  post_mean, post_var = posterior_mean_variance(schedule, x0, xt, t)
  # beta~_1 = 0: the t = 1 KL is unused, but must stay finite for its gradient.
  kl = gaussian_kl(post_mean, jnp.where(t.reshape(post_var.shape) == 1, 1.0, post_var), mean, sigma2)
  decoder_nll = -discretized_gaussian_log_likelihood(x0, mean, sigma2, levels)
  return jnp.where(t == 1, decoder_nll, kl)


def variational_bound(eps_fn: Callable, schedule: Schedule, variances: np.ndarray, x0: jax.Array,
                      key: jax.Array, levels: int) -> jax.Array:
  """L_vlb = L_0 + sum_{t=2}^T L_{t-1} + L_T >= -log p(x_0) (eq. 5), in nats: every t, one
  x_t ~ q(x_t|x_0) each (key fold_in(key, t)), in a `lax.scan` over t = 1..T."""

  def add_term(total, t):
    ts = jnp.full(x0.shape[:1], t)
    noise = jax.random.normal(jax.random.fold_in(key, t), x0.shape)
    xt = q_sample(schedule, x0, ts, noise)
    return total + vlb_term(schedule, variances, x0, xt, ts, eps_fn(xt, ts), levels), None

  num_steps = len(schedule.betas)
  total, _ = jax.lax.scan(add_term, prior_kl(schedule, x0), jnp.arange(1, num_steps + 1))
  return total


def stratified_bound(eps_fn: Callable, schedule: Schedule, variances: np.ndarray, x0: jax.Array,
                     key: jax.Array, levels: int, num_timesteps: int) -> jax.Array:
  """An unbiased estimate of L_vlb from `num_timesteps` = n of its T terms: with T = n S, term j
  is t_j = j S + u_j, u_j ~ U{1..S} (one t per stratum of S steps), and

    L_vlb ~= L_T + S sum_j L_{t_j - 1}(x_{t_j}),   x_{t_j} = q_sample(x_0, t_j, eps_j),

  E over (u, eps) = L_vlb exactly. Draws (u_j, eps_j) come from fold_in(key, j) and depend on
  the example only through its position in x0: a classifier calling this for every class with
  the same key scores all classes on the same (t, eps) (Li et al. 2023)."""
  num_steps = len(schedule.betas)
  stride = num_steps // num_timesteps

  def add_term(total, j):
    k_t, k_noise = jax.random.split(jax.random.fold_in(key, j))
    ts = j * stride + jax.random.randint(k_t, x0.shape[:1], 1, stride + 1)
    noise = jax.random.normal(k_noise, x0.shape)
    xt = q_sample(schedule, x0, ts, noise)
    return total + stride * vlb_term(schedule, variances, x0, xt, ts, eps_fn(xt, ts), levels), None

  total, _ = jax.lax.scan(add_term, prior_kl(schedule, x0), jnp.arange(num_timesteps))
  return total


def ancestral_sample(eps_fn: Callable, schedule: Schedule, variances: np.ndarray, key: jax.Array,
                     shape: tuple[int, ...], levels: int = 0) -> jax.Array:
  """Algorithm 2: x_T ~ N(0, I); x_{t-1} = mu_theta(x_t, t) + sigma_t z, z ~ N(0, I) for t > 1;
  the last step returns mu_theta(x_1, 1), rounded to the nearest of `levels` values in [-1, 1]
  (levels = 0: continuous data, returned as is). The noise of step t is fold_in(key, t)."""

  def step(xt, t):
    ts = jnp.full(shape[:1], t)
    mean = reverse_mean(schedule, xt, ts, eps_fn(xt, ts))
    z = jax.random.normal(jax.random.fold_in(key, t), shape)
    return mean + (t > 1) * jnp.sqrt(jnp.asarray(variances)[t - 1]) * z, None

  num_steps = len(schedule.betas)
  x0, _ = jax.lax.scan(step, jax.random.normal(jax.random.fold_in(key, 0), shape),
                       jnp.arange(num_steps, 0, -1))
  if not levels:
    return x0
  return jnp.clip(jnp.round((x0 + 1.0) / 2.0 * (levels - 1)), 0, levels - 1) / (levels - 1) * 2 - 1
