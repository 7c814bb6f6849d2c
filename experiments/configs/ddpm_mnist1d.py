"""DDPM on MNIST-1D: the 40 values of a signal quantised into 32 uniform bins of width 0.25 over
[-4, 4] (values outside clipped; genvdisc.data.quantize, as ar_mnist1d), mapped to 32 levels in
[-1, 1]; otherwise ddpm_digits' diffusion and network.

  python -m experiments.main --config=experiments/configs/ddpm_mnist1d.py --workdir=runs/ddpm_mnist1d

Units: nats per signal of 40 tokens, a bound on the discrete NLL of the quantised signal;
bits/dim = nll / (40 ln 2). A uniform model over the 32 bins gives 40 ln 32 = 138.6 nats.

Expected (seeds 0-4, 2-core CPU shared with other jobs at load 3-4, jax 0.10.2; 5 min 17 s for
the command, 313 s for the run: 5000 steps at 148 seed-steps/s, 137 s evaluating the 1000-step
bound of the 1000 test signals):
  test nll 104.54 ± 0.42 nats (3.771 ± 0.015 bits/dim); per seed 104.71, 104.64, 104.43,
  105.03, 103.90. Test L_simple 5.98 ± 0.23.
The bound is loose here: the signals (std 1) fill about a quarter of [-4, 4], so the noise levels
between the bin width and the signal's scale get few of the T steps. One seed: the linear
schedule gives 116.7, the cosine with T = 2000 100.6 (T = 1000 here: 104.4).
"""

from experiments.configs import ddpm_digits


def get_config():
  config = ddpm_digits.get_config()
  config.name = "ddpm_mnist1d"
  config.dataset = "mnist1d"
  config.judge = ""
  config.image_grid = 0
  return config
