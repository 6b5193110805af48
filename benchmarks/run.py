"""Run the benchmark: every demo scenario, several seeds, and a size sweep; write a dated table.

    python -m benchmarks.run                  # make bench: 6 scenarios x 3 seeds + sweep 100..2000
    python -m benchmarks.run --quick          # 1 seed, sweep 100 and 500 (a minute or so)
    python -m benchmarks.run --seeds 5 --time-limit 2 -o /tmp/bench.md

For each night it measures the coordinator's greedy (in-process), nightstay's plan (the real
``nightstay plan NIGHT --time-limit T`` command in a child process: wall time and peak resident
memory of that process), the OR-Tools reference model when it is present, and the upper bound.
Every plan is judged by the reference checker (``../shared/formats/check_plan.py``), not by
nightstay's own code. The protocol and how to read the table are in ``benchmarks/README.md``.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from nightstay.planner.bound import driver_time_bound
from nightstay.planner.demo import SCENARIOS, make_night
from nightstay.planner.greedy import greedy
from nightstay.planner.read import read_night

from . import reference_checker

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
SWEEP = (100, 250, 500, 750, 1000, 1500, 2000)
QUICK_SWEEP = (100, 500)
SWEEP_SCENARIO = "normal"
REFERENCE_SWEEP_MAX = 500  # the sweep runs the reference only this far: a full bench stays under ~10 minutes
REFERENCE_FACTOR = 10  # the reference model gets ten times nightstay's budget: the yardstick it must match


@dataclass
class Row:
    """One method on one night, as the table shows it."""

    method: str
    vulnerable: int | None = None
    sheltered: int | None = None
    rotation: int | None = None
    returning: int | None = None
    last_arrival: str | None = None
    driver_km: float | None = None
    seconds: float | None = None
    peak_mb: float | None = None
    valid: str = ""


def _judge(checker, method: str, night: dict, plan: dict, seconds: float, peak_mb: float | None = None) -> Row:
    """A row from the reference checker's score (or from the plan's own summary without a checker)."""
    if checker is None:
        score, valid = plan.get("summary", {}), "unchecked"
    else:
        c = checker.Checker(night, plan)
        try:
            score = c.check()
        except (KeyError, TypeError, ValueError) as e:
            c.err(f"malformed plan: {e}")
            score = {}
        valid = "yes" if not c.errors else f"NO ({len(c.errors)})"
        if c.errors:
            print(f"  {method}: {c.errors[0]}", file=sys.stderr)
    last = score.get("last_arrival")
    return Row(method, score.get("vulnerable_sheltered"), score.get("sheltered"), score.get("rotation"),
               score.get("returning_honoured"), last[11:16] if last else None, score.get("driver_km"),
               seconds, peak_mb, valid)


# Until ``nightstay.cli`` exists, the same work in a child process: read, solve, write.
_SOLVE_ONLY = """
import json, sys
from nightstay.planner import MaxRuntime, read_night, solve
night_path, _, limit, _, out = sys.argv[2:7]
plan = solve(read_night(json.load(open(night_path))), MaxRuntime(float(limit)))
open(out, "w").write(plan.dumps())
"""


def _planner_command() -> list[str]:
    if importlib.util.find_spec("nightstay.cli") is None:
        return [sys.executable, "-c", _SOLVE_ONLY]
    script = Path(sys.executable).with_name("nightstay")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nightstay.cli"]


def _planner_label() -> str:
    cmd = _planner_command()
    if cmd[1:2] == ["-c"]:
        return "python -c 'solve(read_night(NIGHT))' (nightstay.cli not there yet) plan NIGHT"
    return " ".join(Path(c).name for c in cmd) + " plan NIGHT"


# Peak memory is read from wait4() of the planner process. On Linux a child's ru_maxrss starts
# from the resident set of the process it was forked from, and this benchmark grows to hundreds
# of MB; so a small launcher process forks the planner, and its figures are the planner's alone.
_LAUNCH = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"wall": time.perf_counter() - started, "maxrss_kb": usage.ru_maxrss,
                  "code": os.waitstatus_to_exitcode(status)}))
"""


