#!/usr/bin/env bash
# One GPU: one process. Usage: launch/gpu.sh --config=experiments/configs/lenet_mnist.py \
#   --config.data_dir=DIR --workdir=runs/lenet_mnist [more --config.* flags]
# Install first: pip install -e '.[cuda]'
set -euo pipefail
cd "$(dirname "$0")/.."
# JAX preallocates 75 % of GPU memory; take 90 % for one job per GPU, or set
# XLA_PYTHON_CLIENT_PREALLOCATE=false to allocate on demand (slower, less fragmentation-proof).
export XLA_PYTHON_CLIENT_MEM_FRACTION="${XLA_PYTHON_CLIENT_MEM_FRACTION:-0.9}"
# For bitwise reruns on one GPU kind: deterministic reductions and scatters, no autotuning (slower;
# docs/reproducibility.md). GENVDISC_GPU_DETERMINISTIC=false trades that for speed.
deterministic="--xla_gpu_deterministic_ops=${GENVDISC_GPU_DETERMINISTIC:-true}"
export XLA_FLAGS="${XLA_FLAGS:+$XLA_FLAGS }$deterministic"
exec python -m experiments.main "$@"
