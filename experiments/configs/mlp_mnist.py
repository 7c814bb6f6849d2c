"""MLP 784-256-128-10 on TFDS MNIST: the judge classifier of gan_mnist's classifier-FID/IS.

  python -m experiments.main --config=experiments/configs/mlp_mnist.py --config.data_dir=/data/tfds \
      --workdir=runs/mlp_mnist

Not measured here (MNIST must be prepared first, see README "Datasets"); LeCun et al. report
~1.5-3 % error for 2-layer MLPs.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "mlp_mnist"
  config.model = "mlp"
  config.model_kwargs.hidden_sizes = (256, 128)
  config.dataset = "tfds:mnist"  # the full MNIST of its anchor, not mnist_5k: docs/datasets.md
  config.learning_rate = 1e-3
  config.batch_size = 128
  config.num_steps = 5000
  return config
