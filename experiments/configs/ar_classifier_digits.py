"""The autoregressive Transformer of ar_digits as a classifier on sklearn digits, from scratch:
its body (the 64 pixels in raster order as tokens of 17 levels, start and position embeddings,
2 causal pre-LN blocks, final LayerNorm; d_model 32, 4 heads, MLP 64), the hidden states
averaged over the 64 positions (ar_digits' `encode`) and a linear head: model 'ar_transformer'.
The same network starts its backbone from a pretrained ar_digits run with --config.pretrained
(seed s from that run's seed s) and trains it all (finetune='all') or only the head
(finetune='head', a linear probe): the pretrain table (experiments/tables/pretrain.py).
Adam 3e-3, batch 32, 500 steps (the probe: 0.1, the fine-tune: 1e-3; experiments/tables/pretrain.py
says how they were chosen).

  python -m experiments.main --config=experiments/configs/ar_classifier_digits.py \
      --workdir=runs/ar_classifier_digits
  # a linear probe of the pretrained ar_digits run in runs/ar_digits, 5 labelled examples per class
  python -m experiments.main --config=experiments/configs/ar_classifier_digits.py \
      --config.pretrained=runs/ar_digits --config.finetune=head --config.learning_rate=0.1 \
      --config.labels_per_class=5 --workdir=runs/ar_probe_digits_m5
  # every m, scratch / probe / fine-tune, and the pretraining itself:
  python -m experiments.reproduce --table=pretrain --out=results

Seeds 0-4; the pretrain table (scratch is this config):
Measured in results/pretrain.md, row scratch, column "m=1": 13.2 ± 1.3.
Measured in results/pretrain.md, row scratch, column "m=all": 87.6 ± 2.0.
Measured in results/pretrain.md, row probe, column "m=all": 73.2 ± 1.6.
Measured in results/pretrain.md, row finetune, column "m=all": 91.5 ± 1.0.
Measured in results/genclf_digits.md, row ar_classifier_digits, column "all": 87.6 ± 2.0.
"""

from experiments.configs import ar_digits, default


def get_config():
  config = default.get_config()
  generative = ar_digits.get_config()
  config.name = "ar_classifier_digits"
  config.model = "ar_transformer"
  config.model_kwargs = generative.model_kwargs
  config.dataset = generative.dataset
  config.quantize_bins = generative.quantize_bins
  config.pretrained = ""         # workdir of a finished unconditional autoregressive run of the
                                 # same network and data; seed s's backbone starts from its seed
                                 # s's params, the head from the init key ('' = from scratch)
  config.finetune = "all"        # all: every parameter trained | head: a linear probe, the
                                 # backbone fixed (zero gradient and update)
  config.learning_rate = 3e-3   # of 1e-3, 3e-3: the better validation accuracy (below)
  config.batch_size = 32
  config.num_steps = 500
  config.log_every = 500
  config.checkpoint_every = 500
  return config
