"""Semi-supervised M2 (Kingma et al. 2014) on sklearn digits with 100 labels (10 per class).

  python -m experiments.reproduce --table=m2 --out=results   # 50 and 100 labels, seeds 0-4

Seed s keeps the labels of subset s (`genvdisc.data.subsets.labelled_subset` of its run key, drawn
in-graph) and uses every training image unlabelled.
Classifier q(y|x): MLP 128 (ReLU); q(z|x,y) and p(x|y,z): MLP 128-128 (tanh), latent 16,
Bernoulli decoder with dynamic binarisation; classifier_weight = alpha / N = 0.1 (the paper's
alpha = 0.1 N).
"""

from experiments.configs import generative


def get_config():
  config = generative.get_config()
  config.name = "m2_digits"
  config.task = "m2"
  config.dataset = "digits"
  config.model = "mlp"
  config.model_kwargs.hidden_sizes = (128, 128)
  config.classifier_hidden_sizes = (128,)  # q(y|x): MLP hidden widths (ReLU)
  config.latent_dim = 16
  config.num_labels = 100              # labelled training examples (the rest are unlabelled)
  config.labelled_batch_size = 16      # labelled examples per step, besides batch_size unlabelled
  config.classifier_weight = 0.1       # alpha / N: weight of -log q(y|x) on labelled examples
  config.learning_rate = 1e-3
  config.batch_size = 32               # unlabelled images per step (each decoded once per class)
  config.num_steps = 3000
  config.log_every = 1000
  config.checkpoint_every = 3000
  config.image_grid = 0
  return config
