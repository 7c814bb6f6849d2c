"""Objectives: one short pure function per loss, its formula in the docstring."""

from genvdisc.objectives.classification import (DATA_LOSSES, accuracy, l2_penalty, log_softmax,
                                                multiclass_hinge, softmax_cross_entropy)

__all__ = ["DATA_LOSSES", "accuracy", "l2_penalty", "log_softmax", "multiclass_hinge",
           "softmax_cross_entropy"]
