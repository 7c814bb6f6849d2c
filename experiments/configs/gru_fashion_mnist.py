"""Row-by-row GRU on Fashion-MNIST: gru_mnist's network (28 steps of 28 pixels, hidden 128,
readout from the last step, Adam 1e-3, batch 128) for 6000 steps (12.8 epochs), the CPU recipe
of the `fashion` table; gru_mnist's 10,000 steps are `--config.num_steps=10000`.

  python -m experiments.main --config=experiments/configs/gru_fashion_mnist.py \
      --workdir=runs/gru_fashion_mnist

Steps chosen on a validation split, never on test (`--config.validation_fraction=0.1
--config.eval_every=1000 --config.seeds=0`): val_accuracy by 1000 steps 85.8, 87.1, 88.1, 88.1,
89.0, 89.3 %, best at 6000, where the table's CPU budget stops it. seed_group=1, as
lenet_fashion_mnist (5 vmapped seeds: 61 seed-steps/s, one: 53; --seeds=0 then costs one seed).
A GRU rather than a Transformer: about as fast here as a ViT on 7x7 patches (67 seed-steps/s),
and the standard row-by-row reading of the image.
Measured in results/fashion.md, row gru_fashion_mnist, column "test acc %": 89.3 ± 0.5.
"""

from experiments.configs import gru_mnist


def get_config():
  config = gru_mnist.get_config()
  config.name = "gru_fashion_mnist"
  config.dataset = "fashion_mnist"
  config.num_steps = 6000
  config.seeds = "0,1,2,3,4"
  config.seed_group = 1
  return config
