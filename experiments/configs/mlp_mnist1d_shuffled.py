"""`mlp_mnist1d` on spatially shuffled MNIST-1D (one fixed permutation of the 40 positions).

  python -m experiments.main --config=experiments/configs/mlp_mnist1d_shuffled.py --workdir=runs/mlp_mnist1d_shuffled

Paper (Greydanus & Kobak, README table, shuffled): 68 %.
Expected (seeds 0-4, 2-core CPU, jax 0.10.2): 66.5 ± 3.1 % test accuracy, ~12 s.
"""

from experiments.configs import mlp_mnist1d


def get_config():
  config = mlp_mnist1d.get_config()
  config.name = "mlp_mnist1d_shuffled"
  config.dataset = "mnist1d_shuffled"
  return config
