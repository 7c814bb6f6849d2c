"""The MNIST-1D paper's GRU: bidirectional, hidden size 6, every step's state flattened into a
linear layer; its recipe (Adam 1e-2, batch 100, 6000 steps, no L2).

  python -m experiments.main --config=experiments/configs/gru_mnist1d.py --workdir=runs/gru_mnist1d

Paper (Greydanus & Kobak, README table): 91 %; its notebook (seed 42): 89.1 %.
Measured in results/mnist1d.md, row gru_mnist1d, column "test acc %": 90.3 ± 0.8.
"""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.name = "gru_mnist1d"
  config.model = "rnn"
  config.model_kwargs.cell = "gru"
  config.model_kwargs.hidden_size = 6
  config.model_kwargs.bidirectional = True
  config.model_kwargs.readout = "all"
  config.dataset = "mnist1d"
  config.objective = "cross_entropy"
  config.learning_rate = 1e-2
  config.batch_size = 100
  config.num_steps = 6000
  return config
