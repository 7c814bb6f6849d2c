"""Linear multi-class (Crammer–Singer) SVM on MNIST-1D (a row the paper lacks); Adam 1e-2,
batch 100, 6000 steps, C=1 (sklearn's default).

  python -m experiments.main --config=experiments/configs/svm_mnist1d.py --workdir=runs/svm_mnist1d

Expected (seeds 0-4, 2-core CPU, jax 0.10.2): 28.3 ± 1.4 % test accuracy, ~4 s.
"""

from experiments.configs import logreg_mnist1d


def get_config():
  config = logreg_mnist1d.get_config()
  config.name = "svm_mnist1d"
  config.model = "linear_svm"
  config.objective = "hinge"
  config.C = 1.0
  return config