def _run_planner(night_path: Path, plan_path: Path, time_limit: float) -> tuple[dict | None, float, float, str]:
    """Run ``nightstay plan`` as its own process: (plan, wall seconds, peak RSS in MB, error text)."""
    cmd = [*_planner_command(), "plan", str(night_path), "--time-limit", str(time_limit), "-o", str(plan_path)]
    with tempfile.TemporaryFile() as err:
        done = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        err.seek(0)
        text = err.read().decode(errors="replace").strip()
    if done.returncode != 0:
        return None, 0.0, 0.0, f"launcher failed: {text.splitlines()[-1] if text else done.returncode}"
    run = json.loads(done.stdout)
    wall, peak_mb = run["wall"], run["maxrss_kb"] / 1024  # Linux reports kilobytes
    if run["code"] != 0 or not plan_path.exists():
        return None, wall, peak_mb, f"exit {run['code']}: {text.splitlines()[-1] if text else ''}"
    return json.loads(plan_path.read_text()), wall, peak_mb, ""


def _reference():
    try:
        from benchmarks.ortools_reference import solve_reference
    except ImportError:
        return None
    return solve_reference


def measure(doc: dict, workdir: Path, name: str, time_limit: float, checker, reference, *,
            reference_limit: float | None) -> tuple[list[Row], dict]:
    """Every method on one night document."""
    night = read_night(doc)
    rows = []
    started = time.perf_counter()
    # the tighter of the two bounds: the flow's and the drivers' time budget (never looser than the flow)
    bound, vbound = driver_time_bound(night), driver_time_bound(night, vulnerable_only=True)
    rows.append(Row("upper bound", vbound, bound, seconds=time.perf_counter() - started))

    started = time.perf_counter()
    plan = greedy(night).to_json()
    rows.append(_judge(checker, "greedy", doc, plan, time.perf_counter() - started))

    night_path, plan_path = workdir / f"{name}.night.json", workdir / f"{name}.plan.json"
    night_path.write_text(json.dumps(doc))
    plan, wall, peak, error = _run_planner(night_path, plan_path, time_limit)
    if plan is None:
        rows.append(Row("nightstay", seconds=wall, peak_mb=peak, valid=f"failed ({error})"))
        print(f"  nightstay plan failed on {name}: {error}", file=sys.stderr)
    else:
        rows.append(_judge(checker, "nightstay", doc, plan, wall, peak))

    if reference is not None and reference_limit is not None:
        started = time.perf_counter()
        try:
            plan = reference(night, reference_limit).to_json()
        except Exception as e:  # the yardstick failing must not stop the benchmark
            rows.append(Row("OR-Tools ref.", seconds=time.perf_counter() - started, valid=f"failed ({e})"))
        else:
            rows.append(_judge(checker, "OR-Tools ref.", doc, plan, time.perf_counter() - started))
    return rows, {"people": night.people, "vulnerable": sum(p.size for p in night.parties if p.vulnerable),
                  "hosts": len(night.hosts), "drivers": len(night.drivers),
                  "beds": sum(q.beds for q in night.places.values())}


def _cell(value, fmt: str = "{}") -> str:
    return "" if value is None else fmt.format(value)


