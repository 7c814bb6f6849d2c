"""Ng & Jordan (2001) learning curves: GNB and LDA against logistic regression and the linear SVM.

  python -m experiments.reproduce --table=ngjordan --out=results
  python -m experiments.reproduce --table=ngjordan --out=results --seeds=3   # split 3 alone, equal

Test error against training-set size m, over `num_splits` random subsets per m (split seeds
0..num_splits-1; see genvdisc.analysis.learning_curves for the sampling), the held-out rest of the
dataset as test set. Tabular features (iris, wine, breast_cancer) are standardised inside each
fit with the mean and std of that subset's training examples only; digits' pixels stay / 16.
LR and the SVM are near-unregularised (C = 1e4, sklearn's convention), as in the shared
README's breast_cancer anchor: with the default C = 1 LR wins at every m, and Ng & Jordan's LR
is unregularised.
"""

import ml_collections


def get_config() -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.datasets = "iris,wine,breast_cancer,digits"  # genvdisc.data names (features flattened)
  config.split_seed = 0              # data.load's split: only orders the pool (train, then test)
  config.sizes = ml_collections.ConfigDict({       # geometric grids of m, classes x min_per_class <= m < examples
      "iris": "6,12,24,48,96",
      "wine": "6,12,24,48,96",
      "breast_cancer": "10,20,40,80,160,320",
      "digits": "20,40,80,160,320,640,1280",
  })
  config.num_splits = 100            # split seeds 0..num_splits-1 (--seeds overrides)
  config.min_per_class = 2           # each subset holds at least this many examples of every class
  config.split_group = 25            # splits vmapped together; a split's numbers depend on this
                                     # width only: keep it to rerun a split
  config.classifiers = "gnb,lda,logreg,linear_svm"  # keys of learning_curves.classifiers
  config.var_smoothing = 1e-9        # GNB: eps = var_smoothing * max feature variance (sklearn)
  config.lda_tol = 1e-4              # LDA: singular values <= tol are dropped (sklearn's svd solver)
  config.qda_reg = 0.1               # QDA (if listed): S_k = (1 - reg) C_k + reg I
  config.C = 1e4                     # LR / SVM: + ||W||^2 / (2 C m), sklearn's C
  config.steps = 2000                # LR / SVM: full-batch Adam steps
  config.learning_rate = 0.1         # LR / SVM: Adam's initial rate, cosine-decayed to 0
  return config
