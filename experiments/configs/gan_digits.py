"""GAN, MLP generator 16-128-128-64 (tanh, sigmoid pixels) and discriminator 64-128-128-1 (leaky
ReLU), non-saturating generator loss, Adam(b1 = 0.5), on sklearn digits. Judged by mlp_digits
(seed 0, trained once into <workdir>/judges/mlp_digits): classifier-FID every 500 steps into
results.json "curves", sample grids in images/ at every checkpoint.

  python -m experiments.main --config=experiments/configs/gan_digits.py --workdir=runs/gan_digits

classifier-FID / classifier-IS use the judge MLP's last hidden layer and class probabilities;
they are not comparable with Inception-network FID / IS.

Seeds 0-4 (the classifier-FID curve over steps is in each run's results.json, not in a committed
table):
Measured in results/summary.md, row gan_digits, column "mean ± std": 12.9 ± 1.5.
Measured in results/generative.md, row gan_digits, column "classifier-FID": 12.9 ± 1.5.
Measured in results/generative.md, row gan_digits, column "classifier-IS": 7.83 ± 0.20.
Measured in results/generative.md, row gan_digits, column "reference": real train images vs test: FID 1.05, IS 9.9.
"""

from experiments.configs import generative


def get_config():
  config = generative.get_config()
  config.name = "gan_digits"
  config.task = "gan"
  config.dataset = "digits"
  config.model = "mlp"
  config.model_kwargs.hidden_sizes = (128, 128)
  config.latent_dim = 16
  config.generator_loss = "nonsaturating"
  config.learning_rate = 1e-3
  config.adam_b1 = 0.5
  config.batch_size = 64
  config.num_steps = 5000
  config.log_every = 1000
  config.checkpoint_every = 1000
  config.eval_every = 500
  config.judge = "mlp_digits"
  config.fid_samples = 1000
  return config
