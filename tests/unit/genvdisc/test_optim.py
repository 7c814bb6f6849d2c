"""The optimizer wrapper alone (genvdisc/optim.py): injected hyperparameters compute what a plain
optax optimizer with the same float32 values computes, step by step, bitwise; a different
injected learning rate scales the update as the optimizer's formula says."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from genvdisc import optim

HPARAMS = {"learning_rate": np.float32(3e-3), "adam_b1": np.float32(0.8),
           "momentum": np.float32(0.7)}


def gradients(num_steps: int) -> list[dict]:
  """A fixed sequence of gradient pytrees, one per step."""
  draws = np.random.default_rng(0)
  return [{"w": jnp.asarray(draws.normal(size=(3, 4)), jnp.float32),
           "b": jnp.asarray(draws.normal(size=(4,)), jnp.float32)} for _ in range(num_steps)]


def initial_params() -> dict:
  return {"w": jnp.ones((3, 4)), "b": jnp.zeros((4,))}


def params_after(step_fn, state, grads: list[dict]) -> list[dict]:
  """The params after each step of step_fn(params, state, grads) -> (params, state)."""
  params = initial_params()
  step_fn = jax.jit(step_fn)
  trajectory = []
  for g in grads:
    params, state = step_fn(params, state, g)
    trajectory.append(params)
  return trajectory


def wrapped(name: str, hparams_at, grads: list[dict]) -> list[dict]:
  """The trajectory of optim.make_optimizer(name) with hparams_at(t) injected at step t."""
  optimizer = optim.make_optimizer(name)
  state = (optimizer.init(initial_params()), 0)

  def step(params, state, g):
    opt_state, t = state
    params, opt_state = optim.apply_gradients(params, opt_state, g, optimizer, hparams_at(t))
    return params, (opt_state, t + 1)

  return params_after(step, state, grads)


def plain(transform: optax.GradientTransformation, grads: list[dict]) -> list[dict]:
  def step(params, opt_state, g):
    updates, opt_state = transform.update(g, opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  return params_after(step, transform.init(initial_params()), grads)


@pytest.mark.parametrize("name, transform", [
    ("adam", optax.adam(HPARAMS["learning_rate"], b1=HPARAMS["adam_b1"])),
    ("sgd", optax.sgd(HPARAMS["learning_rate"], momentum=HPARAMS["momentum"])),
])
def test_injected_hyperparameters_equal_a_plain_optax_optimizer_bitwise(name, transform):
  grads = gradients(6)
  for got, expected in zip(wrapped(name, lambda t: HPARAMS, grads), plain(transform, grads),
                           strict=True):
    jax.tree.map(np.testing.assert_array_equal, got, expected)


def test_adam_first_update_is_minus_lr_times_the_gradient_sign_at_the_injected_rate():
  """Adam's first step is -lr g / (|g| + eps): its bias-corrected moments are g and g^2."""
  g = gradients(1)
  for lr in (1e-3, 0.25):
    after = wrapped("adam", lambda t: {**HPARAMS, "learning_rate": np.float32(lr)}, g)[0]
    np.testing.assert_allclose(after["w"] - 1.0, -lr * g[0]["w"] / (jnp.abs(g[0]["w"]) + 1e-8),
                               rtol=1e-5, atol=1e-7)


def test_sgd_momentum_takes_the_learning_rate_injected_at_each_step():
  """update_t = -lr_t m_t with the trace m_t = g_t + momentum m_{t-1}: a learning rate changed
  between steps scales that step's update only, momentum = 0.7 carries the gradients over."""
  grads = gradients(4)
  rates = [0.1, 0.5, 0.0, 2.0]
  trajectory = wrapped("sgd", lambda t: {**HPARAMS, "learning_rate": jnp.asarray(rates)[t]},
                       grads)
  trace, params = 0.0, np.ones((3, 4))
  for lr, g, got in zip(rates, grads, trajectory, strict=True):
    trace = np.asarray(g["w"], np.float64) + 0.7 * trace
    params = params - lr * trace
    np.testing.assert_allclose(got["w"], params, rtol=1e-5, atol=1e-6)
  np.testing.assert_array_equal(trajectory[2]["w"], trajectory[1]["w"])   # lr 0: no move


def test_a_field_of_its_own_falls_back_to_learning_rate_when_not_positive():
  """The GAN's discriminator optimizer: discriminator_learning_rate > 0 is its rate, <= 0 means
  config.learning_rate."""
  optimizer = optim.make_optimizer("sgd", learning_rate_field="discriminator_learning_rate")
  state = optimizer.init({"w": jnp.zeros(2)})
  for own, used in ((0.5, 0.5), (0.0, 3e-3), (-1.0, 3e-3)):
    hparams = {**HPARAMS, "discriminator_learning_rate": np.float32(own)}
    injected = optimizer.with_hyperparams(state, hparams).hyperparams
    assert injected["learning_rate"] == np.float32(used) and injected["momentum"] == np.float32(0.7)
