"""What storing homes coarsely costs the plan: the same nights planned from exact, 3-decimal and
grid-cell locations, each plan judged on the exact night.

    python -m benchmarks.coarse                 # make bench-coarse: 6 scenarios x 3 seeds, 2 s each
    python -m benchmarks.coarse --seeds 1 -o /tmp/coarse.md

A home is stored (and handed to the planner) as the centre of its grid cell
(``nightstay.pledges.areas.coarse``: 500 m a side within 5 km of the meeting point, 1 km to
15 km, 2 km beyond); until then it was stored at 3 decimals (about 110 x 70 m). For each demo
night the planner runs three times, on the hosts' exact locations, on 3 decimals and on the
cells, with the same budget and in deterministic mode. Every plan is then judged by the
reference checker on the **exact** night, after re-timing it as it would be driven: the same
cars, stops and order, every time after a departure following from the true drive lengths
(``retimed``). Whether a guest still reaches a home before the host's latest arrival then says
if a plan made on coarse points is late in truth.
Drivers' own homes (stored at 2 decimals, where a driver's night ends) are left exact in all
three, so that only the homes' coarsening is measured.
"""
from __future__ import annotations

import argparse
import copy
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from nightstay.planner.demo import SCENARIOS, make_night
from nightstay.planner.read import read_night
from nightstay.planner import MaxWork, solve
from nightstay.pledges.areas import coarse

from . import reference_checker

RESULTS = Path(__file__).resolve().parent / "results"
VARIANTS = ("exact", "3 decimals", "grid cells")


def located(doc: dict, variant: str) -> dict:
    """The night with its hosts' locations as the planner would get them under ``variant``."""
    out = copy.deepcopy(doc)
    park = doc["hub"]["meeting_point"]
    for host in out["hosts"]:
        loc = host["location"]
        if variant == "3 decimals":
            loc["lat"], loc["lon"] = round(loc["lat"], 3), round(loc["lon"], 3)
        elif variant == "grid cells":
            loc["lat"], loc["lon"] = coarse(loc["lat"], loc["lon"], park["lat"], park["lon"])
    return out


def retimed(checker, exact: dict, plan: dict) -> dict:
    """``plan`` as it would happen on the exact roads: each trip leaves when planned (or when its
    driver is back), each stop is reached after the true drive, a host fetching guests arrives no
    earlier than the true drive allows. Who goes where, in which car, in which order: unchanged."""
    c, when = checker.Checker(exact, plan), checker.when
    out = copy.deepcopy(plan)
    out.pop("summary", None)  # its figures were worked out on the coarse points
    arrive, free, late = {}, {}, []
    for trip in out.get("trips", []):
        did = trip["driver"]
        t = max([when(trip["depart"])] + ([free[did] + c.board] if did in free else []))
        trip["depart"], here = t.isoformat(), c.mp
        for stop in trip["stops"]:
            place = c.places[stop["place"]]
            t = t + c.drive(here, place["location"])
            if stop["place"] in c.hosts:
                t = max(t, when(place["ready_from"]))
                late.append((t - when(place["latest_arrival"])).total_seconds() / 60)
            stop["arrive"] = t.isoformat()
            arrive.update({pid: stop["arrive"] for pid in stop["parties"]})
            here, t = place["location"], t + c.drop
        back = t + c.drive(here, c.drivers[did]["home"] if trip["end"] == "home" else c.mp)
        trip["end_at"], free[did] = back.isoformat(), back
    for placement in out.get("placements", []):
        place = c.places.get(placement["place"])
        if placement["party"] in arrive:
            placement["arrive"] = arrive[placement["party"]]
        elif placement["place"] in c.hosts and place["pickup"] == "self":
            guests = [p["party"] for p in out["placements"] if p["place"] == placement["place"]]
            last = max(when(c.parties[g]["waiting_since"]) for g in guests)
            earliest = max(c.start, last, when(place["ready_from"])) + c.board + c.drive(c.mp, place["location"])
            placement["arrive"] = max(when(placement["arrive"]), earliest).isoformat()
            late.append((when(placement["arrive"]) - when(place["latest_arrival"])).total_seconds() / 60)
    out["late_minutes"] = [m for m in late if m > 0]  # not part of the format: read and removed by ``judged``
    return out


