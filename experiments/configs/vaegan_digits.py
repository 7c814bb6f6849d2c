"""VAE-GAN (Larsen et al. 2016): MLP encoder 64-128-128-16, decoder/generator 16-128-128-64,
discriminator 64-128-128-1; loss alpha L_GAN + beta KL + L_rec with L_rec in the
discriminator's last hidden layer (the paper's choice), alpha = beta = 1; on sklearn digits.
Judged by mlp_digits (classifier-FID / classifier-IS, not comparable with Inception FID).

  python -m experiments.main --config=experiments/configs/vaegan_digits.py --workdir=runs/vaegan_digits

Expected (seeds 0-4, 2-core CPU, jax 0.10.2, ~65 s once the judge exists): classifier-FID
5.3 ± 0.3 at step 5000 (from 17.5 ± 4.0 at step 1000), classifier-IS 8.16 ± 0.10, test KL
3.5 ± 0.2 nats, test pixel MSE of reconstructions 0.053 ± 0.004. Samples are sharper and more
varied than gan_digits' at the same step count (classifier-FID 5.3 vs 12.8).
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
