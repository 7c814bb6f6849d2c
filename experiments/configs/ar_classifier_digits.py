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

Measured (seeds 0-4, seed_group 5, 2-core CPU, jax 0.10.2, cores shared, load average 5-7),
test accuracy % at m = 1, 2, 5, 10, 20, 50, all labelled examples per class:
  scratch (this config)  13.2 ± 1.3, 16.9 ± 1.1, 22.1 ± 2.7, 28.3 ± 3.7, 42.7 ± 5.2,
                         70.8 ± 3.7, 87.6 ± 2.0  (85-116 s a run)
  linear probe           29.0 ± 5.1, 38.3 ± 7.5, 52.7 ± 5.7, 62.9 ± 2.7, 69.1 ± 0.9,
                         71.3 ± 2.4, 73.2 ± 1.6  (46-68 s)
  fine-tune              26.4 ± 1.2, 34.8 ± 3.0, 43.1 ± 4.4, 55.7 ± 4.7, 71.1 ± 4.0,
                         83.1 ± 3.2, 91.5 ± 1.0  (92-139 s)
from ar_digits' pretraining (test NLL 85.55 ± 1.21 nats, 239 s). Gain over scratch, per seed:
up to m = 20 both gain (probe +16 to +35 points, fine-tune +13 to +28); at m = 50 the probe
ties (+0.4 ± 4.8) and the fine-tune gains 12.3 ± 5.0; with every label the probe is 14.4 ± 2.0
below scratch (32 mean-pooled features are its limit) and the fine-tune 3.9 ± 2.4 above.
Whole table: 1996 s of runs.
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
