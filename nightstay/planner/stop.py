"""When the planner stops searching: on the clock, or after an amount of counted work.

A night is planned in front of people waiting in the cold, so the search always has a
budget. ``MaxRuntime`` spends seconds of the clock: a plan is ready in time on any machine,
but a busy machine finds a different plan. ``MaxWork`` spends counted work (re-timings of a
schedule, ``insert.Work``): the same night and seed give the same plan byte for byte on any
machine, which is what tests, benchmarks and a coordinator comparing two runs rely on.

``solve`` splits one budget between its stages (construction hurries after a share, the
exact solvers get a share of the seconds), hence ``share`` and ``seconds`` beside the call.

    plan = solve(night, MaxRuntime(2.0))
    same = solve(night, MaxWork.for_seconds(2.0), seed=7)
"""
from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .insert import Work

# Units of counted work per second of budget: below the slowest rate measured on a busy 2-core
# machine, so that a deterministic run given "2 seconds" ends within them.
WORK_PER_SECOND = 80_000


@runtime_checkable
class StoppingCriterion(Protocol):
    """What ``solve`` asks of a budget."""

    @property
    def deterministic(self) -> bool:
        """True when the budget is counted work, so that the exact solvers count too."""

    @property
    def seconds(self) -> float:
        """The budget in seconds, near enough: the exact solvers' clock limits are shares of it."""

    def __call__(self, work: Work) -> bool:
        """Is the budget spent, ``work`` being the work counted so far?"""

    def progress(self, work: Work) -> float:
        """How much of the budget is spent, from 0 to 1."""

    def share(self, fraction: float, less_seconds: float = 0.0) -> StoppingCriterion:
        """The first ``fraction`` of this budget (less ``less_seconds`` on a clock), begun when it began."""


class MaxRuntime:
    """Stop after ``seconds`` of wall time, counted from the first time the criterion is asked.

    One criterion serves one solve: its clock starts when that solve starts.
    """

    deterministic = False

    def __init__(self, seconds: float, *, _since: float | None = None):
        if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        self._seconds = float(seconds)
        self._since = _since

    def __repr__(self) -> str:
        return f"MaxRuntime({self._seconds!r})"

    @property
    def seconds(self) -> float:
        return self._seconds

    def _started(self) -> float:
        if self._since is None:
            self._since = time.perf_counter()
        return self._since

    def __call__(self, work: Work) -> bool:
        return time.perf_counter() >= self._started() + self._seconds

    def progress(self, work: Work) -> float:
        started = self._started()
        return min(1.0, (time.perf_counter() - started) / self._seconds) if self._seconds > 0 else 1.0

    def share(self, fraction: float, less_seconds: float = 0.0) -> MaxRuntime:
        return MaxRuntime(max(0.0, self._seconds * fraction - less_seconds), _since=self._started())


class MaxWork:
    """Stop after ``units`` of counted work: the same night and seed give the same plan anywhere."""

    deterministic = True

    def __init__(self, units: int):
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            raise ValueError(f"units must be a whole number >= 0, got {units!r}")
        self.units = units

    @classmethod
    def for_seconds(cls, seconds: float) -> MaxWork:
        """As much counted work as a busy machine does in ``seconds``, or less."""
        if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        return cls(int(seconds * WORK_PER_SECOND))

    def __repr__(self) -> str:
        return f"MaxWork({self.units!r})"

    @property
    def seconds(self) -> float:
        return self.units / WORK_PER_SECOND

    def __call__(self, work: Work) -> bool:
        return work.done >= self.units

    def progress(self, work: Work) -> float:
        return min(1.0, work.done / self.units) if self.units else 1.0

    def share(self, fraction: float, less_seconds: float = 0.0) -> MaxWork:
        """Counted work knows no clock: ``less_seconds`` changes nothing."""
        return MaxWork(int(self.units * fraction))