def judged(checker, exact: dict, plan: dict) -> dict:
    late = plan.pop("late_minutes", [])
    c = checker.Checker(exact, plan)
    try:
        score = c.check()
    except (KeyError, TypeError, ValueError) as e:
        c.err(f"malformed plan: {e}")
        score = {}
    return {**score, "errors": list(c.errors), "late": late}


def run(scenarios, seeds: int, time_limit: float) -> list[tuple[str, str, dict]]:
    checker = reference_checker.load()
    if checker is None:
        sys.exit("the reference checker ../shared/formats/check_plan.py is not beside the repository")
    rows = []
    for scenario in scenarios:
        for seed in range(seeds):
            exact = make_night(scenario, seed)
            for variant in VARIANTS:
                started = time.perf_counter()
                plan = solve(read_night(located(exact, variant)), MaxWork.for_seconds(time_limit)).to_json()
                score = judged(checker, exact, retimed(checker, exact, plan))
                score["seconds"] = time.perf_counter() - started
                rows.append((f"{scenario}/{seed}", variant, score))
                print(f"{scenario}/{seed} {variant}: sheltered {score.get('sheltered')}, "
                      f"km {score.get('driver_km')}, problems {len(score['errors'])}", file=sys.stderr)
    return rows


def table(rows) -> list[str]:
    lines = ["| night | hosts located by | vuln. sheltered | sheltered | driver km | last arrival | "
             "homes reached late | valid, driven on exact roads |", "|---|---|--:|--:|--:|--:|--:|---|"]
    for name, variant, s in rows:
        last = s.get("last_arrival")
        valid = "yes" if not s["errors"] else f"NO ({len(s['errors'])}: {s['errors'][0][:60]})"
        late = f"{len(s['late'])} (max {max(s['late']):.1f} min)" if s["late"] else "0"
        lines.append(f"| {name} | {variant} | {s.get('vulnerable_sheltered', '')} | {s.get('sheltered', '')} | "
                     f"{s.get('driver_km', 0):.0f} | {last[11:16] if last else ''} | {late} | {valid} |")
    return lines


def summary(rows) -> list[str]:
    """Per variant, over all nights: people and vulnerable people sheltered, km, invalid plans."""
    lines = ["| hosts located by | sheltered (all nights) | vulnerable sheltered | driver km | "
             "km vs exact | plans late on exact roads | homes reached late | latest by |",
             "|---|--:|--:|--:|--:|--:|--:|--:|"]
    total = {v: [0, 0, 0.0, 0, []] for v in VARIANTS}
    for _name, variant, s in rows:
        t = total[variant]
        t[0] += s.get("sheltered", 0)
        t[1] += s.get("vulnerable_sheltered", 0)
        t[2] += s.get("driver_km", 0.0)
        t[3] += bool(s["errors"])
        t[4] += s["late"]
    nights = len(rows) // len(VARIANTS)
    for variant in VARIANTS:
        people, vulnerable, km, invalid, late = total[variant]
        change = 100 * (km - total["exact"][2]) / total["exact"][2] if total["exact"][2] else 0
        worst = f"{max(late):.1f} min" if late else "-"
        lines.append(f"| {variant} | {people} | {vulnerable} | {km:.0f} | {change:+.1f} % | {invalid} of {nights} | "
                     f"{len(late)} | {worst} |")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "coarse-locations.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = run(list(SCENARIOS), args.seeds, args.time_limit)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    head = [f"# What coarse home locations cost the plan, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
            f"- Machine: {platform.machine()}, Python {platform.python_version()}; commit {commit}; "
            f"`python -m benchmarks.coarse --seeds {args.seeds} --time-limit {args.time_limit:g}`, "
            f"{(time.perf_counter() - started) / 60:.1f} minutes.",
            "- Planner: `solve(..., deterministic=True)` in-process, the same budget for each variant.",
            "- Every plan judged by `shared/formats/check_plan.py` on the night with the hosts' exact locations.",
            "", "## All nights", ""]
    text = "\n".join(head + summary(rows) + ["", "## Night by night", ""] + table(rows)) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
