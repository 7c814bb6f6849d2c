"""Class-conditional DDPM on sklearn digits: ddpm_digits with eps_theta(x_t, t, y), the label's
embedding added to the time embedding; nll is the bound on -log P(x | y) with the true label
(nats per image). Samples (for the classifier-FID) draw y uniformly from the 10 classes.

  python -m experiments.main --config=experiments/configs/ddpm_digits_conditional.py \
      --workdir=runs/ddpm_digits_conditional

Seeds 0-4:
Measured in results/generative.md, row ddpm_digits_conditional, column "test NLL (nats)": 88.93 ± 0.32.
Measured in results/generative.md, row ddpm_digits_conditional, column "classifier-FID": 1.4 ± 0.3.
Measured in results/generative.md, row ddpm_digits_conditional, column "classifier-IS": 9.69 ± 0.01.
"""

from experiments.configs import ddpm_digits


def get_config():
  config = ddpm_digits.get_config()
  config.name = "ddpm_digits_conditional"
  config.conditional = True
  return config
