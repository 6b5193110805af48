"""A city's night: nightstay plan at 1,000 to 10,000 people, and the search before and after a change.

    python -m benchmarks.scale                         # the size sweep -> results/scale-latest.md
    python -m benchmarks.scale --before f1df816        # also: scenarios at T = 2 s, that commit vs this tree
    python -m benchmarks.scale --sizes 5000 --no-bound --no-greedy -o /tmp/s.md

**Size sweep.** The ``normal`` night of seed 0 rescaled to each size (hosts, beds, drivers and
shelters in proportion; ``nightstay demo-night --scenario normal --seed 0 --people N``), planned
by the real command ``nightstay plan NIGHT --time-limit T`` in its own process: wall clock of the
whole command (start-up, reading, solving, writing) and its peak resident memory (``wait4``).
Targets: 5,000 people with ``--time-limit 2`` under 5 s, 10,000 with ``--time-limit 5`` under
8 s and 1 GiB. Beside it the coordinators' greedy (in-process, about a second at 10,000 people;
the planner makes it too, and never writes a plan it beats) and the upper bound (max flow),
which takes far longer than the planner at these sizes (their times are shown).

**Before and after** (``--before REV``): every demo scenario with seeds 0-2 at ``--time-limit 2``,
planned by the planner of commit ``REV`` (exported with ``git archive`` into a scratch folder)
and by this tree's, one after the other, each in its own process (``solve`` called directly,
so that any commit can be run), with its processor time. On a machine shared with other work,
``--deterministic`` is the fair comparison: each version stops on its own counted work. Both plans are judged by the
reference checker and compared in the format's order; the table names the first criterion
that differs.

Every plan is judged by the reference checker (``../shared/formats/check_plan.py``). Wall times
depend on what else the machine runs: the header gives the load average before and after.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from nightstay.planner.bound import upper_bound
from nightstay.planner.demo import SCENARIOS, make_night
from nightstay.planner.greedy import greedy
from nightstay.planner.read import read_night

from . import reference_checker
from .run import _commit, _machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
SIZES = ((1000, 2.0), (2000, 2.0), (5000, 2.0), (10000, 5.0))  # people, --time-limit
RANKED = ("vulnerable_sheltered", "sheltered", "rotation", "returning_honoured", "announced_changed",
          "last_arrival", "driver_km")
BIGGER_IS_BETTER = {"vulnerable_sheltered", "sheltered", "rotation", "returning_honoured"}

# The planner of another commit, run from its exported tree: read, solve, write (no CLI needed).
_SOLVE = """
import json, sys
from nightstay.planner.read import read_night
night, limit, out, deterministic = sys.argv[1:5]
night, limit, deterministic = read_night(json.load(open(night))), float(limit), deterministic == "1"
try:  # the public surface: solve(night, stop)
    from nightstay.planner import MaxRuntime, MaxWork, solve
    plan = solve(night, MaxWork.for_seconds(limit) if deterministic else MaxRuntime(limit))
except ImportError:  # a commit from before it
    from nightstay.planner.solve import solve
    plan = solve(night, time_limit=limit, deterministic=deterministic)
open(out, "w").write(plan.dumps())
"""
# A small launcher forks the planner, so that wait4() gives the planner's own figures (see run.py).
_LAUNCH = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"wall": time.perf_counter() - started, "maxrss_kb": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime, "code": os.waitstatus_to_exitcode(status)}))
"""


def _run(cmd: list[str], plan_path: Path, env=None) -> tuple[dict | None, float, float, str]:
    """Run a planner command in its own process: (plan, wall s, peak MB, error); with
    ``env`` (the before/after comparison) the seconds are processor time, not wall."""
    # run from the tree whose planner it is: ``python -c`` puts the working folder first on the path
    cwd = env.get("PYTHONPATH", ROOT) if env is not None else ROOT
    done = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=cwd, env=env)
    if done.returncode != 0:
        return None, 0.0, 0.0, done.stderr.decode(errors="replace").strip()[-200:]
    run = json.loads(done.stdout)
    seconds = run["cpu"] if env is not None else run["wall"]
    if run["code"] != 0 or not plan_path.exists():
        return None, seconds, run["maxrss_kb"] / 1024, f"exit {run['code']}"
    return json.loads(plan_path.read_text()), seconds, run["maxrss_kb"] / 1024, ""


