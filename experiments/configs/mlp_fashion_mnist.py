"""MLP 784-100-10 (ReLU) on Fashion-MNIST: scikit-learn's MLPClassifier((100,), relu) network
and its Adam 1e-3 with batch 200, for 8000 steps (27 epochs; no L2: sklearn's alpha=1e-4 is
C = 200 / (1e-4 * 60000) = 33 here, negligible); the `fashion` table's row.

  python -m experiments.main --config=experiments/configs/mlp_fashion_mnist.py \
      --workdir=runs/mlp_fashion_mnist

Steps chosen on a validation split, never on test (`--config.validation_fraction=0.1
--config.eval_every=1000 --config.num_steps=9000`: mean val_accuracy over 5 seeds
by step, best at 8000: 88.6 %; 6000: 88.4, 9000: 88.6, 4000: 88.1).
Published anchor (Xiao et al. 2017, Table 3, MLPClassifier relu (100,)): 87.1.
Measured in results/fashion.md, row mlp_fashion_mnist, column "test acc %": 88.2 ± 0.3.
"""

from experiments.configs import mlp_digits


def get_config():
  config = mlp_digits.get_config()
  config.name = "mlp_fashion_mnist"
  config.model_kwargs.hidden_sizes = (100,)
  config.dataset = "fashion_mnist"
  config.learning_rate = 1e-3
  config.batch_size = 200
  config.num_steps = 8000
  return config
