"""Byte-level Transformer on TFDS imdb_reviews (sentiment, 2 classes): UTF-8 bytes as tokens,
max_length 512 with a padding mask, d_model 64, 4 heads, 2 pre-LN blocks, sinusoidal positions,
mean pooling over real tokens; Adam 3e-4, batch 32, 10000 steps.

  python -m experiments.main --config=experiments/configs/transformer_imdb.py \
      --workdir=runs/transformer_imdb --config.data_dir=/path/to/tensorflow_datasets

Needs a prepared TFDS `imdb_reviews` (README: the offline path); not run here (no internet),
so no expected number yet.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "transformer_imdb"
  config.model = "transformer"
  config.model_kwargs.d_model = 64
  config.model_kwargs.num_heads = 4
  config.model_kwargs.num_layers = 2
  config.model_kwargs.mlp_dim = 128
  config.model_kwargs.positions = "sinusoidal"
  config.model_kwargs.pool = "mean"
  config.dataset = "tfds:imdb_reviews"
  config.max_length = 512
  config.learning_rate = 3e-4
  config.batch_size = 32
  config.num_steps = 10000
  config.eval_batch_size = 250
  config.seeds = "0,1,2"
  config.seed_group = 3
  return config
