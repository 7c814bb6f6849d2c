"""genvdisc: generative and discriminative models on one functional JAX training engine."""

__version__ = "0.1.0"
