"""vae_mnist's network and recipe (Burda et al.'s 784-200-200-50 MLP VAE, dynamic binarisation)
on TFDS Fashion-MNIST.

  python -m experiments.main --config=experiments/configs/vae_fashion_mnist.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/vae_fashion_mnist

Not run here: needs the prepared dataset (README "Datasets"); no published anchor with this
protocol, so no expected number.
"""

from experiments.configs import vae_mnist


def get_config():
  config = vae_mnist.get_config()
  config.name = "vae_fashion_mnist"
  config.dataset = "tfds:fashion_mnist"
  return config
