"""IWAE (k = 5) with vae_digits' network, data and recipe: only the training bound differs.

  python -m experiments.main --config=experiments/configs/iwae_digits.py --workdir=runs/iwae_digits

Seeds 0-4 (IWAE buys likelihood, not ELBO, as Burda et al. found; the ELBOs are not in a
committed table):
Measured in results/generative.md, row iwae_digits_judged, column "test NLL (nats)": 22.39 ± 0.06.
Measured in results/generative.md, row vae_digits_judged, column "test NLL (nats)": 22.66 ± 0.07.
Measured in results/generative.md, row iwae_digits_judged, column "classifier-FID": 3.8 ± 0.3.
"""

from experiments.configs import vae_digits


def get_config():
  config = vae_digits.get_config()
  config.name = "iwae_digits"
  config.task = "iwae"
  config.train_samples = 5
  return config
