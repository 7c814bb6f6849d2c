"""The MNIST-1D paper's CNN (3 x Conv1d 25 ch, kernels 5/3/3, stride 2, + linear), its recipe
(Adam 1e-2, batch 100, 6000 steps, no L2).

Paper (Greydanus & Kobak, README table): 94 %; its notebook (seed 42): 92.3 %.

  python -m experiments.main --config=experiments/configs/cnn_mnist1d.py --workdir=runs/cnn_mnist1d

Measured in results/summary.md, row cnn_mnist1d, column "mean ± std": 93.9 ± 1.4.
Measured in results/mnist1d.md, row cnn_mnist1d, column "test acc %": 93.9 ± 1.4.
Measured in results/core.md, row cnn_mnist1d, column "test acc %": 93.9 ± 1.4.
"""

from experiments.configs import logreg_mnist1d


def get_config():
  config = logreg_mnist1d.get_config()  # the paper's data and recipe
  config.name = "cnn_mnist1d"
  config.model = "cnn1d"
  config.model_kwargs.channels = 25
  config.model_kwargs.kernel_sizes = (5, 3, 3)
  return config
