"""Rehearse every demo scenario with several seeds; write a table of what the live night keeps.

    python -m benchmarks.rehearse                       # make rehearse-bench: 6 scenarios x 20 seeds
    nice -n 10 python -m benchmarks.rehearse --jobs 2   # two nights at a time on a shared machine
    python -m benchmarks.rehearse --seeds 2 --time-limit 0.5 -o benchmarks/results/rehearse-reduced.md

Each night is the real ``manage.py rehearse --scenario S --seed N --quiet`` in a child process, on
a throw-away SQLite database of its own (migrated once, copied per child). The table gives, per
scenario: broken invariants (must be 0), people sheltered in the live night against planning
the whole night at once knowing everything that happened ("from scratch"), and announced
placements changed per event that asked for a decision.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path

from nightstay.planner.demo import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
FIGURES = re.compile(r"seed (\d+): (\d+) of (\d+) people sheltered \(planning from scratch: (\d+)\); (\d+) events, "
                     r"(\d+) announced placements changed")


def _env(db: Path) -> dict:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "nightstay.site.settings"}


def one(template: Path, scenario: str, seed: int, time_limit: float, workdir: Path, counted: bool = True) -> dict:
    db = workdir / f"{scenario}-{seed}.sqlite3"
    shutil.copy(template, db)
    began, load = time.monotonic(), os.getloadavg()[0]
    done = subprocess.run([sys.executable, "manage.py", "rehearse", "--scenario", scenario, "--seed", str(seed),
                           "--time-limit", str(time_limit), "--quiet", *(["--deterministic"] if counted else [])],
                          cwd=ROOT, env=_env(db),
                          capture_output=True, text=True)
    db.unlink(missing_ok=True)
    found = FIGURES.search(done.stdout)
    row = {"scenario": scenario, "seed": seed, "code": done.returncode, "seconds": time.monotonic() - began,
           "broken": broken_count(done.stdout), "error": ""}
    if found is None or row["broken"] is None:
        row["error"] = (done.stderr.strip().splitlines() or ["no figures"])[-1]
        return row
    _seed, sheltered, people, scratch, n_events, changed = map(int, found.groups())
    row.update(sheltered=sheltered, people=people, scratch=scratch, events=n_events, changed=changed)
    return row


def broken_count(stdout: str) -> int | None:
    """The command's own count: "N broken invariants:" (exit 1) or "every invariant held" (exit 0);
    None when it said neither (it crashed), so a night that did not finish is never counted as clean."""
    said = re.search(r"^(\d+) broken invariants:$", stdout, re.M)
    if said:
        return int(said.group(1))
    return 0 if re.search(r"^every invariant held$", stdout, re.M) else None


def _commit() -> str:
    done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def table(rows: list[dict], seeds: int, time_limit: float, minutes: float, jobs: int = 1, planned: int = 0,
          cpu_minutes: float = 0.0, counted: bool = True, load: float | None = None) -> str:
    seconds = sorted(r["seconds"] for r in rows)
    rows = sorted(rows, key=lambda r: (r["scenario"], r["seed"]))
    lines = [
        f"# nightstay rehearsals, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
        *([f"- **Partial: {len(rows)} of {planned} nights finished** (still running, or stopped; seeds run in "
           "order, every scenario per seed)."] if planned and len(rows) < planned else []),
        f"- Produced by `python -m benchmarks.rehearse --seeds {seeds} --time-limit {time_limit} --jobs {jobs}"
        f"{'' if counted else ' --no-counted'}` "
        f"(`make rehearse-bench`) at commit {_commit()}: seeds 1 to {seeds} of every scenario, each night the real "
        "`manage.py rehearse --scenario S --seed N --quiet` in a child process on a fresh SQLite database.",
        (f"- Work per night reduced to fit a shared machine: every plan (the live night's and the one from scratch) "
         f"stops after counted work, `MaxWork.for_seconds({time_limit})` (as much as a busy machine does in "
         f"{time_limit} s, or less), where `make run` plans on the clock for 2 s: a busy machine does not starve "
         "the search, and the planner searches less than on a real night. The nights' own random draws are not "
         "byte-for-byte repeatable (e.g. which host cancels is drawn from rows in database order), so a second run "
         "of the same seeds gives close, not equal, figures." if counted else
         f"- The planner stops on wall time ({time_limit} s per plan, `MaxRuntime`): on a busier machine it searches "
         "less, so sheltered and changed figures differ from run to run."),
        f"- {len(rows)} nights, {minutes:.1f} minutes in all, {jobs} at a time on {os.cpu_count()} cores shared with "
        f"other work (load average {load or 0:.1f} at the start; Python {platform.python_version()}), "
        f"{cpu_minutes:.1f} CPU minutes of the nights themselves; "
        f"one night took {seconds[0]:.0f} to {seconds[-1]:.0f} s of wall time (median {seconds[len(seconds) // 2]:.0f} s)."
        if rows else "- no nights ran.",
        "- broken invariants: the sum of each night's own count (`N broken invariants:` or `every invariant held`; "
        "a night that printed neither is listed below as not finished, never counted as clean).",
        "- Each night: `manage.py rehearse --scenario S --seed N` (first plan and announcement at 21:00, "
        "2-3 host cancellations, 1 absent driver, 3 late cars, 50 people arriving after 22:30, "
        "3 parties leaving, 1 not at the pickup spot; a coordinator re-plans every 15 minutes while alerts are open).",
        "- sheltered: people on the way or arrived, or placed by the last announcement, at the night's end. "
        "from scratch: the planner on the whole night at once, knowing every arrival, cancellation and absence.",
        "- changed per event: announced placements changed by all re-plans / events that asked for a decision.",
        "",
        "| scenario | nights | broken invariants | sheltered (live) | sheltered (from scratch) | live / scratch | "
        "events | announced changed | changed per event |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for scenario in [s for s in SCENARIOS if any(r["scenario"] == s for r in rows)]:
        mine = [r for r in rows if r["scenario"] == scenario and not r["error"]]
        failed = [r for r in rows if r["scenario"] == scenario and r["error"]]
        if not mine:
            lines.append(f"| {scenario} | 0 | {len(failed)} failed | | | | | | |")
            continue
        s, f = sum(r["sheltered"] for r in mine), sum(r["scratch"] for r in mine)
        e, c = sum(r["events"] for r in mine), sum(r["changed"] for r in mine)
        lines.append(f"| {scenario} | {len(mine)} | {sum(r['broken'] for r in mine)} | {s} | {f} | "
                     f"{100 * s / f:.1f}% | {e} | {c} | {c / e if e else 0:.2f} |")
    errors = [r for r in rows if r["error"]]
    if errors:
        lines += ["", "## Nights that did not finish", ""]
        lines += [f"- {r['scenario']} seed {r['seed']}: {r['error']}" for r in errors]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=0.5, help="per plan: counted work worth this many seconds")
    parser.add_argument("--counted", action=argparse.BooleanOptionalAction, default=True,
                        help="counted work per plan (MaxWork), the same figures on a busy machine; --no-counted: the clock")
    parser.add_argument("--jobs", type=int, default=1, help="nights at a time (one core each)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("-o", "--out", type=Path, default=RESULTS / "rehearse-latest.md")
    args = parser.parse_args(argv)
    began, load = time.monotonic(), os.getloadavg()[0]
    # seed by seed, every scenario each time: a run stopped early still has as many nights of each
    jobs = [(s, seed) for seed in range(1, args.seeds + 1) for s in args.scenarios.split(",")]
    rows: list[dict] = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nightstay-rehearse-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.sqlite3"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=_env(template), check=True)
        cpu = _children_cpu()  # the nights' own work from here on
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            running = [pool.submit(one, template, s, seed, args.time_limit, workdir, args.counted) for s, seed in jobs]
            for done in as_completed(running):
                r = done.result()
                rows.append(r)
                print(f"{r['scenario']} {r['seed']}: exit {r['code']} {r['seconds']:.0f} s broken {r['broken']} "
                      f"{r['error']}", file=sys.stderr, flush=True)
                # the table so far, after every night: a run stopped early says how far it got
                args.out.write_text(table(rows, args.seeds, args.time_limit, (time.monotonic() - began) / 60,
                                          args.jobs, planned=len(jobs), cpu_minutes=(_children_cpu() - cpu) / 60,
                                          counted=args.counted, load=load))
    print(f"wrote {args.out}")
    return 0 if all(r["code"] == 0 for r in rows) else 1


def _children_cpu() -> float:
    """CPU seconds (user and system) of the finished child processes: the nights' own work."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime

if __name__ == "__main__":
    sys.exit(main())
