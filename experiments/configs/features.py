"""The features table: GNB and LDA against LR on frozen features (Zheng et al. 2023).

  python -m experiments.reproduce --table=features --out=results
  python -m experiments.reproduce --table=features --out=results --seeds=3   # split 3 alone, equal

Learning curves (experiments/tables/features.py) on four feature sets of digits: raw pixels,
M1 VAE posterior means, AR Transformer hidden states (iGPT-style) and the last hidden layer of an
MLP trained on a disjoint part of the training split. The classifiers and their hyperparameters
are ngjordan's (experiments/configs/ngjordan.py: C = 1e4, full-batch Adam); every feature is
standardised inside each fit with its subset's own statistics.

Measured (splits 0-99, 2-core CPU shared with other jobs (load average 5-7), jax 0.10.2; 28.9
min wall, 18.4 min CPU: extractors 19 s VAE, 66 s AR, 9 s MLP; curves 518 s pixels, 219 s
VAE, 339 s AR, 540 s supervised; `--seeds=3` took 8.3 min and equals split 3's entries bitwise).
Crossover m: GNB vs LR none for every feature set (LR better at every m); LDA vs LR 640 on the
VAE features (LDA better at m = 40..320), none on pixels, AR and supervised features, where LR
is better at small m and LDA from m = 320 (pixels, supervised) or 80 (AR) on: Ng & Jordan's
order reversed. Test error, mean over splits, m = 20 / 940:
  pixels      GNB .500 / .193   LDA .506 / .036   LR .304 / .043
  VAE (16)    GNB .751 / .106   LDA .450 / .083   LR .421 / .042
  AR (32)     GNB .816 / .351   LDA .634 / .182   LR .566 / .222
  supervised  GNB .627 / .044   LDA .209 / .029   LR .100 / .031
95% half-widths <= .022. Extractors (seed 0): VAE test NLL 22.63 nats (k = 100), AR test NLL
87.40 nats (ar_digits' seed 0 to the digit: the judge changes no training), MLP 95.3 % test
accuracy from its 400 rows. LDA peaks where m nears the dimension (AR m = 40, supervised m = 80).
MNIST-1D is not run: there is no VAE config for it, and LR's cost grows with rows x dimension
(a 3600-row pool + 1000 test rows, 3.3x digits' rows): about 1.5 hours at this load.
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
