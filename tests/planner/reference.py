"""The reference checker of the night/plan formats, for tests to judge plans by.

The checker (``check_plan.py``) is not part of nightstay: it lives beside the repository,
in ``../shared/formats/``, so that a plan is judged by the format's own referee rather than
by code that could drift together with the planner. CI clones the repository with
``shared/`` beside it; elsewhere the tests that need it are skipped with a reason.

    from tests.planner.reference import assert_valid, reference_check, reference_rank_key

    score = assert_valid(night_dict, plan_dict)      # fails listing the broken rules
    errors, score = reference_check(night_dict, plan_dict)
"""
from __future__ import annotations

from types import ModuleType

import pytest

from benchmarks import reference_checker

CHECKER_PATH = reference_checker.CHECKER


def reference_module() -> ModuleType:
    """The loaded ``check_plan`` module; skips the calling test when the file is absent."""
    module = reference_checker.load()
    if module is None:
        pytest.skip(f"reference checker not found at {CHECKER_PATH} (clone shared/ beside the repository)")
    return module


def reference_check(night: dict, plan: dict) -> tuple[list[str], dict | None]:
    """Judge ``plan`` against ``night`` as ``check_plan.py`` does: (errors, score).

    A plan too malformed for the checker to finish gives one "malformed plan" error and no
    score, exactly as the checker's own command line reports it.
    """
    checker = reference_module().Checker(night, plan)
    try:
        score = checker.check()
    except (KeyError, TypeError, ValueError) as e:
        checker.err(f"malformed plan: {type(e).__name__}: {e}")
        score = None
    return checker.errors, score


def reference_rank_key(score: dict) -> tuple:
    """The reference ordering of scores: smaller is better."""
    return reference_module().rank_key(score)


def assert_valid(night: dict, plan: dict) -> dict:
    """Fail the test with every rule the plan breaks; return the reference score otherwise."""
    errors, score = reference_check(night, plan)
    if errors:
        shown = "\n  ".join(errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        pytest.fail(f"the reference checker rejects the plan ({len(errors)} problems):\n  {shown}{more}",
                    pytrace=False)
    return score
