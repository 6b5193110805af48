"""nightstay against the OR-Tools reference model, night by night, in the format's order.

    python -m benchmarks.compare --time-limit 2 --seeds 3                  # the reference gets 10 x T
    python -m benchmarks.compare --factor 1 --time-limits 1 2 5 --seeds 10 # equal time (make bench)
    python -m benchmarks.compare --time-limit 2 --seeds 1 --scenarios normal few-drivers -o /tmp/c.md

nightstay's promise is that on every night its plan, found within T seconds, ranks at least as
well as the plan of a general-purpose OR-Tools model given ``--factor`` x T
(``ortools_reference.py``; 10 by default, 1 for an equal-time comparison). For each demo
scenario, seed and time limit this runs both in-process, one after the other (never side by
side, so neither steals the other's processor), has the reference checker
(``../shared/formats/check_plan.py``) judge both plans, and compares them with the checker's
own ``rank_key``: the first criterion that differs decides, and the table names it. An invalid
plan loses to any valid one. Each night's upper bound is the tighter of the flow bound and the
drivers' time bound (``nightstay.planner.bound``), for people and for vulnerable people; the
table gives each plan's share of it. The table goes to stdout and to
``benchmarks/results/compare-latest.md`` with the date, the machine and the budgets.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from nightstay.planner.bound import driver_time_bound
from nightstay.planner.demo import SCENARIOS, make_night
from nightstay.planner.read import read_night
from nightstay.planner import MaxRuntime, solve

from . import reference_checker
from .ortools_reference import solve_reference

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
FACTOR = 10
# rank_key's positions, named as NIGHT-FORMAT.md names the criteria
CRITERIA = ("vulnerable", "sheltered", "rotation", "returning", "last arrival", "driver km")
WITH_ANNOUNCED = (*CRITERIA[:4], "announced changed", *CRITERIA[4:])  # a night planned again


def load_checker():
    checker = reference_checker.load()
    if checker is None:
        sys.exit(f"reference checker not found at {reference_checker.CHECKER} (clone shared/ beside the repository)")
    return checker


@dataclass
class Judged:
    """One plan as the reference checker sees it."""

    errors: list[str]
    score: dict | None
    seconds: float

    @property
    def valid(self) -> bool:
        return not self.errors and self.score is not None

    def cells(self) -> str:
        if not self.valid:
            return f"INVALID ({len(self.errors)}: {self.errors[0] if self.errors else 'malformed'})"
        s = self.score
        last = s["last_arrival"][11:16] if s["last_arrival"] else "-"
        return (f"{s['vulnerable_sheltered']}/{s['vulnerable']} v, {s['sheltered']}/{s['people']} p, "
                f"rot {s['rotation']}, ret {s['returning_honoured']}, {last}, {s['driver_km']:.0f} km")


def judge(checker, night_doc: dict, plan_doc: dict, seconds: float) -> Judged:
    c = checker.Checker(night_doc, plan_doc)
    try:
        score = c.check()
    except (KeyError, TypeError, ValueError) as e:
        c.err(f"malformed plan: {type(e).__name__}: {e}")
        score = None
    return Judged(c.errors, score, seconds)


def verdict(checker, ours: Judged, ref: Judged) -> tuple[str, str]:
    """(winner, deciding criterion): 'nightstay', 'reference' or 'tie'."""
    if ours.valid != ref.valid:
        return ("nightstay" if ours.valid else "reference"), "validity"
    if not ours.valid:
        return "tie", "both invalid"
    a, b = checker.rank_key(ours.score), checker.rank_key(ref.score)
    for name, x, y in zip(WITH_ANNOUNCED if "announced_changed" in ours.score else CRITERIA, a, b):
        if x != y:
            diff = abs(x - y)
            how = f"{name} ({diff:g}{' s' if name == 'last arrival' else ''})"
            return ("nightstay" if x < y else "reference"), how
    return "tie", "-"


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def bounds(night) -> tuple[int, int]:
    """(people, vulnerable people) no valid plan exceeds: the tighter of the flow and the drivers' time bound."""
    return driver_time_bound(night), driver_time_bound(night, vulnerable_only=True)


def share(judged: Judged, bound: tuple[int, int]) -> tuple[float, float] | None:
    """Per cent of the bound sheltered, (people, vulnerable people); None for an invalid plan."""
    if not judged.valid:
        return None
    s = judged.score
    return (100.0 * s["sheltered"] / bound[0] if bound[0] else 100.0,
            100.0 * s["vulnerable_sheltered"] / bound[1] if bound[1] else 100.0)


