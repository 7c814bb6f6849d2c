"""IWAE (k = 5) with vae_digits_categorical's 17-way categorical decoder, network, data and recipe:
only the training bound differs (as iwae_digits is to vae_digits).

  python -m experiments.main --config=experiments/configs/iwae_digits_categorical.py \
      --workdir=runs/iwae_digits_categorical

Seeds 0-4:
Measured in results/likelihood.md, row iwae_digits_categorical, column "test NLL (nats/image)": 91.37 ± 0.25.
Measured in results/likelihood.md, row vae_digits_categorical, column "test NLL (nats/image)": 92.10 ± 0.38.
Measured in results/likelihood.md, row iwae_digits_categorical, column "bits/dim": 2.060 ± 0.006.
"""

from experiments.configs import vae_digits_categorical


def get_config():
  config = vae_digits_categorical.get_config()
  config.name = "iwae_digits_categorical"
  config.task = "iwae"
  config.train_samples = 5
  return config
