#!/usr/bin/env bash
# Several GPUs of one machine: one process sees them all; the ('seed', 'data') mesh spreads seeds
# and batches over them. Usage (8 GPUs, 2 seed rows x 4 batch shards):
#   launch/multi_gpu.sh --config=experiments/configs/lenet_cifar10.py --config.data_dir=DIR \
#     --workdir=runs/lenet_cifar10 --config.mesh.seed=2 --config.mesh.data=4
# Several machines: run this script on each with --coordinator_address=HOST0:PORT
# --num_processes=N --process_id=I (HOST0 is process 0's machine; the workdir must be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
export XLA_PYTHON_CLIENT_MEM_FRACTION="${XLA_PYTHON_CLIENT_MEM_FRACTION:-0.9}"
# For bitwise reruns on one GPU kind: deterministic reductions and scatters, no autotuning (slower;
# docs/reproducibility.md). GENVDISC_GPU_DETERMINISTIC=false trades that for speed.
deterministic="--xla_gpu_deterministic_ops=${GENVDISC_GPU_DETERMINISTIC:-true}"
export XLA_FLAGS="${XLA_FLAGS:+$XLA_FLAGS }$deterministic"
exec python -m experiments.main "$@"
