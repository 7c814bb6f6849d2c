"""MLP VAE on TFDS CIFAR-10 (32x32x3): 3072-512-256-128 (tanh), Gaussian decoder predicting
each pixel's mean and log-variance, Adam 1e-3, batch 64, 200000 steps; test NLL with k = 1000.

  python -m experiments.main --config=experiments/configs/vae_cifar10.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/vae_cifar10

Not run here: needs the prepared dataset (README "Datasets"). An MLP VAE is a weak CIFAR-10
model: compare it with other runs of this config, not with published bits/dim.
"""

from experiments.configs import vae_mnist


def get_config():
  config = vae_mnist.get_config()
  config.name = "vae_cifar10"
  config.dataset = "tfds:cifar10"
  config.model_kwargs.hidden_sizes = (512, 256)
  config.latent_dim = 128
  config.likelihood = "gaussian"
  config.binarize = "none"
  config.batch_size = 64
  config.num_steps = 200_000
  config.iw_samples = 1000
  return config
