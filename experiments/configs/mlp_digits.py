"""MLP 64-128-64-10 on sklearn digits.

  python -m experiments.main --config=experiments/configs/mlp_digits.py --workdir=runs/mlp_digits

Measured in results/summary.md, row mlp_digits, column "mean ± std": 97.6 ± 0.2.
Measured in results/core.md, row mlp_digits, column "test acc %": 97.6 ± 0.2.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "mlp_digits"
  config.model = "mlp"
  config.model_kwargs.hidden_sizes = (128, 64)
  config.dataset = "digits"
  config.learning_rate = 1e-3
  config.batch_size = 64
  config.num_steps = 2000
  return config
