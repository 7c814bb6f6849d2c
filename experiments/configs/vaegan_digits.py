"""VAE-GAN (Larsen et al. 2016): MLP encoder 64-128-128-16, decoder/generator 16-128-128-64,
discriminator 64-128-128-1; loss alpha L_GAN + beta KL + L_rec with L_rec in the
discriminator's last hidden layer (the paper's choice), alpha = beta = 1; on sklearn digits.
Judged by mlp_digits (classifier-FID / classifier-IS, not comparable with Inception FID).

  python -m experiments.main --config=experiments/configs/vaegan_digits.py --workdir=runs/vaegan_digits

Seeds 0-4 (KL, reconstruction MSE and the curve over steps: not in a committed table):
Measured in results/summary.md, row vaegan_digits, column "mean ± std": 5.3 ± 0.3.
Measured in results/generative.md, row vaegan_digits, column "classifier-FID": 5.3 ± 0.3.
Measured in results/generative.md, row vaegan_digits, column "classifier-IS": 8.16 ± 0.10.
Measured in results/generative.md, row gan_digits, column "classifier-FID": 12.9 ± 1.5.
"""

from experiments.configs import gan_digits


def get_config():
  config = gan_digits.get_config()  # the same networks, data, judge and GAN recipe
  config.name = "vaegan_digits"
  config.task = "vaegan"
  config.alpha = 1.0
  config.beta = 1.0
  config.reconstruction = "feature"
  config.eval_every = 1000
  return config
