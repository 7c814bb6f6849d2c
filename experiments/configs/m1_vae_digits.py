"""M1's VAE (Kingma et al. 2014): `vae_digits` trained once (seed 0) on every training image of
digits without labels; its posterior means E_q[z|x] are the features of the m1 table (LR and
SVM) and of M1+M2. The NLL is estimated with 100 importance samples on the test split only
(a check that training worked, not a result).

  python -m experiments.reproduce --table=m1 --out=results   # trains this into results/m1_vae_digits
"""

from experiments.configs import vae_digits


def get_config():
  config = vae_digits.get_config()
  config.name = "m1_vae_digits"
  config.seeds = "0"
  config.seed_group = 1
  config.iw_samples = 100
  config.eval_splits = "test"
  config.image_grid = 0
  return config