def _table(instances: list[tuple[str, dict, list[Row]]]) -> list[str]:
    lines = ["| night | people (vuln.) | method | vuln. sheltered | sheltered | rotation | returning | "
             "last arrival | driver km | time s | peak MB | valid |",
             "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for name, info, rows in instances:
        for i, r in enumerate(rows):
            head = f"{name} | {info['people']} ({info['vulnerable']})" if i == 0 else " | "
            lines.append(f"| {head} | {r.method} | {_cell(r.vulnerable)} | {_cell(r.sheltered)} | "
                         f"{_cell(r.rotation)} | {_cell(r.returning)} | {_cell(r.last_arrival)} | "
                         f"{_cell(r.driver_km, '{:.0f}')} | {_cell(r.seconds, '{:.2f}')} | "
                         f"{_cell(r.peak_mb, '{:.0f}')} | {r.valid} |")
    return lines


def _gaps(instances: list[tuple[str, dict, list[Row]]]) -> list[str]:
    """Per scenario: mean share of the bound each method shelters (people, and vulnerable people)."""
    methods = [r.method for r in instances[0][2][1:]] if instances else []
    lines = ["| scenario | nights | " + " | ".join(f"{m}: % of bound (vuln. %)" for m in methods) + " |",
             "|---|--:|" + "--:|" * len(methods)]
    for scenario in SCENARIOS:
        mine = [(rows[0], {r.method: r for r in rows[1:]}) for name, _, rows in instances
                if name.rsplit("/", 1)[0] == scenario]
        if not mine:
            continue
        cells = []
        for m in methods:
            shares, vshares = [], []
            for bound, by in mine:
                r = by.get(m)
                if r is None or r.sheltered is None or not r.valid.startswith("yes"):
                    continue
                shares.append(100.0 * r.sheltered / bound.sheltered if bound.sheltered else 100.0)
                vshares.append(100.0 * r.vulnerable / bound.vulnerable if bound.vulnerable else 100.0)
            cells.append(f"{sum(shares) / len(shares):.1f} ({sum(vshares) / len(vshares):.1f})" if shares else "n/a")
        lines.append(f"| {scenario} | {len(mine)} | " + " | ".join(cells) + " |")
    return lines


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        mem_gb = f"{int(mem) / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        mem_gb = "RAM unknown"
    try:
        from ortools import __version__ as ortools_version
    except ImportError:
        ortools_version = "absent"
    return (f"{os.cpu_count()} cores ({model or platform.processor() or 'unknown CPU'}), {mem_gb}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"OR-Tools {ortools_version}")


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one seed, a short sweep (100 and 500 people)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per scenario (default 3)")
    parser.add_argument("--time-limit", type=float, default=2.0, help="nightstay plan's budget, seconds (default 2)")
    parser.add_argument("--no-reference", action="store_true", help="skip the OR-Tools reference model")
    parser.add_argument("-o", "--output", type=Path, help="where to write the table (default results/latest.md)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="  %(name)s: %(message)s")
    seeds = range(1 if args.quick else args.seeds)
    sweep = QUICK_SWEEP if args.quick else SWEEP
    output = args.output or RESULTS / ("quick.md" if args.quick else "latest.md")
    checker = reference_checker.load()
    if checker is None:
        print(f"reference checker not found at {reference_checker.CHECKER}: plans are left unchecked", file=sys.stderr)
    reference = None if args.no_reference else _reference()
    ref_limit = args.time_limit * REFERENCE_FACTOR
    started = time.perf_counter()

    scenario_rows, sweep_rows = [], []
    with tempfile.TemporaryDirectory(prefix="nightstay-bench-") as tmp:
        work = Path(tmp)
        for scenario in SCENARIOS:
            for seed in seeds:
                name = f"{scenario}/{seed}"
                print(f"{name} ...", file=sys.stderr, flush=True)
                rows, info = measure(make_night(scenario, seed), work, name.replace("/", "-"), args.time_limit,
                                     checker, reference, reference_limit=ref_limit)
                scenario_rows.append((name, info, rows))
        for people in sweep:
            name = f"{SWEEP_SCENARIO}/0 x{people}"
            print(f"{name} ...", file=sys.stderr, flush=True)
            rows, info = measure(make_night(SWEEP_SCENARIO, 0, people=people), work, f"sweep-{people}",
                                 args.time_limit, checker, reference,
                                 reference_limit=ref_limit if people <= REFERENCE_SWEEP_MAX else None)
            sweep_rows.append((name, info, rows))
    elapsed = time.perf_counter() - started

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# nightstay benchmark, {now}",
        "",
        f"- Machine: {_machine()}.",
        f"- Code: commit {_commit()}; command `python -m benchmarks.run "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}`".rstrip() + f", {elapsed / 60:.1f} minutes in all.",
        f"- nightstay: `{_planner_label()} --time-limit "
        f"{args.time_limit:g}` in its own process (time: wall clock of the whole command; peak MB: its maximum "
        "resident set).",
        "- greedy: the coordinator's greedy, in-process. "
        + (f"OR-Tools ref.: `benchmarks/ortools_reference.py`, in-process, {ref_limit:g} s budget "
           f"({REFERENCE_FACTOR} x nightstay's)." if reference else "OR-Tools reference model: not run."),
        "- valid: judged by the reference checker `shared/formats/check_plan.py`"
        + ("." if checker else " (NOT FOUND: plans unchecked)."),
        "- upper bound: the tighter of `nightstay.planner.bound.upper_bound` (max flow) and `driver_time_bound` "
        "(a linear program where each driver's time is a budget; see README): no valid plan shelters more.",
        "",
        "## Share of the upper bound sheltered, by scenario",
        "",
        *_gaps(scenario_rows),
        "",
        f"## Scenarios ({len(seeds)} seed{'s' if len(seeds) > 1 else ''} each)",
        "",
        *_table(scenario_rows),
        "",
        f"## Size sweep ({SWEEP_SCENARIO} scenario, seed 0, rescaled)",
        "",
        *_table(sweep_rows),
        "",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines))
    print(f"wrote {output} in {elapsed:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
