"""Hunt for nights where nightstay (2 s) loses to the OR-Tools reference (20 s). Not part of the tests.

    nice -n 19 .venv/bin/python -m benchmarks.hunt                       # every kind, a few nights each
    nice -n 19 .venv/bin/python -m benchmarks.hunt --kinds late no-drivers --seeds 100 101 102
    nice -n 19 .venv/bin/python -m benchmarks.hunt --save /tmp/losses    # keep every losing night's file

The benchmarks (``compare.py``) hold nightstay to its promise on the demo scenarios' seeds 0..N
at their own sizes; this makes the nights they do not use, where a planner tuned on them can
still lose: seeds from 100 on, sizes from 60 to 1,500 people, and demo nights transformed into
the patterns issue 10 names (no drivers, every party arriving 20 minutes before the window ends,
half the hosts, hosts that refuse men, many fixed placements, ...).

Each night: nightstay by the real command (``nightstay plan --time-limit T``) in its own process,
the reference model (``ortools_reference.py``) in this one with ``--factor`` x T, one after the
other; the reference checker judges both and ``compare.verdict`` names the first criterion of the
format's order where they differ. A loss is run again with ``--deterministic`` (counted work), so
a loss that is only the machine's load (a clock budget buys less work under ``nice``) shows as one.
The reference's plans are cached by night (``--cache``), so a second hunt only pays nightstay.
Run it under ``nice -n 19``, one hunt at a time: a timed benchmark may share the machine.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from nightstay.planner.demo import SCENARIOS, make_night
from nightstay.planner.greedy import greedy
from nightstay.planner.read import read_night

from .compare import judge, load_checker, verdict
from .ortools_reference import solve_reference

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [str(ROOT / ".venv" / "bin" / "nightstay"), "plan"]


# -- the nights: a demo night, transformed ------------------------------------------------------

def no_drivers(doc: dict, rng: random.Random) -> None:
    doc["drivers"] = []


def two_drivers(doc: dict, rng: random.Random) -> None:
    doc["drivers"] = doc["drivers"][:2]


def late(doc: dict, rng: random.Random) -> None:
    """Every party reaches the meeting point 20 minutes before the window ends."""
    at = (datetime.fromisoformat(doc["window"]["end"]) - timedelta(minutes=20)).isoformat()
    for p in doc["parties"]:
        p["waiting_since"] = at


def half_hosts(doc: dict, rng: random.Random) -> None:
    doc["hosts"] = doc["hosts"][::2]
    _drop_returning(doc)


def no_men_at_hosts(doc: dict, rng: random.Random) -> None:
    for h in doc["hosts"]:
        h["accepts"]["genders"] = [g for g in h["accepts"]["genders"] if g != "m"] or ["f", "mixed"]
    for p in doc["parties"]:
        if p["returning_to"] and p["gender"] == "m":
            p["returning_to"] = None


def small_dormitory(doc: dict, rng: random.Random) -> None:
    """Host shortage with a dormitory too small: men compete with women for the mixed hosts."""
    half_hosts(doc, rng)
    for s in doc["shelters"]:
        s["beds"] = max(1, s["beds"] // 3)


def many_fixed(doc: dict, rng: random.Random) -> None:
    """A third of the coordinators' greedy placements pinned."""
    plan = greedy(read_night(doc))
    chosen = [p for p in plan.placements if rng.random() < 0.33]
    doc["fixed"] = [{"party": p.party, "place": p.place} for p in chosen]


def announced(doc: dict, rng: random.Random) -> None:
    """Planned again: the greedy plan announced, then a fifth of the hosts cancel."""
    plan = greedy(read_night(doc))
    gone = {h["id"] for h in doc["hosts"] if rng.random() < 0.2}
    doc["hosts"] = [h for h in doc["hosts"] if h["id"] not in gone]
    _drop_returning(doc)
    doc["announced"] = [{"party": p.party, "place": p.place} for p in plan.placements if p.place not in gone]


def late_few_drivers(doc: dict, rng: random.Random) -> None:
    late(doc, rng)
    two_drivers(doc, rng)


def _drop_returning(doc: dict) -> None:
    ids = {h["id"] for h in doc["hosts"]}
    for p in doc["parties"]:
        if p["returning_to"] not in ids:
            p["returning_to"] = None


