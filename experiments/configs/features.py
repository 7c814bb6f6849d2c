"""The features table: GNB and LDA against LR on frozen features (Zheng et al. 2023).

  python -m experiments.reproduce --table=features --out=results
  python -m experiments.reproduce --table=features --out=results --seeds=3   # split 3 alone, equal

Learning curves (experiments/tables/features.py) on four feature sets of digits: raw pixels,
M1 VAE posterior means, AR Transformer hidden states (iGPT-style) and the last hidden layer of an
MLP trained on a disjoint part of the training split. The classifiers and their hyperparameters
are ngjordan's (experiments/configs/ngjordan.py: C = 1e4, full-batch Adam); every feature is
standardised inside each fit with its subset's own statistics.

Splits 0-99; the crossovers (every curve is in results/features.md, discussed in
docs/results.md):
Measured in results/features.md, row digits pixels, column "GNB vs LR": none: discriminative wins at every m.
Measured in results/features.md, row digits pixels, column "LDA vs LR": none: generative wins at the largest m.
Measured in results/features.md, row digits vae, column "GNB vs LR": none: discriminative wins at every m.
Measured in results/features.md, row digits vae, column "LDA vs LR": 640.
Measured in results/features.md, row digits ar, column "GNB vs LR": none: discriminative wins at every m.
Measured in results/features.md, row digits ar, column "LDA vs LR": none: generative wins at the largest m.
Measured in results/features.md, row digits supervised, column "GNB vs LR": none: discriminative wins at every m.
Measured in results/features.md, row digits supervised, column "LDA vs LR": none: generative wins at the largest m.
Measured in results/features.md, row digits supervised, column "its own test accuracy %": 95.3.
MNIST-1D is not run: there is no VAE config for it.
"""

import ml_collections

from experiments.configs import ngjordan


def get_config() -> ml_collections.ConfigDict:
  config = ngjordan.get_config()     # splits, classifier fields and their meaning: ngjordan.py
  config.datasets = "digits"         # genvdisc.data names with an `extractors` entry
  config.split_seed = 0              # data.load's train/test split: every extractor's config must
                                     # use it too (its training rows are this training split's)
  config.classifiers = "gnb,lda,logreg"   # the generative pair against LR (learning_curves keys)
  config.sizes = ml_collections.ConfigDict({   # grids of m: classes x min_per_class <= m < pool
      "digits": "20,40,80,160,320,640,940",    # pool: 1347 training rows - 400 supervised = 947
  })
  config.features = "pixels,vae,ar,supervised"  # feature sets in table order (pixels: no extractor)
  config.extractors = ml_collections.ConfigDict({  # per dataset: feature -> experiments/configs name
      "digits": {"vae": "m1_vae_digits", "ar": "ar_digits",
                 "supervised": "mlp_digits"},
  })
  config.supervised_per_class = 40   # the supervised extractor trains on seed 0's class-balanced
                                     # subset of this many training rows per class; the curves
                                     # draw from the rest of the training split
  return config
