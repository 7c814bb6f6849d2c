"""Defaults shared by every config; each field's meaning is here, once.

Not a runnable experiment on its own: the other files in this folder start from
`get_config()` and set the model, dataset and recipe.
"""

import ml_collections


def get_config() -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.name = "default"            # row name in results tables
  config.task = "classification"     # key of genvdisc.tasks.registry.TASKS (what is trained, how)
  config.model = "mlp"               # key of genvdisc.models.MODELS
  config.model_kwargs = ml_collections.ConfigDict()  # constructor fields of that model
  config.dataset = "digits"          # genvdisc.data.load name: digits|iris|wine|breast_cancer|mnist1d|tfds:<name>
  config.data_dir = ""               # TFDS data_dir for tfds:<name> datasets ('' = TFDS default)
  config.input = "device"            # device: the whole training split on every device, minibatches
                                     # gathered in-graph; stream: tfds:<name> only, minibatches read
                                     # from disk by a thread, 2 chunks ahead (same draws, same run)
  config.stream_eval_examples = 10_000  # stream: train-split metrics over this many first examples
  config.max_length = 256            # tokens per example of text datasets (byte-level, 0-padded)
  config.split_seed = 0              # seed of the fixed stratified train/test split (sklearn sets)
                                     # and of the validation part held out of the training split
  config.validation_fraction = -1.0  # stratified part of the training split held out as 'val'
                                     # (metrics val_*); -1 = 0.1 with a sweep, 0 without
  config.sweep = ""                  # 'learning_rate=1e-3,3e-3;beta=0.5,1': grid x seeds; plain
                                     # numbers vmapped in one program, structural fields
                                     # (sizes, batch_size, num_steps, model) as separate groups
  config.select = ""                 # validation metric that picks a sweep's point, e.g.
                                     # val_accuracy | val_nll; '' = the task's headline's val twin
  config.labels_per_class = 0        # > 0: seed s trains on its own class-balanced subset of this
                                     # many training examples per class (subset s, the one M2
                                     # labels); 0 = the whole training split
  config.robustness = False          # also evaluate test accuracy under noise and +-1 shifts
                                     # (genvdisc.tasks.robustness; classifiers and Bayes-rule ones)
  config.objective = "cross_entropy" # cross_entropy | hinge (Crammer–Singer multi-class SVM)
  config.C = 0.0                     # inverse L2 strength as in sklearn: + ||W||^2/(2 C n); <= 0: none
  config.optimizer = "adam"          # adam | sgd
  config.learning_rate = 1e-3        # (peak) step size
  config.lr_schedule = "constant"    # constant | cosine (decays to 0 at num_steps)
  config.momentum = 0.0              # sgd only
  config.batch_size = 64             # examples per step, drawn i.i.d. with the step's key
  config.num_steps = 2000            # optimizer steps per seed
  config.seeds = "0,1,2,3,4"         # comma-separated; '--config.seeds=3' reruns seed 3 alone
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
  return config
