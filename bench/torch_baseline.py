"""The MNIST-1D MLP (40-100-100-10) and CNN (3 x Conv1d 25 ch, kernels 5/3/3, stride 2, padding 1,
+ linear) in PyTorch on the CPU, 2 threads, trained with Adam on the engine's minibatches.

PyTorch is a bench-only extra (`pip install -e '.[bench]'`); `available()` is False without it.
`train` runs in a process of its own (`python -m bench.torch_baseline NAME SEED STEPS REPEATS`),
so that PyTorch's and XLA's thread pools never share the cores.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from bench import flax_style
from bench.report import Stat, time_it


def available() -> bool:
  return importlib.util.find_spec("torch") is not None


def torch_version() -> str:
  import torch  # pylint: disable=import-outside-toplevel
  return torch.__version__


def _model(name: str, config, in_length: int, num_classes: int):
  import torch.nn as tnn  # pylint: disable=import-outside-toplevel
  if name == "mlp_mnist1d":
    layers, width = [tnn.Flatten()], in_length
    for h in config.model_kwargs.hidden_sizes:
      layers += [tnn.Linear(width, h), tnn.ReLU()]
      width = h
    return tnn.Sequential(*layers, tnn.Linear(width, num_classes))
  layers, channels, length = [], 1, in_length
  for k in config.model_kwargs.kernel_sizes:
    layers += [tnn.Conv1d(channels, config.model_kwargs.channels, k, stride=2, padding=1),
               tnn.ReLU()]
    channels, length = config.model_kwargs.channels, (length + 2 - k) // 2 + 1
  return tnn.Sequential(*layers, tnn.Flatten(), tnn.Linear(channels * length, num_classes))


def train(name: str, seed: int, block_steps: int, repeats: int) -> tuple[Stat, float]:
  """(seconds per `block_steps` steps, test accuracy after (repeats + 1) blocks), as
  `flax_style.train`, measured in a fresh Python process."""
  proc = subprocess.run([sys.executable, "-m", "bench.torch_baseline", name, str(seed),
                         str(block_steps), str(repeats)], capture_output=True, text=True,
                        check=False)
  if proc.returncode != 0:
    raise RuntimeError(f"the PyTorch baseline failed: {proc.stderr.strip()[-2000:]}")
  out = json.loads(proc.stdout.strip().splitlines()[-1])
  return Stat(*out["seconds"]), out["accuracy"]


def _train_here(name: str, seed: int, block_steps: int, repeats: int) -> tuple[Stat, float]:
  """`train` in this process; inputs are `[batch, 1, 40]` (channels first)."""
  import torch  # pylint: disable=import-outside-toplevel
  torch.set_num_threads(2)
  torch.manual_seed(seed)
  config, dataset = flax_style.config_and_data(name)
  model = _model(name, config, dataset.example_shape[0], dataset.num_classes)
  optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
  to_torch = lambda x: torch.from_numpy(x.transpose(0, 2, 1).copy())
  x_train, y_train = to_torch(dataset.x_train), torch.from_numpy(dataset.y_train.astype("int64"))
  total = block_steps * (repeats + 1)
  indices = torch.from_numpy(flax_style.engine_batches(seed, total, config.batch_size,
                                                       dataset.num_train).astype("int64"))
  loss_fn = torch.nn.CrossEntropyLoss()
  step = 0

  def block():
    nonlocal step
    for idx in indices[step:step + block_steps]:
      optimizer.zero_grad()
      loss_fn(model(x_train[idx]), y_train[idx]).backward()
      optimizer.step()
    step += block_steps

  seconds = time_it(block, repeats)
  with torch.no_grad():
    predicted = model(to_torch(dataset.x_test)).argmax(-1).numpy()
  return seconds, float((predicted == dataset.y_test).mean())


if __name__ == "__main__":
  _seconds, _accuracy = _train_here(sys.argv[1], *map(int, sys.argv[2:5]))
  print(json.dumps({"seconds": [_seconds.median, _seconds.low, _seconds.high],
                    "accuracy": _accuracy}))
