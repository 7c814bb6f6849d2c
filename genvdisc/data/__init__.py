"""Data: named datasets (`datasets`) and the subsets experiments train on (`subsets`)."""

from genvdisc.data.datasets import (KINDS, MNIST1D_DATASETS, SKLEARN_DATASETS, TFDS_PREFIX, Dataset,
                                    Records, byte_tokens, load, names, read_only)

__all__ = ["KINDS", "MNIST1D_DATASETS", "SKLEARN_DATASETS", "TFDS_PREFIX", "Dataset", "Records",
           "byte_tokens", "load", "names", "read_only"]
