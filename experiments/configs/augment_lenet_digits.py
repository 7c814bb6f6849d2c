"""LeNet on a small labelled set of digits, the augment table's classifier (lenet_digits' recipe).

The table (`python -m experiments.reproduce --table=augment`) trains one seed per run on that
seed's labelled images (plus generated ones), so seed_group is 1 and a seed's numbers depend on
nothing else; random_shift = 1 turns on the classic augmentation.
"""

from experiments.configs import lenet_digits


def get_config():
  config = lenet_digits.get_config()
  config.name = "augment_lenet_digits"
  config.random_shift = 0            # classic augmentation: shift each training image by U{-s..s}^2 px
  config.num_steps = 1000
  config.seeds = "0"
  config.seed_group = 1
  config.log_every = 1000
  config.checkpoint_every = 1000
  return config
