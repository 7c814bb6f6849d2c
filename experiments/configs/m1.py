"""The m1 table (Kingma et al. 2014's M1 features for a discriminative model) on digits.

  python -m experiments.reproduce --table=m1 --out=results
  python -m experiments.reproduce --table=m1 --out=results --seeds=3   # seed 3 alone, equal

Seed s labels `subsets.labelled_indices(y_train, n, s)` (n / 10 per class) for n in
`num_labels`, 'all' = the whole training split. LR and the Crammer–Singer SVM
(`learning_curves.linear_classifier`: full-batch Adam on the weighted, L2-penalised loss with
sklearn's C) are fitted on those examples' features, once on raw pixels and once on M1's
posterior means (the VAE of experiments/configs/m1_vae_digits.py, trained without labels);
test error on the test split.

Tried on seeds 0-4 before fixing this recipe (not in a committed table): standardising the
features (it inflates the near-collapsed latent dimensions), C in {0.1, 1, 10}, and VAEs with
beta 0.5, beta 0.25 with 32 latents, and no binarisation; no variant of M1 beat raw pixels.
Measured in results/m1.md, row LR/pixels, column "100 labels": 8.6 ± 0.7.
Measured in results/m1.md, row LR/M1, column "100 labels": 10.9 ± 0.6.
Measured in results/m1.md, row SVM/pixels, column "100 labels": 9.2 ± 1.0.
Measured in results/m1.md, row SVM/M1, column "100 labels": 11.6 ± 1.5.
"""

import ml_collections


def get_config() -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.vae = "m1_vae_digits"       # experiments/configs/<vae>.py: the M1 VAE
  config.num_labels = "20,50,100,all"  # labelled training examples; 'all' = the training split
  config.num_seeds = 5               # seeds 0..num_seeds-1 (--seeds overrides)
  config.classifiers = "logreg,linear_svm"  # logreg (cross-entropy) and/or linear_svm (hinge)
  config.standardize = False          # z-score both feature sets with the train split's statistics
  config.C = 1.0                     # LR / SVM: + ||W||^2 / (2 C m), sklearn's C
  config.steps = 1000                # LR / SVM: full-batch Adam steps
  config.learning_rate = 0.1         # LR / SVM: Adam's initial rate, cosine-decayed to 0
  return config
