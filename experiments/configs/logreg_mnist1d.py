"""Logistic regression on MNIST-1D, the paper's recipe (Adam 1e-2, batch 100, 6000 steps, no L2).

Paper (Greydanus & Kobak, README table): 32 %; its notebook (seed 42): 31.5 %.

  python -m experiments.main --config=experiments/configs/logreg_mnist1d.py --workdir=runs/logreg_mnist1d

Measured in results/mnist1d.md, row logreg_mnist1d, column "test acc %": 31.0 ± 0.8.
Measured in results/core.md, row logreg_mnist1d, column "test acc %": 31.0 ± 0.8.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "logreg_mnist1d"
  config.model = "logreg"
  config.dataset = "mnist1d"
  config.objective = "cross_entropy"
  config.C = 0.0
  config.optimizer = "adam"
  config.learning_rate = 1e-2
  config.batch_size = 100
  config.num_steps = 6000
  return config
