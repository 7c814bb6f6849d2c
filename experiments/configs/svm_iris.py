"""Linear multi-class (Crammer–Singer) SVM on iris (standardised features), C=1.

Published anchor (shared README, sklearn): linear SVC 0.984.

  python -m experiments.main --config=experiments/configs/svm_iris.py --workdir=runs/svm_iris

Expected (seeds 0-4, 2-core CPU, jax 0.10.2): 100.0 ± 0.0 % test accuracy (sklearn LinearSVC(C=1, crammer_singer) on the same split: 100 %).
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "svm_iris"
  config.model = "linear_svm"
  config.dataset = "iris"
  config.objective = "hinge"
  config.C = 1.0
  config.optimizer = "adam"
  config.learning_rate = 1e-2
  config.batch_size = 32
  config.num_steps = 2000
  return config
