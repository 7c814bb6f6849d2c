"""Training: the state pytree, tasks (one update per objective), the engine and the run loop."""

from genvdisc.train.engine import Trainer, default_chunk_steps, make_trainer, seed_groups
from genvdisc.train.run import make_train, restore_states, train_and_evaluate
from genvdisc.train.state import TrainState
from genvdisc.train.tasks import Task, classification

__all__ = ["Task", "TrainState", "Trainer", "classification", "default_chunk_steps",
           "make_train", "make_trainer", "restore_states", "seed_groups", "train_and_evaluate"]
