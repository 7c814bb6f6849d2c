"""vae_mnist's network and recipe (Burda et al.'s 784-200-200-50 MLP VAE, dynamic binarisation)
on Fashion-MNIST (read offline: apt-get install dataset-fashion-mnist; docs/datasets.md).

  python -m experiments.main --config=experiments/configs/vae_fashion_mnist.py \
      --workdir=runs/vae_fashion_mnist

Not measured here; no published anchor with this protocol, so no expected number.
"""

from experiments.configs import vae_mnist


def get_config():
  config = vae_mnist.get_config()
  config.name = "vae_fashion_mnist"
  config.dataset = "fashion_mnist"  # the original IDX files (or a TFDS copy): docs/datasets.md
  return config
