"""lenet_mnist's network on TFDS CIFAR-10 (32x32x3, 10 classes), 20000 steps.

  python -m experiments.main --config=experiments/configs/lenet_cifar10.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/lenet_cifar10

Not run here: needs the prepared dataset (README "Datasets"). LeNet-sized CNNs without data
augmentation usually reach about 60-65 % test accuracy on CIFAR-10.
"""

from experiments.configs import lenet_mnist


def get_config():
  config = lenet_mnist.get_config()
  config.name = "lenet_cifar10"
  config.dataset = "tfds:cifar10"
  config.num_steps = 20000
  return config
