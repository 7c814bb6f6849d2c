"""Row-by-row GRU on TFDS MNIST: 28 steps of 28 pixels, hidden 128, readout from the last step;
Adam 1e-3, batch 128, 10000 steps.

  python -m experiments.main --config=experiments/configs/gru_mnist.py --workdir=runs/gru_mnist \
      --config.data_dir=/path/to/tensorflow_datasets

Needs a prepared TFDS `mnist` (README: the offline path); not run here (no internet).
Anchor (shared README): row-by-row LSTM/GRU typically reach 98.5-99 % test accuracy.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "gru_mnist"
  config.model = "rnn"
  config.model_kwargs.cell = "gru"
  config.model_kwargs.hidden_size = 128
  config.model_kwargs.bidirectional = False
  config.model_kwargs.readout = "last"
  config.dataset = "tfds:mnist"  # the full MNIST of its anchor, not mnist_5k: docs/datasets.md
  config.learning_rate = 1e-3
  config.batch_size = 128
  config.num_steps = 10000
  config.seeds = "0,1,2"
  config.seed_group = 3
  return config