TRANSFORMS = {
    "seed": None, "no-drivers": no_drivers, "two-drivers": two_drivers, "late": late, "half-hosts": half_hosts,
    "no-men-at-hosts": no_men_at_hosts, "small-dormitory": small_dormitory, "many-fixed": many_fixed,
    "announced": announced, "late-few-drivers": late_few_drivers,
}
SIZES = (None, 60, 150, 300, 800, 1500)


def nights(kinds, seeds, sizes, scenarios):
    """(name, night document) for every kind x scenario x seed, the size drawn per night."""
    for seed in seeds:
        for kind in kinds:
            for scenario in scenarios:
                rng = random.Random(f"{kind}/{scenario}/{seed}")
                people = rng.choice(sizes)
                if scenario == "small-hub" and people and people > 300:
                    people = None
                doc = make_night(scenario, seed, people=people)
                if TRANSFORMS[kind]:
                    TRANSFORMS[kind](doc, rng)
                yield f"{kind}:{scenario}:{seed}:{people or 'demo'}", doc


# -- running and judging -----------------------------------------------------------------------

def run_nightstay(path: Path, limit: float, deterministic: bool) -> tuple[dict | None, float, str]:
    out = path.with_suffix(".plan.json")
    cmd = [*COMMAND, str(path), "--time-limit", f"{limit:g}", "-o", str(out)]
    if deterministic:
        cmd.append("--deterministic")
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=max(60.0, 30 * limit))
    seconds = time.perf_counter() - t
    if not out.is_file():
        return None, seconds, r.stderr.strip()[-300:]
    return json.loads(out.read_text()), seconds, r.stderr.strip()[-300:]


def reference(doc: dict, limit: float, cache: Path | None) -> tuple[dict, float]:
    key = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:20] + f"-{limit:g}"
    hit = cache / f"{key}.json" if cache else None
    if hit and hit.is_file():
        saved = json.loads(hit.read_text())
        return saved["plan"], saved["seconds"]
    t = time.perf_counter()
    plan = solve_reference(read_night(doc), limit, seed=0).to_json()
    seconds = time.perf_counter() - t
    if hit:
        cache.mkdir(parents=True, exist_ok=True)
        hit.write_text(json.dumps({"plan": plan, "seconds": seconds}))
    return plan, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.hunt", description=__doc__.split("\n")[0])
    ap.add_argument("--kinds", nargs="*", default=list(TRANSFORMS), choices=list(TRANSFORMS))
    ap.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), choices=list(SCENARIOS))
    ap.add_argument("--seeds", type=int, nargs="*", default=[100])
    ap.add_argument("--sizes", type=int, nargs="*", help="people per night, drawn per night (default: the "
                    "scenario's own size, 60, 150, 300, 800 or 1,500)")
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--factor", type=float, default=10.0)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "nightstay-hunt-cache")
    ap.add_argument("--save", type=Path, help="a folder for every losing night's file")
    args = ap.parse_args(argv)
    checker = load_checker()
    sizes = tuple(args.sizes) if args.sizes else SIZES
    losses = tried = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, doc in nights(args.kinds, args.seeds, sizes, args.scenarios):
            tried += 1
            path = Path(tmp) / "night.json"
            path.write_text(json.dumps(doc))
            ours_doc, t_ours, err = run_nightstay(path, args.time_limit, deterministic=False)
            ours = judge(checker, doc, ours_doc, t_ours) if ours_doc else None
            ref_doc, t_ref = reference(doc, args.factor * args.time_limit, args.cache)
            ref = judge(checker, doc, ref_doc, t_ref)
            if ours is None:
                print(f"{name}: nightstay wrote no plan: {err}", flush=True)
                losses += 1
                continue
            winner, by = verdict(checker, ours, ref)
            line = f"{name}: {winner} {by} | ours {ours.cells()} ({t_ours:.1f} s) | ref {ref.cells()}"
            if winner == "reference":
                det_doc, _, _ = run_nightstay(path, args.time_limit, deterministic=True)
                det = judge(checker, doc, det_doc, 0.0) if det_doc else None
                again = verdict(checker, det, ref) if det else ("no plan", "")
                line += f" | deterministic: {again[0]} {again[1]}"
                losses += 1
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"{name.replace(':', '_')}.json").write_text(json.dumps(doc, indent=1))
            print(("LOSS " if winner == "reference" else "") + line, flush=True)
    print(f"{tried} nights, {losses} lost")
    return 1 if losses else 0


if __name__ == "__main__":
    sys.exit(main())
