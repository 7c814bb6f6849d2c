"""genvdisc's closed-form and full-batch fits against scikit-learn's, on digits (64 pixels / 16).

A seed is a random training subset of `SUBSET` examples of the fixed training split; both sides
fit the same subsets and are scored on the test split. genvdisc fits all seeds in one jitted
`vmap` over 0/1 subset weights on the shared pool (train + test, test weighted 0), as
`genvdisc.analysis.learning_curves` does: with the data shared, vmapped matmuls stay plain matmuls (XLA:CPU
runs batched matmuls about half as fast per item). Timed after a compiling warm-up call;
scikit-learn fits the subsets one after another.

- linear SVM: Crammer–Singer hinge, C = 1, full-batch Adam (`learning_curves.linear_classifier`)
  against LinearSVC(C=1, multi_class='crammer_singer').
- kernel route: D random Fourier features z = sqrt(2/D) cos(x W + b), W ~ N(0, 2 gamma),
  b ~ U[0, 2 pi) (Rahimi & Recht; one draw shared by the seeds), so z.z' approximates
  exp(-gamma |x - x'|^2), then the same linear SVM, against SVC(rbf, gamma). gamma = 0.001 on
  raw 0-16 pixels (the shared README's anchor) is 0.256 on pixels / 16.
- GNB and LDA (`genvdisc.models.gaussian`) against GaussianNB and LinearDiscriminantAnalysis.
"""

from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import SVC, LinearSVC

from bench.report import Section, Stat, percent, time_it
from genvdisc import data as data_lib
from genvdisc.analysis import closed_form, learning_curves
from genvdisc.report.format import markdown_table

SUBSET = 700
GAMMA = 0.001 * 16**2
FEATURES = 512
SVM_STEPS, SVM_LR = 300, 0.1


def random_features(key: jax.Array, x: jax.Array) -> jax.Array:
  w_key, b_key = jax.random.split(key)
  w = jax.random.normal(w_key, (x.shape[1], FEATURES)) * math.sqrt(2 * GAMMA)
  b = jax.random.uniform(b_key, (FEATURES,), maxval=2 * math.pi)
  return math.sqrt(2 / FEATURES) * jnp.cos(x @ w + b)


def _ours() -> dict:
  """name -> (features of the pool, fit_and_score on them)."""
  svm = learning_curves.linear_classifier("hinge", 1.0, SVM_STEPS, SVM_LR)
  identity = lambda x: x
  return {
      "linear SVM (Crammer–Singer)": (identity, svm),
      f"random features ({FEATURES}) + linear SVM": (
          lambda x: random_features(jax.random.PRNGKey(0), x), svm),
      "GNB": (identity, closed_form.classifier("gnb")),
      "LDA": (identity, closed_form.classifier("lda")),
  }


SKLEARN = {
    "linear SVM (Crammer–Singer)": lambda: LinearSVC(C=1.0, multi_class="crammer_singer"),
    f"random features ({FEATURES}) + linear SVM": lambda: SVC(C=1.0, gamma=GAMMA),
    "GNB": GaussianNB,
    "LDA": LinearDiscriminantAnalysis,
}
SKLEARN_NAMES = {"linear SVM (Crammer–Singer)": "LinearSVC(crammer_singer)",
                 f"random features ({FEATURES}) + linear SVM": "SVC(rbf)",
                 "GNB": "GaussianNB", "LDA": "LinearDiscriminantAnalysis"}


def subsets(seeds: int, num_train: int) -> np.ndarray:
  """Training-subset indices `[seeds, SUBSET]`: seed s is the first SUBSET of a permutation."""
  return np.stack([np.random.RandomState(s).permutation(num_train)[:SUBSET] for s in range(seeds)])


def fit_ours(features, fit, dataset, idx: np.ndarray):
  """A blocking call that fits every subset (vmapped) and returns their test accuracies."""
  n = dataset.num_train + dataset.num_test
  x = jnp.asarray(np.concatenate([dataset.x_train, dataset.x_test]).reshape(n, -1))
  y = jnp.asarray(np.concatenate([dataset.y_train, dataset.y_test]))
  weights = np.zeros((len(idx), n), np.float32)
  np.put_along_axis(weights, idx, 1.0, axis=1)

  def run(x, y, weights):
    z = features(x)
    scores = jax.vmap(lambda w: fit(z, y, w, dataset.num_classes))(weights)
    return jnp.mean(jnp.argmax(scores[:, dataset.num_train:], -1) == y[dataset.num_train:], -1)

  run = jax.jit(run)
  weights = jnp.asarray(weights)
  return lambda: np.asarray(run(x, y, weights))


def fit_sklearn(make, dataset, idx: np.ndarray):
  x_train = dataset.x_train.reshape(dataset.num_train, -1)
  x_test = dataset.x_test.reshape(dataset.num_test, -1)

  def call():
    with warnings.catch_warnings():
      warnings.simplefilter("ignore")  # LinearSVC's ConvergenceWarning at its default max_iter
      return np.asarray([make().fit(x_train[i], dataset.y_train[i]).score(x_test, dataset.y_test)
                         for i in idx])
  return call


def _timed(call, repeats: int, warmup: bool) -> tuple[Stat, np.ndarray]:
  accs = []
  stat = time_it(lambda: accs.append(call()), repeats, warmup=warmup)
  return stat, accs[-1]


def sections(suite) -> list[Section]:
  dataset = data_lib.load("digits")
  rows = []
  for name, (features, fit) in _ours().items():
    for seeds in suite.sklearn_seeds:
      idx = subsets(seeds, dataset.num_train)
      ours, our_acc = _timed(fit_ours(features, fit, dataset, idx), suite.repeats, warmup=True)
      theirs, their_acc = _timed(fit_sklearn(SKLEARN[name], dataset, idx), suite.repeats,
                                 warmup=False)
      rows.append([name, SKLEARN_NAMES[name], seeds, percent(our_acc), percent(their_acc), ours, theirs,
                   f"{theirs.median / ours.median:.2f}×"])
  text = (f"digits, pixels / 16; a seed = a random training subset of {SUBSET} of the "
          f"{dataset.num_train} training examples, scored "
          f"on the {dataset.num_test} test examples; accuracy % mean ± std over seeds. Fit time "
          f"in seconds for all the seeds, median [min–max] of {suite.repeats} repeats (genvdisc "
          "after a compiling warm-up call; scikit-learn one fit after another). Linear SVM: "
          f"full-batch Adam, {SVM_STEPS} steps, rate {SVM_LR} cosine-decayed, C = 1; "
          f"gamma = {GAMMA:g} (0.001 on raw 0-16 pixels).\n\n"
          + markdown_table(["genvdisc", "scikit-learn", "seeds", "genvdisc acc %", "sklearn acc %",
                            "genvdisc fit s", "sklearn fit s", "sklearn s / genvdisc s"], rows))
  return [Section("vs scikit-learn", text)]
