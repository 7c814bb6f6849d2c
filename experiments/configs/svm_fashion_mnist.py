"""Linear multi-class (Crammer-Singer) SVM on Fashion-MNIST, C=1: logreg_fashion_mnist's data,
C and recipe with the hinge instead of the softmax and its own step size; the `fashion` table's
row.

  python -m experiments.main --config=experiments/configs/svm_fashion_mnist.py \
      --workdir=runs/svm_fashion_mnist

Step size chosen on a validation split, never on test, by logreg_fashion_mnist's sweep: 1e-2 has
the best mean val_accuracy (85.6 %; 3e-2: 85.4, 3e-3: 85.2, 1e-1: 84.7, 1e-3: 84.4).
scikit-learn's LinearSVC(crammer_singer) had not finished on these 60,000 images after 20 CPU
minutes, so the table has no sklearn twin for this row.
Published anchor (Xiao et al. 2017, Table 3, scikit-learn LinearSVC C=1, crammer_singer): 83.5.
Measured in results/fashion.md, row svm_fashion_mnist, column "test acc %": 85.0 ± 0.1.
"""

from experiments.configs import logreg_fashion_mnist


def get_config():
  config = logreg_fashion_mnist.get_config()
  config.name = "svm_fashion_mnist"
  config.model = "linear_svm"
  config.objective = "hinge"
  config.learning_rate = 1e-2
  return config
