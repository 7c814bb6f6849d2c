"""`cnn_mnist1d` on spatially shuffled MNIST-1D (one fixed permutation of the 40 positions).

  python -m experiments.main --config=experiments/configs/cnn_mnist1d_shuffled.py --workdir=runs/cnn_mnist1d_shuffled

Paper (Greydanus & Kobak, README table, shuffled): 56 %.
Measured in results/mnist1d.md, row cnn_mnist1d_shuffled, column "test acc %": 58.0 ± 1.4.
"""

from experiments.configs import cnn_mnist1d


def get_config():
  config = cnn_mnist1d.get_config()
  config.name = "cnn_mnist1d_shuffled"
  config.dataset = "mnist1d_shuffled"
  return config
