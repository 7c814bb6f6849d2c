"""The augment table: generative data augmentation for LeNet on digits with 100 labels.

  python -m experiments.reproduce --table=augment --out=results
  python -m experiments.reproduce --table=augment --out=results --seeds=3   # seed 3 alone, equal

Seed s: the 100 labelled images of subset s (`genvdisc.data.subsets.labelled_indices`), LeNet
(augment_lenet_digits) trained on (a) them alone, (b) them with random ±1-pixel shifts,
(c) them plus `generated_per_class` samples per class of seed s's M2 (m2_digits with 100
labels, trained on the same labelled subset and every training image unlabelled:
E[x|y,z] of its decoder, z ~ N(0, I)).
"""

import ml_collections


def get_config() -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.classifier = "augment_lenet_digits"  # experiments/configs module of the CNN
  config.num_labels = 100            # labelled images of seed s's subset (num_labels / 10 per class)
  config.generated_per_class = 50    # M2 samples per class added in (c)
  config.num_seeds = 5               # seeds 0..num_seeds-1 (--seeds overrides)
  return config
