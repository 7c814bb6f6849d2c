"""gan_mnist's DCGAN and recipe on TFDS Fashion-MNIST, judged by lenet_fashion_mnist
(classifier-FID / classifier-IS every 2000 steps; not comparable with Inception FID).

  python -m experiments.main --config=experiments/configs/gan_fashion_mnist.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/gan_fashion_mnist

Not run here: needs the prepared dataset (README "Datasets").
"""

from experiments.configs import gan_mnist


def get_config():
  config = gan_mnist.get_config()
  config.name = "gan_fashion_mnist"
  config.dataset = "tfds:fashion_mnist"
  config.judge = "lenet_fashion_mnist"
  return config
