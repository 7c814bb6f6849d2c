"""Config files for people: `--show_config`, and one line instead of a traceback when a config
file or a `--config.FIELD` override is wrong.

A field's meaning is the trailing comment of its assignment, `config.x = 1  # meaning`, continued
on comment-only lines aligned with it (big_vision documents its configs in their source the same
way). Every run field is documented once, in the schema (`genvdisc.config_schema`); a config file
and the `experiments.configs` modules it imports document only what they add (model_kwargs,
a table's own settings).
"""

from __future__ import annotations

import ast
import difflib
import importlib.machinery
import importlib.util
import os
import re
import tokenize
import traceback

from ml_collections import ConfigDict

from genvdisc import config_schema
from genvdisc.errors import ConfigError

CONFIGS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")
CONFIGS_PACKAGE = "experiments.configs"
SCHEMA_FILE = config_schema.__file__
BOOLEAN_TEXT = ("true", "t", "1", "false", "f", "0")  # what absl's boolean parser accepts


def config_spec(argv: list[str], flag: str = "config") -> str | None:
  """The value of `--config` in argv (`--config=F`, `--config F`, `-config=F`), as absl reads it."""
  for i, arg in enumerate(argv):
    match = re.match(rf"-{{1,2}}{flag}(=|$)", arg)
    if match:
      return arg[match.end():] if match.group(1) else (argv[i + 1] if i + 1 < len(argv) else None)
  return None


def override_names(argv: list[str], flag: str = "config") -> list[str]:
  """The fields that argv sets: `--config.mesh.data=2` -> 'mesh.data' (also `--noconfig.x`)."""
  return [m.group(1) for m in (re.match(rf"-{{1,2}}(?:no)?{flag}\.([^=]+)", a) for a in argv) if m]


def _display(path: str) -> str:
  relative = os.path.relpath(path)
  return path if relative.startswith("..") else relative


def _failure(error: Exception, path: str) -> str:
  """'FILE:LINE: Type: message' for an error raised while loading the config file at `path`: the
  line of the innermost config module (this file's folder or experiments/configs) it passed."""
  if isinstance(error, SyntaxError):
    where, line, message = error.filename or path, error.lineno, error.msg
  else:
    folders = {os.path.dirname(os.path.abspath(path)), CONFIGS_DIR}
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if os.path.dirname(os.path.abspath(f.filename)) in folders]
    where, line = (frames[-1].filename, frames[-1].lineno) if frames else (path, None)
    message = " ".join(str(error).split())
  location = f"{_display(where)}:{line}" if line else _display(where)
  return f"{location}: {type(error).__name__}: {message}"


def load(spec: str) -> ConfigDict:
  """`get_config()` of the config file `spec` ('path' or 'path:argument', as ml_collections takes
  it), or a one-line ConfigError naming the file and line that failed."""
  path, *argument = spec.split(":", 1)
  if not os.path.isfile(path):
    raise ConfigError(f"cannot read config file: No such file or directory: {path!r}; the configs "
                      "are in experiments/configs/")
  loader = importlib.machinery.SourceFileLoader("config_file", path)
  module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
  try:
    loader.exec_module(module)
    if not callable(getattr(module, "get_config", None)):
      raise ConfigError(f"{_display(path)}: defines no get_config(); start from "
                        "experiments/configs/mlp_digits.py")
    return module.get_config(*argument)
  except ConfigError:  # no get_config(), or get_config's own one-line error
    raise
  except Exception as e:  # pylint: disable=broad-except -- whatever the file raises is one line
    raise ConfigError(_failure(e, path)) from None


def _walk(config: ConfigDict, prefix: str = ""):
  """(name, value) of every field, depth first: 'mesh', then 'mesh.seed', 'mesh.data'."""
  for key, value in config.items():
    yield prefix + key, value
    if isinstance(value, ConfigDict):
      yield from _walk(value, f"{prefix}{key}.")


def field_names(config: ConfigDict) -> list[str]:
  """Every field, nested ones as 'mesh.data', sub-configs included ('mesh')."""
  return [name for name, _ in _walk(config)]


def check_overrides(config: ConfigDict, names: list[str], argv: list[str] = (),
                    flag: str = "config") -> None:
  """Each overridden field exists (else `unknown field 'x'; did you mean 'y'?`), and each
  boolean field set in `argv` gets a boolean (else one line naming the field, not absl's tuple)."""
  fields = field_names(config)
  for name in names:
    if name not in fields:
      close = difflib.get_close_matches(name, fields, n=1)
      hint = f"did you mean '{close[0]}'?" if close else "--show_config lists the fields"
      raise ConfigError(f"unknown field '{name}'; {hint}")
  booleans = {name for name, value in _leaves(config) if isinstance(value, bool)}
  for arg in argv:
    match = re.match(rf"-{{1,2}}{flag}\.([^=]+)=(.*)", arg)
    if match and match.group(1) in booleans and match.group(2).lower() not in BOOLEAN_TEXT:
      raise ConfigError(f"config.{match.group(1)}={match.group(2)!r} must be True or False")


