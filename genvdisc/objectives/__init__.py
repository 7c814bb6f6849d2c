"""Objectives: one short pure function per loss, its formula in the docstring.

Every public name (function, class, constant) of the submodules (classification, generative,
autoregressive, diffusion) is exported here: callers write `objectives.<name>`.
"""

from genvdisc.objectives.autoregressive import bits_per_dim, sequence_log_likelihood
from genvdisc.objectives.classification import (DATA_LOSSES, accuracy, l2_penalty, log_softmax,
                                                multiclass_hinge, softmax_cross_entropy)
from genvdisc.objectives.diffusion import (MAX_BETA, REVERSE_VARIANCES, SCHEDULES, Schedule,
                                           ancestral_sample, cosine_schedule,
                                           discretized_gaussian_log_likelihood, gaussian_kl,
                                           levels_eps, linear_schedule, posterior_mean_variance,
                                           prior_kl, q_mean_variance, q_sample, reverse_mean,
                                           reverse_variances, simple_loss, stratified_bound,
                                           variational_bound, vlb_term)
from genvdisc.objectives.generative import (GENERATOR_LOSSES, LOG_2PI, bernoulli_log_likelihood,
                                            categorical_log_likelihood,
                                            dequantized_log_likelihood_bound,
                                            discretized_logistic_log_likelihood,
                                            discretized_logistic_log_mass, elbo,
                                            feature_reconstruction_loss, gan_discriminator_loss,
                                            gan_generator_loss_minimax,
                                            gan_generator_loss_nonsaturating,
                                            gaussian_kl_to_standard, gaussian_log_likelihood,
                                            importance_weighted_bound, m2_labelled_bound,
                                            m2_loss, m2_unlabelled_bound, sum_event, vaegan_loss)

__all__ = ["bits_per_dim", "sequence_log_likelihood",
           "DATA_LOSSES", "accuracy", "l2_penalty", "log_softmax", "multiclass_hinge",
           "softmax_cross_entropy",
           "MAX_BETA", "REVERSE_VARIANCES", "SCHEDULES", "Schedule", "ancestral_sample",
           "cosine_schedule", "discretized_gaussian_log_likelihood", "gaussian_kl", "levels_eps",
           "linear_schedule", "posterior_mean_variance", "prior_kl", "q_mean_variance", "q_sample",
           "reverse_mean", "reverse_variances", "simple_loss", "stratified_bound",
           "variational_bound", "vlb_term",
           "GENERATOR_LOSSES", "LOG_2PI", "bernoulli_log_likelihood", "categorical_log_likelihood",
           "dequantized_log_likelihood_bound", "discretized_logistic_log_likelihood",
           "discretized_logistic_log_mass", "elbo", "feature_reconstruction_loss",
           "gan_discriminator_loss", "gan_generator_loss_minimax",
           "gan_generator_loss_nonsaturating", "gaussian_kl_to_standard",
           "gaussian_log_likelihood", "importance_weighted_bound", "m2_labelled_bound", "m2_loss",
           "m2_unlabelled_bound", "sum_event", "vaegan_loss"]
