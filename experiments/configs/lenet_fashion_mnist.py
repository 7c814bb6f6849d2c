"""lenet_mnist's network and recipe on TFDS Fashion-MNIST (28x28x1, 10 classes).

  python -m experiments.main --config=experiments/configs/lenet_fashion_mnist.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/lenet_fashion_mnist

Not run here: needs the prepared dataset (README "Datasets"). Small CNNs of this size are
usually reported at about 89-91 % test accuracy on Fashion-MNIST.
"""

from experiments.configs import lenet_mnist


def get_config():
  config = lenet_mnist.get_config()
  config.name = "lenet_fashion_mnist"
  config.dataset = "tfds:fashion_mnist"
  return config
