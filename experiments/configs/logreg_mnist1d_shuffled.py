"""`logreg_mnist1d` on spatially shuffled MNIST-1D (one fixed permutation of the 40 positions).

  python -m experiments.main --config=experiments/configs/logreg_mnist1d_shuffled.py --workdir=runs/logreg_mnist1d_shuffled

Paper (Greydanus & Kobak, README table, shuffled): 32 %.
Measured in results/mnist1d.md, row logreg_mnist1d_shuffled, column "test acc %": 31.1 ± 0.8.
"""

from experiments.configs import logreg_mnist1d


def get_config():
  config = logreg_mnist1d.get_config()
  config.name = "logreg_mnist1d_shuffled"
  config.dataset = "mnist1d_shuffled"
  return config
