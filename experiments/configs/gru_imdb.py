"""Byte-level GRU on TFDS imdb_reviews (sentiment, 2 classes): UTF-8 bytes embedded in 32
dimensions, max_length 256, bidirectional GRU hidden 64, readout from the last step of each
direction; Adam 1e-3, batch 32, 10000 steps.

  python -m experiments.main --config=experiments/configs/gru_imdb.py \
      --config.data_dir=/path/to/tensorflow_datasets --workdir=runs/gru_imdb

Not run here: needs the prepared dataset (README "Datasets"), so no expected number yet.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "gru_imdb"
  config.model = "rnn"
  config.model_kwargs.cell = "gru"
  config.model_kwargs.hidden_size = 64
  config.model_kwargs.bidirectional = True
  config.model_kwargs.readout = "last"
  config.model_kwargs.embed_dim = 32
  config.dataset = "tfds:imdb_reviews"
  config.max_length = 256
  config.learning_rate = 1e-3
  config.batch_size = 32
  config.num_steps = 10000
  config.eval_batch_size = 250
  config.seeds = "0,1,2"
  config.seed_group = 3
  return config
