"""Models as pure init/apply functions, chosen by name from `registry.MODELS`."""

from genvdisc.models.registry import MODELS, Model, ModelSpec, from_linen, get_model, get_spec

__all__ = ["MODELS", "Model", "ModelSpec", "from_linen", "get_model", "get_spec"]
