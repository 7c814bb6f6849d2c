"""Autoregressive Transformer (Image GPT style, small) on sklearn digits: the 64 pixels in raster
order as tokens of 17 levels (pixel k/16 -> token k, genvdisc.data.quantize), d_model 32, 4 heads,
2 causal pre-LN blocks (MLP 64); exact NLL by teacher forcing; Adam 3e-3, batch 32, 1500 steps.
Samples are judged by mlp_digits (seed 0, trained once into <workdir>/judges/mlp_digits):
classifier-FID of 1000 samples vs the 450 test images.

  python -m experiments.main --config=experiments/configs/ar_digits.py --workdir=runs/ar_digits

Units: nats per 8x8 image (64 tokens); bits/dim = nll / (64 ln 2). A uniform model over the 17
levels gives 64 ln 17 = 181.3 nats (4.09 bits/dim). The tokens are the pixels themselves, so
this is the exact discrete NLL of the data (bin width 1/16: the piecewise-constant density in
pixel units is -nll + 64 ln 16 nats).

Seeds 0-4 (d_model 64 / MLP 128 overfit more in a look on seed 0, not in a committed table):
Measured in results/generative.md, row ar_digits, column "test NLL (nats)": 85.55 ± 1.21.
Measured in results/generative.md, row ar_digits, column "classifier-FID": 6.4 ± 2.7.
Measured in results/generative.md, row ar_digits, column "classifier-IS": 7.60 ± 0.22.
Measured in results/likelihood.md, row ar_digits, column "bits/dim": 1.929 ± 0.027.
"""

import ml_collections

from experiments.configs import generative


def get_config():
  config = generative.get_config()
  config.name = "ar_digits"
  config.task = "autoregressive"
  config.dataset = "digits"
  config.model = "transformer"
  config.model_kwargs = ml_collections.ConfigDict(
      {"d_model": 32, "num_heads": 4, "num_layers": 2, "mlp_dim": 64})
  config.quantize_bins = 32      # autoregressive, sequences: uniform bins over [-4, 4], values
                                 # clipped (genvdisc.data.quantize); images keep their levels
  config.temperature = 1.0       # autoregressive sampling: x_t ~ softmax(logits_t / temperature)
  config.conditional = False     # autoregressive: True models p(x | y), the start token being
                                 # the label's embedding (needs a labelled dataset)
  config.learning_rate = 3e-3
  config.batch_size = 32
  config.num_steps = 1500
  config.log_every = 500
  config.checkpoint_every = 1500
  config.eval_every = 500
  config.judge = "mlp_digits"
  config.fid_samples = 1000
  return config
