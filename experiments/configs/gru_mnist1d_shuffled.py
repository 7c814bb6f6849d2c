"""`gru_mnist1d` on spatially shuffled MNIST-1D (one fixed permutation of the 40 positions).

  python -m experiments.main --config=experiments/configs/gru_mnist1d_shuffled.py --workdir=runs/gru_mnist1d_shuffled

Paper (Greydanus & Kobak, README table, shuffled): 57 %.
Measured in results/mnist1d.md, row gru_mnist1d_shuffled, column "test acc %": 52.6 ± 1.1.
"""

from experiments.configs import gru_mnist1d


def get_config():
  config = gru_mnist1d.get_config()
  config.name = "gru_mnist1d_shuffled"
  config.dataset = "mnist1d_shuffled"
  return config