def mean(values) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    return f"{sum(v[0] for v in values) / len(values):.1f} ({sum(v[1] for v in values) / len(values):.1f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__.split("\n")[0])
    ap.add_argument("--time-limit", type=float, default=2.0, help="nightstay's budget T (the reference gets factor x T)")
    ap.add_argument("--time-limits", type=float, nargs="*", help="several budgets, one table each (overrides --time-limit)")
    ap.add_argument("--factor", type=float, default=FACTOR, help="the reference's budget in multiples of T (1: equal time)")
    ap.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 of every scenario")
    ap.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), choices=list(SCENARIOS))
    ap.add_argument("-o", "--output", type=Path, default=RESULTS / "compare-latest.md")
    args = ap.parse_args(argv)
    checker = load_checker()
    limits = args.time_limits or [args.time_limit]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()

    nights = [(scenario, seed) for scenario in args.scenarios for seed in range(args.seeds)]
    bound: dict[tuple[str, int], tuple[int, int]] = {}
    sections, wins_by_limit, losses = [], {}, 0
    for limit in limits:
        ref_limit = args.factor * limit
        header = (f"| scenario | seed | bound (vuln.) | nightstay ({limit:g} s) | reference ({ref_limit:g} s) "
                  "| better | by |")
        print(header)
        rows, ours_share, ref_share = [], [], []
        for scenario, seed in nights:
            doc = make_night(scenario, seed)
            night = read_night(doc)
            if (scenario, seed) not in bound:
                bound[scenario, seed] = bounds(night)
            b = bound[scenario, seed]
            plan, t_ours = timed(solve, night, MaxRuntime(limit), seed=0)
            ours = judge(checker, doc, plan.to_json(), t_ours)
            ref_plan, t_ref = timed(solve_reference, night, ref_limit, seed=0)
            ref = judge(checker, doc, ref_plan.to_json(), t_ref)
            winner, by = verdict(checker, ours, ref)
            ours_share.append(share(ours, b))
            ref_share.append(share(ref, b))
            row = (f"| {scenario} | {seed} | {b[0]} ({b[1]}) | {ours.cells()} ({t_ours:.1f} s) "
                   f"| {ref.cells()} ({t_ref:.1f} s) | {winner} | {by} |")
            rows.append((winner, row))
            print(row, flush=True)
        wins = {w: sum(1 for x, _ in rows if x == w) for w in ("nightstay", "tie", "reference")}
        wins_by_limit[limit] = wins
        losses += wins["reference"]
        sections += [
            f"## nightstay {limit:g} s, reference {ref_limit:g} s",
            "",
            f"nightstay better on {wins['nightstay']} nights, tie on {wins['tie']}, reference better on "
            f"{wins['reference']}. Mean share of the bound sheltered, people (vulnerable people): nightstay "
            f"{mean(ours_share)} %, reference {mean(ref_share)} %.",
            "",
            header,
            "|---|---|---|---|---|---|---|",
            *[r for _, r in rows],
            "",
        ]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_after = os.getloadavg()[0]
    command = " ".join(argv if argv is not None else sys.argv[1:])
    text = "\n".join([
        f"# nightstay against the OR-Tools reference ({stamp})",
        "",
        f"`python -m benchmarks.compare {command}` on {platform.machine()} with {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {(time.perf_counter() - started) / 60:.1f} minutes. nightstay's `solve` "
        f"gets T s, the reference model (`benchmarks/ortools_reference.py`) {args.factor:g} x T s, one after the "
        f"other (load average {load_before:.1f} at the start, {load_after:.1f} at the end: the machine is shared, "
        "and wall-clock budgets mean less work on a busy machine, for both). Both plans are judged by "
        "`shared/formats/check_plan.py`; \"by\" names the first criterion of NIGHT-FORMAT.md's order where they "
        "differ (an invalid plan loses to any valid one). Bound: the tighter of the flow bound and the drivers' "
        "time bound, people (vulnerable people). Cells: vulnerable sheltered / vulnerable, people sheltered / "
        "people, rotation, returning wishes honoured, last arrival, driver km (wall time).",
        "",
        *sections,
    ])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    for limit, wins in wins_by_limit.items():
        print(f"{limit:g} s: nightstay better on {wins['nightstay']}, tie {wins['tie']}, reference better on "
              f"{wins['reference']}")
    print(f"written to {args.output}")
    return 0 if losses == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
