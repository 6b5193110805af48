"""The night planner: read a night, pair every party with a bed and a ride, write a plan.

It knows nothing of the web. The platform calls it in-process; ``nightstay plan`` wraps it.
The formats are NIGHT-FORMAT.md's (nightstay.night/1 in, nightstay.plan/1 out). What is
named here is its public surface; the other modules are its workings and may change.

    night = read_night(document)                     # or load_night(bytes); NightError if broken
    plan = solve(night, MaxRuntime(2.0))             # MaxWork.for_seconds(2.0): same plan anywhere
    problems = check(night, plan)                    # () when every rule is kept
    moved = edit(night, plan, "MENA", "H-12")        # a coordinator's move; Refusal if it breaks a rule
    plan.dumps()                                     # the plan document, byte-stable

``solve``, ``SolveParams`` and ``edit`` bring in the search, which is heavy to import: they are
imported on first use, so that ``nightstay check`` starts fast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .check import Verdict, check, check_plan, rank_key
from .night import Night
from .plan import Placement, Plan, Stop, Trip
from .problems import MESSAGES, Refusal, Violation
from .read import NightError, load_night, read_night
from .stop import MaxRuntime, MaxWork, StoppingCriterion

if TYPE_CHECKING:
    from .moves import edit
    from .solver import SolveParams, solve

# No module here is named like these names: importing it would rebind the package's attribute.
_HEAVY = {"solve": ".solver", "SolveParams": ".solver", "edit": ".moves"}

__all__ = [
    "MESSAGES", "MaxRuntime", "MaxWork", "Night", "NightError", "Placement", "Plan", "Refusal", "SolveParams",
    "Stop", "StoppingCriterion", "Trip", "Verdict", "Violation", "check", "check_plan", "edit", "load_night",
    "rank_key", "read_night", "solve",
]


def __getattr__(name: str):
    if name in _HEAVY:
        from importlib import import_module

        value = globals()[name] = getattr(import_module(_HEAVY[name], __name__), name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
