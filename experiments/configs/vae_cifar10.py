"""MLP VAE on TFDS CIFAR-10 (32x32x3): 3072-512-256-128 (tanh), Gaussian decoder predicting
each pixel's mean and log-variance, Adam 1e-3, batch 64, 200000 steps; test NLL with k = 1000.

  python -m experiments.main --config=experiments/configs/vae_cifar10.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/vae_cifar10

The pixels are 8-bit, x = k/255, and the decoder a density, so the data are dequantised
uniformly at every use, in training and evaluation: y = x + (u - 1/2)/255, u ~ U[0, 1) per value
(the bin of width 1/255 centred on each level). `test_nll` = -(importance-weighted log p(y)) -
3072 log(1/255) is then, in expectation, an upper bound on the discrete NLL -log P(x) of the
8-bit image, in nats (Theis et al. 2016; the same bound as with y = (k + u)/256 and + 3072 log 256,
since a Gaussian decoder is closed under the affine map between the two), and
`test_bits_per_dim` = test_nll / (3072 ln 2), the unit of the published CIFAR-10 numbers.

Not run here: needs the prepared dataset (README "Datasets"). An MLP VAE is a weak CIFAR-10
model: expect bits/dim far above convolutional or autoregressive models (~3 bits/dim).
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
  config.dequantize = "uniform"        # gaussian: y = x + (u - 1/2)/(levels - 1) at every use; the NLL then bounds the discrete NLL
  config.levels = 256                  # pixel values k/(levels - 1) of a categorical, discretized_logistic or dequantised likelihood
  config.batch_size = 64
  config.num_steps = 200_000
  config.iw_samples = 1000
  return config
