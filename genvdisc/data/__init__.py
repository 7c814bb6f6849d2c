"""Data: named datasets (`datasets`), image sets read from local files (`images`) and the subsets
experiments train on (`subsets`)."""

from genvdisc.data.datasets import (IMAGE_DATASETS, KINDS, MNIST1D_DATASETS, SKLEARN_DATASETS,
                                    TFDS_PREFIX, Dataset, Records, byte_tokens, load, names,
                                    read_only)

__all__ = ["IMAGE_DATASETS", "KINDS", "MNIST1D_DATASETS", "SKLEARN_DATASETS", "TFDS_PREFIX",
           "Dataset", "Records", "byte_tokens", "load", "names", "read_only"]
