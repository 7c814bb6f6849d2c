"""VAE (ELBO, beta = 1) with vae_digits' network and recipe, but a 17-way categorical decoder:
p(x_d|z) is a softmax over the 17 values k/16 of an sklearn digits pixel, so the likelihood is of
the data themselves (no binarisation), in nats per image; experiments/tables/likelihood.py puts
it beside every other generative model of digits.

  python -m experiments.main --config=experiments/configs/vae_digits_categorical.py \
      --workdir=runs/vae_digits_categorical
  # class-conditional (a CVAE; its NLL is -log p(x|y), not comparable with -log p(x)):
  ... --config.conditional=True --workdir=runs/vae_digits_categorical_conditional
  # PixelCNN++'s discretised logistic (2 outputs per pixel) instead of the 17-way softmax:
  ... --config.likelihood=discretized_logistic --workdir=runs/vae_digits_logistic

2000 steps: the lowest validation NLL (k = 100) of seed 0 trained on 80 % of the training split,
evaluated every 500 steps (that run is not in a committed table: its validation NLL was lowest
at 2000 steps and higher at vae_digits' 5000, so the 17-way softmax overfits the 1347 images).

Seeds 0-4 (the conditional variant, -log p(x|y), is not in a committed table):
Measured in results/likelihood.md, row vae_digits_categorical, column "test NLL (nats/image)": 92.10 ± 0.38.
Measured in results/likelihood.md, row vae_digits_categorical, column "bits/dim": 2.076 ± 0.009.
"""

from experiments.configs import vae_digits


def get_config():
  config = vae_digits.get_config()
  config.name = "vae_digits_categorical"
  config.likelihood = "categorical"
  config.binarize = "none"
  config.levels = 17                   # pixel values k/(levels - 1) of a categorical, discretized_logistic or dequantised likelihood
  config.conditional = False           # vae/iwae: encoder and decoder see onehot(label); metrics of log p(x|y)
  config.num_steps = 2000              # the lowest validation NLL (module docstring)
  config.checkpoint_every = 2000
  config.eval_splits = "test"
  return config
