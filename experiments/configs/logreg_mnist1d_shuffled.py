"""`logreg_mnist1d` on spatially shuffled MNIST-1D (one fixed permutation of the 40 positions).

  python -m experiments.main --config=experiments/configs/logreg_mnist1d_shuffled.py --workdir=runs/logreg_mnist1d_shuffled

Paper (Greydanus & Kobak, README table, shuffled): 32 %.
Expected (seeds 0-4, 2-core CPU, jax 0.10.2): 31.1 ± 0.8 % test accuracy, ~5 s.
"""

from experiments.configs import logreg_mnist1d


def get_config():
  config = logreg_mnist1d.get_config()
  config.name = "logreg_mnist1d_shuffled"
  config.dataset = "mnist1d_shuffled"
  return config
