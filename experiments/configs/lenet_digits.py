"""LeNet-5 style CNN (conv 6 and 16 channels, 5x5 SAME, dense 120-84) on 8x8 sklearn digits.

  python -m experiments.main --config=experiments/configs/lenet_digits.py --workdir=runs/lenet_digits

Measured in results/summary.md, row lenet_digits, column "mean ± std": 95.1 ± 0.9.
Measured in results/core.md, row lenet_digits, column "test acc %": 95.1 ± 0.9.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "lenet_digits"
  config.model = "lenet"
  config.dataset = "digits"
  config.objective = "cross_entropy"
  config.C = 0.0
  config.optimizer = "adam"
  config.learning_rate = 1e-3
  config.batch_size = 64
  config.num_steps = 2000
  config.model_kwargs.features = (6, 16)
  config.model_kwargs.dense_sizes = (120, 84)
  return config
