"""MLP 40-100-100-10 on MNIST-1D, the paper's recipe (Adam 1e-2, batch 100, 6000 steps, no L2).

Paper (Greydanus & Kobak, README table): 68 %; its notebook (seed 42): 65.1 %.

  python -m experiments.main --config=experiments/configs/mlp_mnist1d.py --workdir=runs/mlp_mnist1d

Measured in results/mnist1d.md, row mlp_mnist1d, column "test acc %": 67.7 ± 2.0.
Measured in results/core.md, row mlp_mnist1d, column "test acc %": 67.7 ± 2.0.
"""

from experiments.configs import logreg_mnist1d


def get_config():
  config = logreg_mnist1d.get_config()  # the paper's data and recipe
  config.name = "mlp_mnist1d"
  config.model = "mlp"
  config.model_kwargs.hidden_sizes = (100, 100)
  return config
