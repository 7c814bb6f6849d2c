"""IWAE (k = 5) with vae_digits' network, data and recipe: only the training bound differs.

  python -m experiments.main --config=experiments/configs/iwae_digits.py --workdir=runs/iwae_digits

Expected: see below (filled in from the measured run).
"""

from experiments.configs import vae_digits


def get_config():
  config = vae_digits.get_config()
  config.name = "iwae_digits"
  config.task = "iwae"
  config.train_samples = 5
  return config
