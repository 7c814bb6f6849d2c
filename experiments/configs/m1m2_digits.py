"""M1+M2 (Kingma et al. 2014): M2 on M1's features, the posterior means E_q[z|x] of the
unsupervised VAE of m1_vae_digits (16 values per digit), with a Gaussian p(x|y,z).

The m2 table (`python -m experiments.reproduce --table=m2`) feeds the features in place of the
pixels (`make_train(config, dataset)`); otherwise as m2_digits.
"""

from experiments.configs import m2_digits


def get_config():
  config = m2_digits.get_config()
  config.name = "m1m2_digits"
  config.likelihood = "gaussian"
  config.binarize = "none"
  return config
