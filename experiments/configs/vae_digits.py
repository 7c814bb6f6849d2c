"""VAE (ELBO, beta = 1), MLP 64-128-128-16 (tanh), Bernoulli decoder, dynamic binarisation, on
sklearn digits (pixels / 16 are the Bernoulli means).

  python -m experiments.main --config=experiments/configs/vae_digits.py --workdir=runs/vae_digits

Seeds 0-4 (ELBO and KL: not in a committed table):
Measured in results/summary.md, row vae_digits_test, column "mean ± std": 22.66 ± 0.07.
Measured in results/summary.md, row vae_digits_test, column "reference": NLL <= -ELBO for every seed.
Measured in results/generative.md, row vae_digits_judged, column "test NLL (nats)": 22.66 ± 0.07.
Measured in results/generative.md, row vae_digits_judged, column "classifier-FID": 5.8 ± 0.4.
"""

from experiments.configs import generative


def get_config():
  config = generative.get_config()
  config.name = "vae_digits"
  config.task = "vae"
  config.dataset = "digits"
  config.model = "mlp"
  config.model_kwargs.hidden_sizes = (128, 128)
  config.latent_dim = 16
  config.learning_rate = 1e-3
  config.batch_size = 64
  config.num_steps = 5000
  config.log_every = 1000
  config.checkpoint_every = 5000
  config.eval_batch_size = 500
  return config
