"""Training: the state pytree, tasks (one update per objective), the engine and the run loop."""

from genvdisc.train.engine import Trainer, default_chunk_steps, make_train, seed_groups
from genvdisc.train.state import TrainState
from genvdisc.train.tasks import Task, classification

__all__ = ["Task", "TrainState", "Trainer", "classification", "default_chunk_steps",
           "make_train", "seed_groups"]
