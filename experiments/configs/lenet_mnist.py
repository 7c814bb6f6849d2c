"""LeNet-5 style CNN (conv 6 and 16 channels, 5x5 SAME, dense 120-84) on TFDS MNIST; Adam 1e-3,
batch 128, 10000 steps. Also the judge of gan_mnist-style runs that want conv features.

  python -m experiments.main --config=experiments/configs/lenet_mnist.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/lenet_mnist

Not run here: needs the prepared dataset (README "Datasets"). Anchor: LeCun et al. report
0.95 % test error for LeNet-5, so expect about 99 % test accuracy.
"""

from experiments.configs import lenet_digits


def get_config():
  config = lenet_digits.get_config()
  config.name = "lenet_mnist"
  config.dataset = "tfds:mnist"  # the full MNIST of its anchor, not mnist_5k: docs/datasets.md
  config.batch_size = 128
  config.num_steps = 10000
  config.log_every = 1000
  config.seeds = "0,1,2"
  config.seed_group = 3
  return config
