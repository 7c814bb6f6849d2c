"""gan_mnist's DCGAN (generator 100 -> 8x8x128 -> ConvT 64 -> ConvT 3, 32x32x3) on TFDS
CIFAR-10, 50000 steps, judged by lenet_cifar10 (classifier-FID / classifier-IS; not comparable
with the Inception FID of published CIFAR-10 GANs).

  python -m experiments.main --config=experiments/configs/gan_cifar10.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/gan_cifar10

Not run here: needs the prepared dataset (README "Datasets").
"""

from experiments.configs import gan_mnist


def get_config():
  config = gan_mnist.get_config()
  config.name = "gan_cifar10"
  config.dataset = "tfds:cifar10"
  config.num_steps = 50_000
  config.judge = "lenet_cifar10"
  return config
