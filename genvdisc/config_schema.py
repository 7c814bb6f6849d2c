"""Every field a run config can hold, each with its one default and its one meaning.

`defaults()` is the schema: the trailing comment of each assignment is the field's meaning
(`--show_config` prints it, as big_vision documents configs in their source), the assigned value
its only default. `genvdisc.config.resolve` fills a config's missing fields from here, so library
code reads `config.field` and never supplies a default. Config files in experiments/configs/ set
recipes on top of these (`experiments/configs/default.py` is `defaults()`); a field a model
constructor takes lives in `model_kwargs` with the model's own defaults.
"""

import ml_collections


def defaults() -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  # What runs.
  config.name = "default"            # row name in results tables
  config.task = "classification"     # key of genvdisc.tasks.registry.TASKS (what is trained, how)
  config.model = "mlp"               # key of the task's model registry (genvdisc.models)
  config.model_kwargs = ml_collections.ConfigDict()  # constructor fields of that model
  config.objective = "cross_entropy" # classification: cross_entropy | hinge (Crammer–Singer SVM)
  # Data.
  config.dataset = "digits"          # genvdisc.data.load name: digits|iris|wine|breast_cancer|mnist1d|fashion_mnist|mnist_5k|tfds:<name>
  config.data_dir = ""               # TFDS data_dir of tfds:<name> and fashion_mnist, or a folder of Fashion-MNIST's
                                     # IDX files or mnist_5k.csv.gz ('' = the installed packages, docs/datasets.md)
  config.input = "device"            # device: the whole training split on every device, minibatches
                                     # gathered in-graph; stream: tfds:<name> only, minibatches read
                                     # from disk by a thread, 2 chunks ahead (same draws, same run)
  config.stream_eval_examples = 10_000  # stream: train-split metrics over this many first examples
  config.max_length = 256            # tokens per example of text datasets (byte-level, 0-padded)
  config.split_seed = 0              # seed of the fixed stratified train/test split (sklearn sets)
                                     # and of the validation part held out of the training split
  config.validation_fraction = -1.0  # stratified part of the training split held out as 'val'
                                     # (metrics val_*); -1 = 0.1 with a sweep, 0 without
  config.labels_per_class = 0        # > 0: seed s trains on its own class-balanced subset of this
                                     # many training examples per class (subset s, the one M2
                                     # labels); 0 = the whole training split
  config.random_shift = 0            # classification: shift each training image by U{-s..s}^2 px
  # Sweeps and selection.
  config.sweep = ""                  # 'learning_rate=1e-3,3e-3;beta=0.5,1': grid x seeds; plain
                                     # numbers vmapped in one program, structural fields
                                     # (sizes, batch_size, num_steps, model) as separate groups
  config.select = ""                 # validation metric that picks a sweep's point, e.g.
                                     # val_accuracy | val_nll; '' = the task's headline's val twin
  # Optimisation.
  config.C = 0.0                     # inverse L2 strength as in sklearn: + ||W||^2/(2 C n); <= 0: none
  config.optimizer = "adam"          # adam | sgd
  config.learning_rate = 1e-3        # (peak) step size
  config.discriminator_learning_rate = 0.0  # gan/vaegan: D's step size; <= 0: config.learning_rate
  config.adam_b1 = 0.9               # Adam's beta1 (DCGAN recipe: 0.5)
  config.lr_schedule = "constant"    # constant | cosine (decays to 0 at num_steps)
  config.momentum = 0.0              # sgd only
  config.batch_size = 64             # examples per step, drawn i.i.d. with the step's key
  config.num_steps = 2000            # optimizer steps per seed
  # Seeds, devices and the training loop.
  config.seeds = "0,1,2,3,4"         # comma-separated or ranges; '--config.seeds=3' reruns seed 3
  config.seed_group = 5              # seeds vmapped together on each device; a seed's numbers
                                     # depend on this width only (not on the other seeds, the
                                     # seed count or the device count): keep it to rerun a seed
  config.chunk_steps = -1            # steps per XLA call (lax.scan); 1 = one jitted step per
                                     # Python iteration; -1 = measured per-backend default
  config.log_every = 500             # progress line and logged loss (the mean since the last
                                     # one) every this many steps; chunks are cut there
  config.checkpoint_every = 1000     # Orbax save every this many steps (any; chunks are cut)
  config.keep_checkpoints = 2        # newest checkpoints kept
  config.eval_batch_size = 1000      # examples per evaluation batch (bounds eval memory)
  config.eval_every = 0              # also evaluate every this many steps (any; chunks are cut)
                                     # into results.json's "curves"; 0 = only at the end
  config.halt_on_divergence = False  # NaN/Inf in a seed: stop the run (True) or freeze that seed
  config.allow_fresh_start = False   # no readable checkpoint in a used workdir: train from step 0
                                     # (True) instead of stopping with an error
  config.config_file = ""            # the --config file this config came from (experiments.main
                                     # sets it); results.json's rerun commands start from it
  config.mesh = ml_collections.ConfigDict()
  config.mesh.seed = -1              # devices along the seed axis (each row trains seed_group
                                     # seeds); -1 = the devices that mesh.data leaves
  config.mesh.data = 1               # devices along the batch axis (batch_size must divide by
                                     # it); -1 = the devices that mesh.seed leaves
  # Evaluation extras.
  config.robustness = False          # also evaluate test accuracy under noise and +-1 shifts
                                     # (genvdisc.tasks.robustness; classifiers and Bayes-rule ones)
  config.judge = ""                  # classifier config (experiments/configs/<judge>.py) judging samples; '' = no classifier-FID/IS
  config.fid_samples = 1000          # generated samples per classifier-FID/IS evaluation
  config.image_grid = 0              # samples per PNG grid (images/ in the workdir) at each save; 0 = none
  # Generative models (vae, iwae, gan, vaegan, m2, ddpm, autoregressive).
  config.latent_dim = 16             # size of z
  config.likelihood = "bernoulli"    # vae/iwae/m2 decoder p(x|z): bernoulli | gaussian | categorical (levels logits
                                     # per value) | discretized_logistic (Salimans et al.); genvdisc.tasks.shared.Likelihood
  config.binarize = "dynamic"        # bernoulli: x ~ Bernoulli(pixels) at every use (Burda et al.) | none (binary data only)
  config.dequantize = "none"         # gaussian: 'uniform' adds (u - 1/2)/(levels - 1) at every use; the NLL then bounds the discrete NLL
  config.levels = 17                 # pixel values k/(levels - 1) of a categorical, discretized_logistic or dequantised likelihood
  config.conditional = False         # vae/iwae/ddpm/autoregressive: model p(x|y) given the label (needs a labelled dataset)
  config.classify_samples = 100      # vae/iwae conditional: importance samples per class of log p(x|y) in the Bayes-rule classifier
  config.classify_timesteps = 50     # ddpm conditional: t's per example (stratified, shared with eps by every class) of the classifier's bound
  config.class_batch = 0             # conditional: classes scored at once by the Bayes-rule classifier and log p(x) (0: all K, vmapped;
                                     # n < K: lax.map over groups of n, evaluation memory / (K / n))
  config.beta = 1.0                  # vae/vaegan: weight of KL(q(z|x) || N(0, I)); 1 = the ELBO
  config.train_samples = 1           # vae: ELBO averaged over k z's; iwae: k of the IWAE bound
  config.iw_samples = 5000           # importance samples per example of the NLL estimate (Burda et al.: 5000)
  config.eval_splits = "train,test"  # vae/iwae/autoregressive: splits of the NLL metrics; 'test' skips the costly train NLL
  config.iw_chunk = 100              # importance samples drawn at once (bounds evaluation memory)
  config.generator_loss = "nonsaturating"  # gan/vaegan: nonsaturating (-log D(G(z))) | minimax (log(1 - D(G(z))))
  config.alpha = 1.0                 # vaegan: weight of the GAN term
  config.reconstruction = "feature"  # vaegan: L_rec in D's feature space (Larsen et al.) | pixel
  config.num_labels = 100            # m2: labelled training examples (the rest are unlabelled)
  config.labelled_batch_size = 16    # m2: labelled examples per step, besides batch_size unlabelled
  config.classifier_weight = 0.1     # m2: alpha / N, the weight of -log q(y|x) on labelled examples
  config.classifier_hidden_sizes = (128,)  # m2: q(y|x)'s MLP hidden widths (ReLU)
  config.diffusion_steps = 1000      # ddpm: T, the number of noising steps
  config.noise_schedule = "cosine"   # ddpm: betas, linear (Ho et al., ends scaled by 1000/T) | cosine (Nichol & Dhariwal)
  config.reverse_variance = "beta_tilde"  # ddpm: sigma_t^2 of p(x_{t-1}|x_t), beta | beta_tilde (posterior variance)
  config.parameterization = "levels" # ddpm: eps (the network gives eps_theta, Ho et al.) | levels
  config.quantize_bins = 32          # autoregressive, sequences: uniform bins over [-4, 4] (genvdisc.data.quantize)
  config.temperature = 1.0           # autoregressive sampling: x_t ~ softmax(logits_t / temperature)
  # Warm start.
  config.pretrained = ""             # workdir of a finished unconditional autoregressive run whose
                                     # body starts this classifier's backbone (seed s from seed s)
  config.finetune = "all"            # with pretrained: all (every parameter trained) | head (a linear probe)
  return config
