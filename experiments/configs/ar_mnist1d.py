"""Autoregressive Transformer on MNIST-1D: the 40 values of a signal as tokens, each quantised
into 32 uniform bins of width 0.25 over [-4, 4] (values outside are clipped: 0.02 % of them;
genvdisc.data.quantize); otherwise ar_digits' network, Adam 3e-3, batch 32, 3000 steps.

  python -m experiments.main --config=experiments/configs/ar_mnist1d.py --workdir=runs/ar_mnist1d

Units: nats per signal of 40 tokens; bits/dim = nll / (40 ln 2). A uniform model over the 32
bins gives 40 ln 32 = 138.6 nats (5 bits/dim). As a density in the signal's units (piecewise
constant over the bins) the log-likelihood is -nll - 40 ln 0.25 = -nll + 55.5 nats.

Measured: not in a committed table (its conditional variant is a row of
results/genclf_mnist1d.md).
"""

from experiments.configs import ar_digits


def get_config():
  config = ar_digits.get_config()
  config.name = "ar_mnist1d"
  config.dataset = "mnist1d"
  config.quantize_bins = 32
  config.num_steps = 3000
  config.log_every = 1000
  config.checkpoint_every = 3000
  config.eval_every = 0
  config.judge = ""
  return config
