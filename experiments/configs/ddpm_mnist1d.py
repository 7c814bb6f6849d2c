"""DDPM on MNIST-1D: the 40 values of a signal quantised into 32 uniform bins of width 0.25 over
[-4, 4] (values outside clipped; genvdisc.data.quantize, as ar_mnist1d), mapped to 32 levels in
[-1, 1]; otherwise ddpm_digits' diffusion and network.

  python -m experiments.main --config=experiments/configs/ddpm_mnist1d.py --workdir=runs/ddpm_mnist1d

Units: nats per signal of 40 tokens, a bound on the discrete NLL of the quantised signal;
bits/dim = nll / (40 ln 2). A uniform model over the 32 bins gives 40 ln 32 = 138.6 nats.

Measured: not in a committed table (its conditional variant is a row of
results/genclf_mnist1d.md). The bound is loose here: the signals (std 1) fill about a quarter
of [-4, 4], so the noise levels between the bin width and the signal's scale get few of the T
steps.
"""

from experiments.configs import ddpm_digits


def get_config():
  config = ddpm_digits.get_config()
  config.name = "ddpm_mnist1d"
  config.dataset = "mnist1d"
  config.judge = ""
  config.image_grid = 0
  return config
