"""The reference plan checker, loaded from ``../shared/formats/check_plan.py`` beside the repository.

It is not part of nightstay (it is the contract's own checker), so it is loaded from its file;
the benchmarks and the tests judge plans with it, never with nightstay's own ``check.py`` alone.
"""
from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

CHECKER = Path(__file__).resolve().parents[1].parent / "shared" / "formats" / "check_plan.py"


@cache
def load() -> ModuleType | None:
    """The ``check_plan`` module, or None when the file is not beside the repository."""
    if not CHECKER.is_file():
        return None
    spec = importlib.util.spec_from_file_location("nightstay_reference_check_plan", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
