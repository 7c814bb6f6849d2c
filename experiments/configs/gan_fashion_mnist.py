"""gan_mnist's DCGAN and recipe on Fashion-MNIST (read offline: apt-get install
dataset-fashion-mnist; docs/datasets.md), judged by lenet_fashion_mnist (classifier-FID /
classifier-IS every 2000 steps; not comparable with Inception FID).

  python -m experiments.main --config=experiments/configs/gan_fashion_mnist.py \
      --workdir=runs/gan_fashion_mnist

Not measured here.
"""

from experiments.configs import gan_mnist


def get_config():
  config = gan_mnist.get_config()
  config.name = "gan_fashion_mnist"
  config.dataset = "fashion_mnist"  # the original IDX files (or a TFDS copy): docs/datasets.md
  config.judge = "lenet_fashion_mnist"
  return config
