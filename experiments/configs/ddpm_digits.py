"""DDPM (Ho et al. 2020) on sklearn digits: the 64 pixels at their 17 levels k/16, mapped to
[-1, 1]; T = 1000, cosine schedule (Nichol & Dhariwal), reverse variance beta-tilde_t; an MLP
(width 256, 2 residual blocks, sinusoidal time embedding) giving logits over each pixel's 17
levels, combined with q(x_t|x_0) into E[x_0|x_t] and so eps_theta (`parameterization='levels'`,
models/denoiser.py); L_simple, Adam 2e-3 with cosine decay, batch 64, 5000 steps. Samples are
judged by mlp_digits (seed 0, trained once into <workdir>/judges/mlp_digits): classifier-FID of
1000 samples vs the 450 test images.

  python -m experiments.main --config=experiments/configs/ddpm_digits.py --workdir=runs/ddpm_digits

Units: nats per 8x8 image; `nll` is the full variational bound L_vlb (all 1000 terms, one x_t
each), an upper bound on the exact discrete NLL; bits/dim = nll / (64 ln 2). A uniform model
over the 17 levels gives 64 ln 17 = 181.3 nats (4.09 bits/dim).

Seeds 0-4 (the linear schedule, --config.noise_schedule=linear, is not in a committed table):
Measured in results/generative.md, row ddpm_digits, column "test NLL (nats)": 90.99 ± 0.23.
Measured in results/likelihood.md, row ddpm_digits, column "bits/dim": 2.051 ± 0.005.
Measured in results/generative.md, row ddpm_digits, column "classifier-FID": 1.2 ± 0.2.
Measured in results/generative.md, row ddpm_digits, column "classifier-IS": 9.29 ± 0.05.
"""

import ml_collections

from experiments.configs import generative


def get_config():
  config = generative.get_config()
  config.name = "ddpm_digits"
  config.task = "ddpm"
  config.dataset = "digits"
  config.model = "mlp"
  config.model_kwargs = ml_collections.ConfigDict(
      {"width": 256, "num_blocks": 2, "embedding_dim": 64, "head_rank": 64})
  config.diffusion_steps = 1000      # ddpm: T, the number of noising steps
  config.noise_schedule = "cosine"   # ddpm: betas, linear (Ho et al., ends scaled by 1000/T) | cosine (Nichol & Dhariwal)
  config.reverse_variance = "beta_tilde"  # ddpm: sigma_t^2 of p(x_{t-1}|x_t), beta | beta_tilde (posterior variance)
  config.parameterization = "levels"  # ddpm: eps (the network gives eps_theta, Ho et al.) | levels
                                      # (logits over each value's levels -> E[x_0|x_t] -> eps_theta)
  config.conditional = False         # ddpm: True models p(x | y) with a label embedding (needs labels)
  config.quantize_bins = 32          # sequences: uniform bins over [-4, 4] (genvdisc.data.quantize);
                                     # images keep their levels (digits: 17)
  config.learning_rate = 2e-3
  config.lr_schedule = "cosine"
  config.batch_size = 64
  config.num_steps = 5000
  config.log_every = 1000
  config.checkpoint_every = 5000
  config.judge = "mlp_digits"
  config.fid_samples = 1000
  return config
