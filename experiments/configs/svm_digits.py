"""Linear multi-class (Crammer–Singer) SVM on sklearn digits, C=1.

Anchor: sklearn LinearSVC is ~0.95-0.97 on digits; SVC(rbf, gamma=0.001) 0.991 (shared README).

  python -m experiments.main --config=experiments/configs/svm_digits.py --workdir=runs/svm_digits

Expected (5 seeds, this CPU): EXPECTED
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "svm_digits"
  config.model = "linear_svm"
  config.dataset = "digits"
  config.objective = "hinge"
  config.C = 1.0
  config.optimizer = "adam"
  config.learning_rate = 1e-2
  config.batch_size = 64
  config.num_steps = 2000
  return config
