#!/usr/bin/env bash
# A TPU VM or pod slice: the same command on every worker; --multihost lets JAX find the others.
# Usage, from a machine with gcloud (TPU_NAME, ZONE and the repo path on the workers are yours):
#   TPU_NAME=my-tpu ZONE=us-central2-b launch/tpu_pod.sh --config=experiments/configs/gan_cifar10.py \
#     --config.data_dir=/mnt/shared/tensorflow_datasets --workdir=/mnt/shared/runs/gan_cifar10
# Each worker needs the repo, pip install -e '.[tpu]', and the same data_dir and workdir paths
# (a disk or bucket mounted on every worker: all of them save checkpoint shards there). On a single TPU VM, run
# python -m experiments.main directly (no --multihost needed).
set -euo pipefail
: "${TPU_NAME:?set TPU_NAME}" "${ZONE:?set ZONE}"
REPO_DIR="${REPO_DIR:-genvdisc}"
gcloud compute tpus tpu-vm ssh "$TPU_NAME" --zone="$ZONE" --worker=all \
  --command="cd $REPO_DIR && python -m experiments.main --multihost $(printf '%q ' "$@")"
