"""Logistic regression on sklearn digits, L2 with sklearn's default C=1.

Published anchor (shared README, sklearn LogisticRegression, 10 splits): 0.969.

  python -m experiments.main --config=experiments/configs/logreg_digits.py --workdir=runs/logreg_digits

Measured in results/summary.md, row logreg_digits, column "mean ± std": 97.0 ± 0.6.
Measured in results/core.md, row logreg_digits, column "test acc %": 97.0 ± 0.6.
Measured in results/summary.md, row logreg_digits, column "reference": sklearn LogisticRegression(C=1), same split: 96.9.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "logreg_digits"
  config.model = "logreg"
  config.dataset = "digits"
  config.objective = "cross_entropy"
  config.C = 1.0
  config.optimizer = "adam"
  config.learning_rate = 1e-2
  config.batch_size = 64
  config.num_steps = 2000
  return config