def _nightstay(night_path: Path, plan_path: Path, limit: float, deterministic: bool = False) -> list[str]:
    script = Path(sys.executable).with_name("nightstay")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "nightstay.cli"]
    return [*head, "plan", str(night_path), "--time-limit", f"{limit:g}", "-o", str(plan_path),
            *(["--deterministic"] if deterministic else [])]


def _judge(checker, doc: dict, plan: dict | None) -> tuple[dict, str]:
    if plan is None:
        return {}, "failed"
    if checker is None:
        return plan.get("summary", {}), "unchecked"
    c = checker.Checker(doc, plan)
    try:
        score = c.check()
    except (KeyError, TypeError, ValueError) as e:
        c.err(f"malformed plan: {e}")
        score = {}
    return score, "yes" if not c.errors else f"NO ({len(c.errors)})"


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def sweep(sizes, checker, work: Path, with_greedy: bool, with_bound: bool) -> list[str]:
    lines = ["| people | --time-limit | wall s | peak MB | valid | vuln. sheltered | sheltered | greedy: vuln. / "
             "sheltered (s) | upper bound: vuln. / sheltered (s) | never below the greedy |",
             "|--:|--:|--:|--:|---|--:|--:|--:|--:|---|"]
    for people, limit in sizes:
        print(f"sweep {people} ...", file=sys.stderr, flush=True)
        doc = make_night("normal", 0, people=people)
        night_path, plan_path = work / f"n{people}.json", work / f"p{people}.json"
        night_path.write_text(json.dumps(doc))
        plan, wall, peak, error = _run(_nightstay(night_path, plan_path, limit), plan_path)
        score, valid = _judge(checker, doc, plan)
        if error:
            valid = f"failed ({error})"
        g_cell, b_cell, verdict = "", "", ""
        night = read_night(doc)
        if with_greedy:
            started = time.perf_counter()
            g = json.loads(greedy(night).dumps())
            g_time = time.perf_counter() - started
            g_score, _ = _judge(checker, doc, g)
            g_cell = f"{g_score.get('vulnerable_sheltered')} / {g_score.get('sheltered')} ({g_time:.1f})"
            verdict = _verdict(score, g_score) if score else ""
        if with_bound:
            started = time.perf_counter()
            vb, b = upper_bound(night, vulnerable_only=True), upper_bound(night)
            b_cell = f"{vb} / {b} ({time.perf_counter() - started:.0f})"
        lines.append(f"| {people} | {limit:g} | {wall:.2f} | {peak:.0f} | {valid} | {score.get('vulnerable_sheltered', '')} "
                     f"| {score.get('sheltered', '')} | {g_cell} | {b_cell} | {verdict} |")
    return lines


def _key(score: dict) -> tuple:
    out = []
    for k in RANKED:
        v = score.get(k)
        if v is None:
            out.append(0)
        elif k in BIGGER_IS_BETTER:
            out.append(-v)
        else:
            out.append(v)
    return tuple(out)


def _verdict(ours: dict, theirs: dict) -> str:
    """Which plan ranks better in the format's order, and by the first criterion that differs."""
    for k in RANKED:
        a, b = _key({k: ours.get(k)}), _key({k: theirs.get(k)})
        if a != b:
            return f"{'yes' if a < b else 'NO'} ({k})"
    return "yes (equal)"


