"""Linear multi-class (Crammer–Singer) SVM on sklearn digits, C=1.

Kernel anchor (shared README): SVC(rbf, gamma=0.001) 0.991 ± 0.001 over 10 sklearn splits.

  python -m experiments.main --config=experiments/configs/svm_digits.py --workdir=runs/svm_digits

Measured in results/summary.md, row svm_digits, column "mean ± std": 96.6 ± 0.2.
Measured in results/core.md, row svm_digits, column "test acc %": 96.6 ± 0.2.
Measured in results/summary.md, row svm_digits, column "reference": sklearn LinearSVC(C=1, crammer_singer), same split: 96.4.
"""

from experiments.configs import logreg_digits


def get_config():
  config = logreg_digits.get_config()  # same data, C and recipe; the hinge instead of softmax
  config.name = "svm_digits"
  config.model = "linear_svm"
  config.objective = "hinge"
  return config
