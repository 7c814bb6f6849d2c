"""Objectives: one short pure function per loss, its formula in the docstring."""

from genvdisc.objectives.autoregressive import bits_per_dim, sequence_log_likelihood
from genvdisc.objectives.classification import (DATA_LOSSES, accuracy, l2_penalty, log_softmax,
                                                multiclass_hinge, softmax_cross_entropy)
from genvdisc.objectives.generative import (GENERATOR_LOSSES, bernoulli_log_likelihood, elbo,
                                            feature_reconstruction_loss, gan_discriminator_loss,
                                            gan_generator_loss_minimax,
                                            gan_generator_loss_nonsaturating,
                                            gaussian_kl_to_standard, gaussian_log_likelihood,
                                            importance_weighted_bound, m2_labelled_bound,
                                            m2_loss, m2_unlabelled_bound, vaegan_loss)

__all__ = ["bits_per_dim", "sequence_log_likelihood",
           "DATA_LOSSES", "accuracy", "l2_penalty", "log_softmax", "multiclass_hinge",
           "softmax_cross_entropy", "GENERATOR_LOSSES", "bernoulli_log_likelihood", "elbo",
           "feature_reconstruction_loss", "gan_discriminator_loss", "gan_generator_loss_minimax",
           "gan_generator_loss_nonsaturating", "gaussian_kl_to_standard",
           "gaussian_log_likelihood", "importance_weighted_bound", "m2_labelled_bound", "m2_loss",
           "m2_unlabelled_bound", "vaegan_loss"]