def _imported_configs(path: str) -> list[str]:
  """The files of the experiments.configs modules that the file at `path` imports."""
  modules = []
  with open(path, encoding="utf-8") as source:
    tree = ast.parse(source.read(), path)
  for node in ast.walk(tree):
    if isinstance(node, ast.ImportFrom) and node.module == CONFIGS_PACKAGE:
      modules += [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(CONFIGS_PACKAGE + "."):
      modules.append(node.module.rsplit(".", 1)[1])
  return [os.path.join(CONFIGS_DIR, f"{name}.py") for name in modules
          if os.path.isfile(os.path.join(CONFIGS_DIR, f"{name}.py"))]


def _sources(path: str, seen: list[str]) -> list[str]:
  """`path` after the config files it imports, recursively: most basic first."""
  for base in _imported_configs(path):
    if os.path.abspath(base) not in map(os.path.abspath, seen):
      _sources(base, seen)
  seen.append(path)
  return seen


def _assigned_field(statement: list[str]) -> str | None:
  """'mesh.seed' for the tokens of `config.mesh.seed = ...`, else None."""
  if "=" not in statement:
    return None
  match = re.fullmatch(r"config((?:\.\w+)+)", "".join(statement[:statement.index("=")]))
  return match.group(1)[1:] if match else None


def trailing_comments(path: str) -> dict[str, str]:
  """{field: its assignment's trailing comment, aligned comment-only lines below appended}."""
  docs, statement, field, column = {}, [], None, None
  with tokenize.open(path) as source:
    for token in tokenize.generate_tokens(source.readline):
      if token.type == tokenize.COMMENT:
        text = token.string.lstrip("#").strip()
        if statement and field is None:  # the statement's first comment
          field, column = _assigned_field(statement), token.start[1]
          if field:
            docs.setdefault(field, text)
        elif not statement and field and token.start[1] == column:
          docs[field] += " " + text
        elif not statement:
          field = None
      elif token.type == tokenize.NEWLINE:
        statement = []
      elif token.type not in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
        if not statement:
          field = None
        statement.append(token.string)
  return docs


def field_docs(spec: str) -> dict[str, str]:
  """{field: meaning} for the config file `spec`, in the order its sources document them.

  The schema's meanings come first and take precedence; the config file and the configs it
  imports only add the fields they introduce.
  """
  docs = trailing_comments(SCHEMA_FILE)
  for source in _sources(spec.split(":", 1)[0], []):
    for field, text in trailing_comments(source).items():
      docs.setdefault(field, text)
  return docs


def _leaves(config: ConfigDict) -> list[tuple[str, object]]:
  """The fields that hold values (an empty sub-config as {}), as (name, value)."""
  return [(name, value.to_dict() if isinstance(value, ConfigDict) else value)
          for name, value in _walk(config) if not (isinstance(value, ConfigDict) and len(value))]


def _meaning(field: str, docs: dict[str, str]) -> str:
  """The field's own doc, else its sub-config's ('model_kwargs: constructor fields ...')."""
  if field in docs:
    return docs[field]
  parents = [field.rsplit(".", i)[0] for i in range(1, field.count(".") + 1)]
  parent = next((p for p in parents if p in docs), None)
  return f"{parent}: {docs[parent]}" if parent else "(undocumented)"


def show(config: ConfigDict, spec: str) -> str:
  """Every field of `config` as `field = value  # meaning`, in the documented order."""
  docs = field_docs(spec)
  order = {field: i for i, field in enumerate(docs)}
  rank = lambda field: order.get(field, len(order))
  leaves = sorted(_leaves(config), key=lambda leaf: (
      order.get(leaf[0].split(".")[0], rank(leaf[0])), rank(leaf[0])))
  width = max(len(field) for field, _ in leaves)
  value_width = min(24, max(len(repr(value)) for _, value in leaves))
  lines = [f"# {_display(spec)}: set a field with --config.FIELD=VALUE"]
  lines += [f"{field:<{width}} = {value!r:<{value_width}}  # {_meaning(field, docs)}"
            for field, value in leaves]
  return "\n".join(lines)
