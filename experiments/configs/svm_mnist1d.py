"""Linear multi-class (Crammer–Singer) SVM on MNIST-1D (a row the paper lacks); Adam 1e-2,
batch 100, 6000 steps, C=1 (sklearn's default).

  python -m experiments.main --config=experiments/configs/svm_mnist1d.py --workdir=runs/svm_mnist1d

Measured in results/mnist1d.md, row svm_mnist1d, column "test acc %": 28.4 ± 1.4.
"""

from experiments.configs import logreg_mnist1d


def get_config():
  config = logreg_mnist1d.get_config()
  config.name = "svm_mnist1d"
  config.model = "linear_svm"
  config.objective = "hinge"
  config.C = 1.0
  return config
