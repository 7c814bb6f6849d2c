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
evaluated every 500 steps (92.2 nats at 2000; 96.4 at vae_digits' 5000 steps: the 17-way softmax
overfits the 1347 images).

Expected (seeds 0-4, 2-core CPU shared with other jobs, jax 0.10.2; nats per image of the
17-level data, NLL with k = 5000 importance samples; 455 s, most of it the NLL):
  test ELBO -94.64 ± 0.25, test NLL 92.10 ± 0.38 (2.076 bits/dim), KL 7.96 ± 0.60.
  per seed test (ELBO, NLL): 0 (-94.90, 92.25), 1 (-94.92, 92.62), 2 (-94.48, 91.75),
  3 (-94.44, 92.19), 4 (-94.47, 91.69).
--config.conditional=True (601 s): -log p(x|y) 88.72 ± 0.23 (ELBO -91.01 ± 0.12, KL 5.69 ±
  0.28), per seed 88.80, 88.94, 88.78, 88.76, 88.33: 3.4 nats below the VAE's -log p(x). For one
  model log p(x|y) - log p(x) = log p(y|x) + log 10 <= log 10 = 2.30 nats, so about 1 nat of the
  gap is the CVAE's better fit.
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
