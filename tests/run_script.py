"""`python -m tests.run_script FILE ARGS...` or `-c CODE`: runs code with the repo on sys.path."""

import runpy
import sys

if __name__ == "__main__":
  if sys.argv[1] == "-c":
    exec(compile(sys.argv[2], "<code>", "exec"), {"__name__": "__main__"})
  else:
    path = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(path, run_name="__main__")