def before_after(rev: str, checker, work: Path, seeds, limit: float, deterministic: bool) -> list[str]:
    old = work / f"rev-{rev}"
    old.mkdir()
    archive = subprocess.run(["git", "archive", rev, "nightstay"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    env = dict(os.environ, PYTHONPATH=str(old))
    cols = "vuln. | sheltered | rotation | returning | last | km | cpu s"
    lines = [f"| night | before: {cols} | after: {cols} | after ranks at least as well |",
             "|---|" + "--:|" * 14 + "---|"]
    for scenario in SCENARIOS:
        for seed in seeds:
            name = f"{scenario}/{seed}"
            print(f"{name} ...", file=sys.stderr, flush=True)
            doc = make_night(scenario, seed)
            night_path = work / f"{scenario}-{seed}.json"
            night_path.write_text(json.dumps(doc))
            cells, scores = [], []
            for who in ("before", "after"):
                plan_path = work / f"{scenario}-{seed}-{who}.plan.json"
                if who == "before":
                    cmd = [sys.executable, "-c", _SOLVE, str(night_path), f"{limit:g}", str(plan_path),
                           "1" if deterministic else "0"]
                else:
                    cmd = [sys.executable, "-c", _SOLVE, str(night_path), f"{limit:g}", str(plan_path),
                           "1" if deterministic else "0"]
                plan, wall, _, error = _run(cmd, plan_path, env=env if who == "before" else dict(os.environ))
                score, valid = _judge(checker, doc, plan)
                scores.append(score)
                if valid != "yes":
                    cells.append(f"{valid} {error} |" + " |" * 6)
                    continue
                last = score.get("last_arrival") or ""
                cells.append(f"{score['vulnerable_sheltered']} | {score['sheltered']} | {score['rotation']} | "
                             f"{score['returning_honoured']} | {last[11:16]} | {score['driver_km']:.0f} | {wall:.2f}")
            verdict = _verdict(scores[1], scores[0]) if scores[0] and scores[1] else ""
            lines.append(f"| {name} | {cells[0]} | {cells[1]} | {verdict} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", help="people per night (default 1000 2000 5000 10000)")
    parser.add_argument("--no-greedy", action="store_true", help="skip the greedy (about a second at 10,000 people)")
    parser.add_argument("--no-bound", action="store_true", help="skip the upper bound (minutes at 10,000 people)")
    parser.add_argument("--before", metavar="REV", help="also compare the scenarios with the planner of commit REV")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per scenario for --before (default 3)")
    parser.add_argument("--deterministic", action="store_true",
                        help="--before: both planners stop on their counted work, not the clock (fair on a busy "
                             "machine; each version's own units)")
    parser.add_argument("-o", "--output", type=Path, help="where to write (default results/scale-latest.md)")
    args = parser.parse_args(argv)
    checker = reference_checker.load()
    limits = dict(SIZES)
    sizes = [(n, limits.get(n, 2.0)) for n in args.sizes] if args.sizes is not None else list(SIZES)
    started, load_before = time.perf_counter(), _load()
    with tempfile.TemporaryDirectory(prefix="nightstay-scale-") as tmp:
        work = Path(tmp)
        table = sweep(sizes, checker, work, not args.no_greedy, not args.no_bound) if sizes else []
        compared = (before_after(args.before, checker, work, range(args.seeds), 2.0, args.deterministic)
                    if args.before else [])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# nightstay at a city's size, {now}",
        "",
        f"- Machine: {_machine()}; shared with other work while this ran: load average {load_before} "
        f"before, {_load()} after (2 cores). Wall times on an idle machine are lower.",
        f"- Code: commit {_commit()} (and its working tree); command `python -m benchmarks.scale "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}`".rstrip() + f", "
        f"{(time.perf_counter() - started) / 60:.1f} minutes in all.",
        "- nightstay: `nightstay plan NIGHT --time-limit T` in its own process; wall clock of the whole command, "
        "peak resident memory. valid: the reference checker `shared/formats/check_plan.py`.",
        "",
    ]
    if table:
        lines += ["## Size sweep (normal scenario, seed 0, rescaled)", "", *table, ""]
    if compared:
        mode = ("deterministic mode: each stops on its own counted work" if args.deterministic
                else "stopped by the clock")
        lines += [f"## Before ({args.before}) and after, every scenario, --time-limit 2 ({mode}; "
                  "cpu s: the planner process's processor time)", "", *compared, ""]
    output = args.output or RESULTS / "scale-latest.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines))
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
