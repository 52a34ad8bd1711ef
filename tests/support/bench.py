"""Loading the benchmark scripts, which live in a folder of scripts rather than a package."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.support.articles import REPO_ROOT

BENCH = REPO_ROOT / "bench"


def load_bench_script(name: str) -> ModuleType:
    """Import bench/NAME.py by path, with bench/ importable as the scripts expect."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered under its name, as a script importing it by that name would see it.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
