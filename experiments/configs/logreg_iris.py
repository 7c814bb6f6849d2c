"""Logistic regression on iris (standardised features), L2 with sklearn's default C=1.

Published anchor (shared README, sklearn): LogReg 0.961.

  python -m experiments.main --config=experiments/configs/logreg_iris.py --workdir=runs/logreg_iris

Measured in results/core.md, row logreg_iris, column "test acc %": 97.4 ± 0.0.
Measured in results/core.md, row logreg_iris, column "reference": sklearn LogisticRegression(C=1), same split: 97.4.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "logreg_iris"
  config.model = "logreg"
  config.dataset = "iris"
  config.objective = "cross_entropy"
  config.C = 1.0
  config.optimizer = "adam"
  config.learning_rate = 1e-2
  config.batch_size = 32
  config.num_steps = 2000
  return config
