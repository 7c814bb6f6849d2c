"""Linear multi-class (Crammer–Singer) SVM on iris (standardised features), C=1.

Published anchor (shared README, sklearn): linear SVC 0.984.

  python -m experiments.main --config=experiments/configs/svm_iris.py --workdir=runs/svm_iris

Measured in results/core.md, row svm_iris, column "test acc %": 100.0 ± 0.0.
Measured in results/core.md, row svm_iris, column "reference": sklearn LinearSVC(C=1, crammer_singer), same split: 100.
"""

from experiments.configs import logreg_iris


def get_config():
  config = logreg_iris.get_config()  # same data, C and recipe; the hinge instead of softmax
  config.name = "svm_iris"
  config.model = "linear_svm"
  config.objective = "hinge"
  return config
