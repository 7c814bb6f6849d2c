"""LeNet-5 style CNN (conv 6 and 16 channels, 5x5 SAME, dense 120-84) on 8x8 sklearn digits.

  python -m experiments.main --config=experiments/configs/lenet_digits.py --workdir=runs/lenet_digits

Expected (seeds 0-4, 2-core CPU, jax 0.10.2): 95.0 ± 1.1 % test accuracy, ~27 s.
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
