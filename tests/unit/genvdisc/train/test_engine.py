"""The engine's contract (genvdisc/train/engine.py) on toy tasks whose every number is known.

A "recorder" task keeps, as its params, the sum of every minibatch example it saw and the last
batch itself, so the minibatches the engine drew can be compared with the draw written out by
hand: step t of a seed uses `randint(step_keys(key, t)[0], (batch,), 0, n)`.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from genvdisc import rng, sharding
from genvdisc.data import subsets
from genvdisc.tasks.base import Task
from genvdisc.train import engine

BATCH = 3
N = 20


def recorder(scale_by_learning_rate: bool = False) -> Task:
  def init(key, x_example):
    del key
    return {"total": jnp.zeros(()), "last": jnp.zeros((BATCH,), x_example.dtype)}, ()

  def update(params, opt_state, batch, key, hparams):
    del key
    x = batch["x"][:, 0]
    scale = hparams["learning_rate"] if scale_by_learning_rate else 1.0
    total = params["total"] + scale * jnp.sum(x)
    return {"total": total, "last": x}, opt_state, {"loss": total}

  per_example = lambda params, batch, key: {"x": batch["x"][:, 0], "y": batch["y"] * 1.0}
  return Task(init=init, update=update, eval_metrics=per_example, headline="test_x")


def toy_data():
  x = jnp.arange(N, dtype=jnp.float32)[:, None]
  y = jnp.arange(N, dtype=jnp.int32) % 2
  return {"x_train": x, "y_train": y, "x_test": x[:5] * 10, "y_test": y[:5]}


def make(task=None, **kwargs):
  return engine.make_trainer(task or recorder(), (1,), BATCH, sharding.make_mesh(), **kwargs)


def init(trainer, seeds, learning_rates=None):
  seeds = jnp.asarray(seeds, jnp.int32)
  rates = jnp.ones(len(seeds)) if learning_rates is None else jnp.asarray(learning_rates)
  return trainer.init(seeds, {"learning_rate": rates})


def hand_drawn_batches(seed: int, steps: int, pool=None) -> np.ndarray:
  """[steps, BATCH]: the examples step t draws, written out from the documented key scheme."""
  _, train_key = rng.seed_keys(seed)
  size = N if pool is None else len(pool)
  rows = [np.asarray(jax.random.randint(rng.step_keys(train_key, t)[0], (BATCH,), 0, size))
          for t in range(steps)]
  return np.asarray(rows) if pool is None else np.asarray(pool)[np.asarray(rows)]


def test_minibatches_are_the_documented_draws():
  trainer = make()
  state, metrics = trainer.train_chunk(init(trainer, [0, 1]), toy_data(), 4)
  for i, seed in enumerate((0, 1)):
    drawn = hand_drawn_batches(seed, 4)
    assert float(state.params["total"][i]) == drawn.sum()
    np.testing.assert_array_equal(state.params["last"][i], drawn[-1])
    np.testing.assert_array_equal(metrics["step_losses"][i], np.cumsum(drawn.sum(1)))
  np.testing.assert_array_equal(state.step, [4, 4])


def test_any_chunking_is_the_same_run():
  trainer = make()
  whole, _ = trainer.train_chunk(init(trainer, [3, 4]), toy_data(), 6)
  parts = init(trainer, [3, 4])
  for length in (1, 2, 3):
    parts, _ = trainer.train_chunk(parts, toy_data(), length)
  for a, b in zip(jax.tree.leaves(whole), jax.tree.leaves(parts)):
    np.testing.assert_array_equal(a, b)


def test_a_seed_does_not_depend_on_its_group():
  trainer = make()
  alone, _ = trainer.train_chunk(init(trainer, [7, 7, 7]), toy_data(), 5)
  mixed, _ = trainer.train_chunk(init(trainer, [0, 7, 2]), toy_data(), 5)
  np.testing.assert_array_equal(alone.params["total"][0], mixed.params["total"][1])


def test_hyperparameters_come_from_the_state():
  trainer = make(recorder(scale_by_learning_rate=True))
  state, _ = trainer.train_chunk(init(trainer, [5, 5], [1.0, 0.5]), toy_data(), 3)
  total = hand_drawn_batches(5, 3).sum()
  np.testing.assert_allclose(state.params["total"], [total, 0.5 * total], rtol=1e-6)


def test_label_budget_draws_from_the_seeds_own_balanced_subset():
  data = toy_data()
  budget = subsets.LabelBudget(per_class=2, num_classes=2, num_train=N,
                               class_counts=np.asarray([10, 10]))
  assert budget.size == 4
  np.testing.assert_allclose(budget.log_prior(), np.log([0.5, 0.5]))
  trainer = make(budget=budget)
  state, _ = trainer.train_chunk(init(trainer, [6]), data, 5)
  _, train_key = rng.seed_keys(6)
  pool = subsets.labelled_subset(train_key, data["y_train"], 2, budget.size)
  assert sorted(np.asarray(data["y_train"])[np.asarray(pool)].tolist()) == [0, 0, 1, 1]
  assert float(state.params["total"][0]) == hand_drawn_batches(6, 5, np.asarray(pool)).sum()


def test_whole_split_budget_prior_is_the_class_frequencies():
  budget = subsets.LabelBudget(0, 3, 10, np.asarray([5, 3, 2]))
  assert budget.size == 10
  np.testing.assert_allclose(np.exp(budget.log_prior()), [0.5, 0.3, 0.2], rtol=1e-6)


@pytest.mark.parametrize("eval_batch_size", [5, 2])   # one batch, and 3 padded batches
def test_evaluation_averages_each_split(eval_batch_size):
  trainer = make(eval_batch_size=eval_batch_size)
  metrics = trainer.evaluate(init(trainer, [0]), toy_data())
  assert float(metrics["test_x"][0]) == pytest.approx(np.mean(np.arange(5) * 10.0))
  assert float(metrics["train_x"][0]) == pytest.approx(np.mean(np.arange(N)))
  assert float(metrics["train_y"][0]) == pytest.approx(0.5)


def test_a_diverged_seed_stops_at_its_step():
  def update(params, opt_state, batch, key, hparams):
    total = params["total"] + 1.0
    loss = jnp.where(total > 2.0 + hparams["learning_rate"], jnp.nan, total)
    return {"total": total, "last": params["last"]}, opt_state, {"loss": loss}

  task = recorder()
  trainer = make(Task(init=task.init, update=update, eval_metrics=task.eval_metrics,
                      headline=task.headline))
  state, _ = trainer.train_chunk(init(trainer, [0, 1], [0.0, 10.0]), toy_data(), 5)
  np.testing.assert_array_equal(state.diverged_at, [2, -1])   # total 3 > 2 at step 2
  np.testing.assert_array_equal(state.params["total"], [2.0, 5.0])
