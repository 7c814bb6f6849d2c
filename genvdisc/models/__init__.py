"""Models as pure init/apply functions, chosen by family and name from `registry.REGISTRY`."""

from genvdisc.models.registry import (CLASSIFIERS, REGISTRY, Model, ModelSpec, from_linen,
                                      get_model, get_spec, lookup)

__all__ = ["CLASSIFIERS", "REGISTRY", "Model", "ModelSpec", "from_linen", "get_model", "get_spec",
           "lookup"]
