"""`mlp_mnist1d` on spatially shuffled MNIST-1D (one fixed permutation of the 40 positions).

  python -m experiments.main --config=experiments/configs/mlp_mnist1d_shuffled.py --workdir=runs/mlp_mnist1d_shuffled

Paper (Greydanus & Kobak, README table, shuffled): 68 %.
Measured in results/mnist1d.md, row mlp_mnist1d_shuffled, column "test acc %": 66.3 ± 2.1.
"""

from experiments.configs import mlp_mnist1d


def get_config():
  config = mlp_mnist1d.get_config()
  config.name = "mlp_mnist1d_shuffled"
  config.dataset = "mnist1d_shuffled"
  return config
