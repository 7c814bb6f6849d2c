"""Transformer encoder on MNIST-1D (a row the paper lacks): overlapping windows of 8 steps every
2 steps -> 17 tokens, d_model 32, 4 heads, 2 pre-LN blocks (MLP 64), learned positions,
mean-pooled readout; Adam 1e-3, batch 100, 4000 steps, L2 with C=0.2.

  python -m experiments.main --config=experiments/configs/transformer_mnist1d.py --workdir=runs/transformer_mnist1d

Recipe chosen on a validation split (10 % of the training split, stratified, split_seed 0),
seeds 0-2, by one sweep command (2 structural groups x 3 learning rates):

  python -m experiments.main --config=experiments/configs/transformer_mnist1d.py \
      --workdir=runs/transformer_mnist1d_sweep --config.seeds=0,1,2 --config.seed_group=3 \
      --config.sweep='model_kwargs.patch_stride=2,4;learning_rate=1e-3,2e-3,4e-3'

The sweep's numbers are not in a committed table: stride 2 won clearly; between 1e-3 and 2e-3
validation could not tell (their difference was far below the seeds' std). The earlier recipe
(2e-3) was tuned on seed 0's *test* accuracy; this one never looked at the test split.
Measured in results/mnist1d.md, row transformer_mnist1d, column "test acc %": 96.3 ± 0.3.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "transformer_mnist1d"
  config.model = "transformer"
  config.model_kwargs.d_model = 32
  config.model_kwargs.num_heads = 4
  config.model_kwargs.num_layers = 2
  config.model_kwargs.mlp_dim = 64
  config.model_kwargs.patch_size = 8
  config.model_kwargs.patch_stride = 2
  config.model_kwargs.positions = "learned"
  config.model_kwargs.pool = "mean"
  config.dataset = "mnist1d"
  config.objective = "cross_entropy"
  config.C = 0.2
  config.learning_rate = 1e-3
  config.batch_size = 100
  config.num_steps = 4000
  return config
