"""Class-conditional autoregressive Transformer on sklearn digits: ar_digits with p(x | y), the
start token the label's embedding; nll is -log p(x | y) with the true label (nats per image).
Samples (for the classifier-FID) draw y uniformly from the 10 classes.

  python -m experiments.main --config=experiments/configs/ar_digits_conditional.py \
      --workdir=runs/ar_digits_conditional

Seeds 0-4, the test split only (the generative table's row):
Measured in results/generative.md, row ar_digits_conditional_test, column "test NLL (nats)": 81.78 ± 1.38.
Measured in results/generative.md, row ar_digits_conditional_test, column "classifier-FID": 4.0 ± 1.0.
Measured in results/generative.md, row ar_digits_conditional_test, column "classifier-IS": 9.16 ± 0.10.
Its exact marginal -log (1/10) sum_y p(x | y) (task.log_prob without labels): not in a committed table.
"""

from experiments.configs import ar_digits


def get_config():
  config = ar_digits.get_config()
  config.name = "ar_digits_conditional"
  config.conditional = True
  return config
