#!/usr/bin/env bash
# The accelerator check: the gpu bench suite alone, then every config whose data is embedded
# (scikit-learn's sets, MNIST-1D) trained for a few hundred steps, six processes at a time.
#
#   bash bench/gpu_check.sh OUT [STEPS] [BENCH_SECONDS] [CONFIG_SECONDS]
#
# Writes OUT/device.txt (GPU and versions), OUT/bench.log, OUT/BENCHMARKS.md (the gpu block,
# copied into the repo's BENCHMARKS.md by hand) and OUT/configs.log (per config: exit code,
# wall seconds, the last lines it printed). CONFIGS="a b" limits the configs run. Besides jax,
# flax, optax, orbax and scikit-learn it needs ml_collections, mnist1d, importlib_resources and
# tensorboardX (on a machine without a registry, carry their wheels and install them first).
set -u
out=$1; steps=${2:-300}; bench_seconds=${3:-300}; config_seconds=${4:-240}
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")/.."

{ nvidia-smi -L; python3 -c "import jax, flax, optax, orbax.checkpoint as ocp, numpy, sklearn
print('jax', jax.__version__, 'flax', flax.__version__, 'optax', optax.__version__,
      'numpy', numpy.__version__, 'sklearn', sklearn.__version__); print(jax.devices())"; } \
  > "$out/device.txt" 2>&1

timeout "$bench_seconds" python3 -m bench --suite=gpu --out "$out/BENCHMARKS.md" > "$out/bench.log" 2>&1
echo "[gpu_check] bench exit code $?" >> "$out/bench.log"

# Configs that need a TFDS download, and the table configs, are not training runs here.
skip=" default generative ngjordan m1 augment features "
embedded=()
for path in experiments/configs/*.py; do
  name=$(basename "$path" .py)
  [[ $name == _* || $skip == *" $name "* ]] && continue
  grep -q '"tfds:\|dataset = "\(mnist\|cifar10\|fashion_mnist\|imdb\)"' "$path" && continue
  embedded+=("$name")
done
logs=/tmp/gpu_check_logs; mkdir -p "$logs"
one() {  # one config: exit code, wall seconds and the tail of its output
  local start=$SECONDS
  XLA_PYTHON_CLIENT_MEM_FRACTION=0.12 python3 -m experiments.main \
    --config="experiments/configs/$1.py" --config.num_steps="$2" \
    --workdir="/tmp/gpu_check_runs/$1" > "$logs/$1.log" 2>&1
  echo "== $1: exit code $?, $((SECONDS - start)) s" > "$logs/$1.head"
}
export -f one; export logs
printf '%s\n' ${CONFIGS:-${embedded[@]}} \
  | timeout "$config_seconds" xargs -P 6 -I{} bash -c "one {} $steps"
for name in ${CONFIGS:-${embedded[@]}}; do
  cat "$logs/$name.head" 2>/dev/null || echo "== $name: not finished within ${config_seconds} s"
  grep -v "^I[0-9]\|^W[0-9]\|^ *$" "$logs/$name.log" 2>/dev/null | tail -4
done > "$out/configs.log"
