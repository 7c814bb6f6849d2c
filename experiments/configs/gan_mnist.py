"""DCGAN-style GAN (no batch norm): generator 100 -> 7x7x128 -> ConvT 64 -> ConvT 1 (28x28),
discriminator Conv 64 -> Conv 128 (4x4, stride 2, leaky ReLU) -> 1; non-saturating loss,
Adam 2e-4 with b1 = 0.5 (Radford et al. 2016), on TFDS MNIST (prepare it first, see README
"Datasets"). Judged by mlp_mnist (classifier-FID / classifier-IS every 2000 steps; not
comparable with the Inception FID of Lucic et al. 2018).

  python -m experiments.main --config=experiments/configs/gan_mnist.py --config.data_dir=/data/tfds \
      --workdir=runs/gan_mnist

Not measured here (no MNIST and no GPU on the development machine); only its shrunk version
runs, in tests, on TFDS mock data.
"""

from experiments.configs import generative


def get_config():
  config = generative.get_config()
  config.name = "gan_mnist"
  config.task = "gan"
  config.dataset = "tfds:mnist"  # the full MNIST of its anchor, not mnist_5k: docs/datasets.md
  config.model = "dcgan"
  config.model_kwargs = {"features": (64, 128)}
  config.latent_dim = 100
  config.generator_loss = "nonsaturating"
  config.learning_rate = 2e-4
  config.adam_b1 = 0.5
  config.batch_size = 64
  config.num_steps = 20_000
  config.log_every = 1000
  config.checkpoint_every = 5000
  config.eval_every = 2000
  config.judge = "mlp_mnist"
  return config
