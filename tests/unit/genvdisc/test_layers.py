"""The package's import graph: no cycles, and every import points down the layers.

Imports are read from the source (also those inside functions), as
`../shared/tools/import_cycles.py` does, so a late import cannot hide a cycle.
"""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[3]

# Bottom to top; a module may import its own layer (no cycle) and the layers below it.
LAYERS = [
    ("genvdisc.errors", "genvdisc.rng", "genvdisc.results", "genvdisc.distributed",
     "genvdisc.config_schema"),
    ("genvdisc.objectives", "genvdisc.models", "genvdisc.data", "genvdisc.optim", "genvdisc.config",
     "genvdisc.hyperparams",
     "genvdisc.sharding", "genvdisc.checkpoint", "genvdisc.evaluate", "genvdisc.evaluate.frechet",
     "genvdisc.evaluate.likelihood"),
    ("genvdisc.report",),
    ("genvdisc.tasks.base", "genvdisc.tasks.shared", "genvdisc.tasks.bayes"),
    ("genvdisc.tasks",),
    ("genvdisc.tasks.registry", "genvdisc.analysis"),
    ("genvdisc.train", "genvdisc.train.state", "genvdisc.train.engine", "genvdisc.train.stream",
     "genvdisc.train.preemption", "genvdisc.train.workdir", "genvdisc.train.memory"),
    ("genvdisc.train.experiment",),
    ("genvdisc.train.run",),
    ("genvdisc.train.sweep",),
    ("genvdisc.train.load",),
]


def package_imports(package: str = "genvdisc") -> dict[str, set[str]]:
  """{module: modules of the package it imports}, packages named by their __init__."""
  files = {}
  for path in (ROOT / package).rglob("*.py"):
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    files[name.removesuffix(".__init__")] = path
  graph = {}
  for name, path in files.items():
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
      if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
      elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
          parts = (name if is_package else name.rsplit(".", 1)[0]).split(".")
          base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
        targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
      else:
        continue
      for target in targets:
        while target and target not in files:
          target = target.rpartition(".")[0]
        if target and target != name and not name.startswith(target + "."):
          found.add(target)
    graph[name] = found
  return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
  """Strongly connected sets of more than one module (Tarjan)."""
  index, low, stack, on_stack, out = {}, {}, [], set(), []

  def visit(v):
    index[v] = low[v] = len(index)
    stack.append(v)
    on_stack.add(v)
    for w in graph[v]:
      if w not in index:
        visit(w)
        low[v] = min(low[v], low[w])
      elif w in on_stack:
        low[v] = min(low[v], index[w])
    if low[v] == index[v]:
      component = []
      while not component or component[-1] != v:
        component.append(stack.pop())
        on_stack.discard(component[-1])
      if len(component) > 1:
        out.append(sorted(component))

  for v in graph:
    if v not in index:
      visit(v)
  return out


def layer_of(module: str) -> int:
  matches = [(len(prefix), i) for i, layer in enumerate(LAYERS) for prefix in layer
             if module == prefix or module.startswith(prefix + ".")]
  assert matches, f"{module} is in no layer of tests/unit/genvdisc/test_layers.py; add it"
  return max(matches)[1]


def test_no_import_cycles():
  assert cycles(package_imports()) == []


def test_cycle_detection_finds_a_planted_cycle():
  graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
  assert cycles(graph) == [["a", "b", "c"]]


def test_every_import_points_down():
  upward = [f"{m} -> {t}" for m, targets in package_imports().items() for t in targets
            if m != "genvdisc" and layer_of(t) > layer_of(m)]
  assert upward == []


def test_the_library_never_imports_experiments():
  for path in (ROOT / "genvdisc").rglob("*.py"):
    tree = ast.parse(path.read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] in ("experiments", "tests", "bench")], path


def test_no_module_is_longer_than_about_300_lines():
  too_long = {str(p.relative_to(ROOT)): n for d in ("genvdisc", "experiments")
              for p in (ROOT / d).rglob("*.py") if (n := len(p.read_text().splitlines())) > 320}
  assert too_long == {}


def test_unit_tests_mirror_the_modules():
  """tests/unit/<path>/ holds the unit tests of the package <path> (genvdisc/..., experiments/...);
  end-to-end runs live in tests/e2e/."""
  unit = ROOT / "tests" / "unit"
  folders = [d for d in unit.rglob("*") if d.is_dir() and d.name != "__pycache__"]
  assert {d.relative_to(unit).parts[0] for d in folders} == {"genvdisc", "experiments"}
  for folder in folders:
    assert (ROOT / folder.relative_to(unit) / "__init__.py").exists(), folder
