"""A network's evening: many hubs registering, planning and announcing on one PostgreSQL.

    .venv/bin/python -m benchmarks.network_evening                    # 20 hubs, 2 web, 2 workers, then the sweep
    .venv/bin/python -m benchmarks.network_evening --hubs 4 --evening 60 --no-sweep -o /tmp/quick.md

What a network outgrowing one machine runs: several web processes (``manage.py runserver``,
a thread per request, each on its own port, phones spread over them) and several planning
workers (``manage.py db_worker``, the task library of the live night) on one PostgreSQL.

1. A throw-away database beside the one named (``<name>_network``) gets ``--hubs`` hubs,
   each one of the planner's demo nights (``normal`` and ``winter`` in turn, 300 to 700
   people: ``--people``) with its hosts, drivers, pledges and a coordinator.
2. The evening, 20:00 to 22:00, is played in ``--evening`` seconds: each hub's coordinator
   registers its parties through the intake page as the phone does (``--registered`` of
   them were already waiting), its board polls every 3 s, and at a moment drawn between
   20:45 and 21:45 the coordinator presses Plan, polls the proposal until it is there (the
   board does it every second), and announces it.
3. The table: plan latency (press to proposal, as the board sees it), announce time,
   registration times, errors (any answer but the expected one, a failed run), and the
   invariants of each night checked in the database afterwards.
4. The sweep (unless ``--no-sweep``): only the planning part, every hub pressing Plan within
   the same 10 seconds, for 5, 10 and 20 hubs with 1 and 2 workers, to show how latency grows
   with hubs and falls with workers.

Client, servers, workers and database share this machine's cores: what else runs shows in
the figures, which is why the machine and the commit are in the header.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.intake_load import Recorder, bench_database, environment, percentile, recreate, request

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("normal", "winter")
BOARD_EVERY = 3.0  # seconds between two polls of a board
PROPOSAL_EVERY = 1.0  # the board's poll while the planner runs
PLAN_FROM, PLAN_UNTIL = 45 / 120, 105 / 120  # Plan is pressed between 20:45 and 21:45 of the 20:00-22:00 evening


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nightstay"),
                   help="a PostgreSQL server on 127.0.0.1; the benchmark uses a database of its own beside it")
    p.add_argument("--hubs", type=int, default=20)
    p.add_argument("--web", type=int, default=2, help="web processes")
    p.add_argument("--workers", type=int, default=2, help="planning workers")
    p.add_argument("--people", type=int, nargs=2, default=(300, 700), metavar=("LOW", "HIGH"))
    p.add_argument("--registered", type=float, default=0.5,
                   help="share of each hub's parties already waiting at 20:00 (the rest register during the run)")
    p.add_argument("--evening", type=float, default=600, help="seconds the 20:00-22:00 evening lasts")
    p.add_argument("--time-limit", type=float, default=2.0, help="PLAN_TIME_LIMIT of the workers, seconds")
    p.add_argument("--no-sweep", action="store_true")
    p.add_argument("--port", type=int, default=8780)
    p.add_argument("--keep", action="store_true", help="keep the benchmark's database afterwards")
    p.add_argument("--note", default="")
    p.add_argument("-o", "--output", default=str(ROOT / "benchmarks" / "results" / "network-evening.md"))
    return p.parse_args(argv)


# -- the hubs -----------------------------------------------------------------------------------

def load_hubs(count: int, people: tuple[int, int]) -> list[dict]:
    """``count`` demo hubs for tonight; for each: slug, coordinator session, parties left to register."""
    from django.db import connections
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nightstay.demo.rehearsal import Rehearsal
    from nightstay.hubs.models import Night

    day = Night.day_of()
    hubs = []
    rng = random.Random(0)
    for i in range(count):
        size = rng.randint(*people)
        rehearsal = Rehearsal(SCENARIOS[i % len(SCENARIOS)], seed=1000 + i, people=size)
        window = rehearsal.doc["window"]  # the demo night, moved to tonight (the servers run on the real clock)
        shift = day - date.fromisoformat(window["start"][:10])
        for key in ("start", "end"):
            window[key] = (datetime.fromisoformat(window[key]) + shift).isoformat()
        rehearsal.load()
        TOTPDevice.objects.create(user=rehearsal.coordinator, name="phone", confirmed=True)
        client = Client()
        client.force_login(rehearsal.coordinator)
        session = client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=rehearsal.coordinator).persistent_id
        session.save()
        parties = sorted(rehearsal.doc["parties"], key=lambda p: p["waiting_since"])
        hubs.append({"slug": rehearsal.hub.slug, "night": str(rehearsal.night.pk), "session": session.session_key,
                     "parties": parties, "people": size, "scenario": rehearsal.scenario, "rehearsal": rehearsal})
    connections.close_all()
    return hubs


def prefill(hubs: list[dict], share: float) -> None:
    """The parties already waiting at 20:00, written as intake would (the rest register over HTTP)."""
    from django.db import connections

    for hub in hubs:
        n = int(len(hub["parties"]) * share)
        for p in hub["parties"][:n]:
            hub["rehearsal"].arrive(p)
        hub["parties"] = hub["parties"][n:]
        hub.pop("rehearsal")
    connections.close_all()


# -- the processes ------------------------------------------------------------------------------

def start_processes(env: dict, args) -> list[subprocess.Popen]:
    procs = [subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", "--insecure",
                               f"127.0.0.1:{args.port + i}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for i in range(args.web)]
    procs += start_workers(env, args.workers)
    deadline = time.monotonic() + 60
    for i in range(args.web):
        while True:
            try:
                if request(args.port + i, "GET", "/bench/bare/").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                stop(procs)
                sys.exit("network_evening: a web process did not answer within 60 s")
            time.sleep(0.3)
    return procs


def start_workers(env: dict, count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()


# -- one hub's coordinator ----------------------------------------------------------------------

def csrf_of(port: int, path: str, session: str) -> tuple[str, str, str]:
    page = request(port, "GET", path, session)
    csrf = re.search(r"csrftoken=([^;]+)", page.cookie).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode()).group(1)
    return csrf, token, page.body.decode()


def plan_and_announce(port: int, hub: dict, rec: Recorder, label: str = "") -> None:
    """Press Plan, poll the proposal as the board does until it is there, announce it."""
    slug, session = hub["slug"], hub["session"]
    csrf, token, _ = csrf_of(port, f"/{slug}/tonight/", session)
    pressed = time.perf_counter()
    answer = request(port, "POST", f"/{slug}/tonight/plan/", session, csrf, {"csrfmiddlewaretoken": token})
    rec.add(f"press Plan{label}", answer.status, answer.took, answer.wire, ok=(302,))  # the form without htmx
    html = 'hx-trigger="every 1s"'
    while 'hx-trigger="every 1s"' in html and time.perf_counter() - pressed < 600:
        answer = request(port, "GET", f"/{slug}/tonight/plan/status/", session)
        rec.add(f"proposal poll{label}", answer.status, answer.took, answer.wire)
        html = answer.body.decode()
        if 'hx-trigger="every 1s"' in html:
            time.sleep(PROPOSAL_EVERY)
    latency = time.perf_counter() - pressed
    ok = "people sheltered" in html and 'hx-trigger="every 1s"' not in html
    rec.add(f"plan latency (press to proposal){label}", 200 if ok else 500, latency, 0)
    if not ok:
        return
    answer = request(port, "POST", f"/{slug}/tonight/announce/", session, csrf, {"csrfmiddlewaretoken": token})
    rec.add(f"announce{label}", answer.status, answer.took, answer.wire, ok=(302,))


def coordinator(ports: list[int], hub: dict, index: int, evening: float, rec: Recorder, acked: dict,
                start: float) -> None:
    """Register the hub's parties over the evening, plan at the drawn moment, announce."""
    rng = random.Random(index)
    port = ports[index % len(ports)]
    slug, session = hub["slug"], hub["session"]
    plan_at = start + evening * rng.uniform(PLAN_FROM, PLAN_UNTIL)
    csrf, token, html = csrf_of(port, f"/intake/{slug}/", session)
    codes = re.search(r'data-codes="([^"]*)"', html).group(1).split()
    block = re.search(r'data-block="([^"]*)"', html).group(1)
    parties = hub["parties"]
    gap = (plan_at - time.monotonic()) / (len(parties) + 1)  # they arrive before the plan
    for p in parties:
        time.sleep(max(0.0, gap * rng.uniform(0.5, 1.5)))
        size = p["size"]
        fields = {"size_choice": str(min(size, 6)), "size_more": str(size) if size >= 6 else "",
                  "gender": p["gender"], "vulnerable_why": "medical" if p["vulnerable"] else "",
                  "nights_outside": str(p.get("nights_outside", 0)), "key": str(uuid.uuid4()),
                  "ticket": codes.pop(0) if codes else "", "block": block, "csrfmiddlewaretoken": token}
        for _retry in range(5):  # a phone tries again, with the same key
            try:
                answer = request(port, "POST", f"/intake/{slug}/", session, csrf, fields, accept="application/json")
            except OSError:
                rec.add("registration", 0, 60.0, 0)
                continue
            rec.add("registration", answer.status, answer.took, answer.wire, ok=(200, 201))
            if answer.status in (200, 201):
                got = json.loads(answer.body)
                with rec.lock:
                    acked[fields["key"]] = hub["night"]
                if got.get("codes"):
                    codes, block = list(got["codes"]), str(got["block"])
                break
    time.sleep(max(0.0, plan_at - time.monotonic()))
    plan_and_announce(port, hub, rec)


def board(port: int, slug: str, session: str, rec: Recorder, done: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    done.wait(rng.uniform(0, BOARD_EVERY))
    while not done.is_set():
        try:
            answer = request(port, "GET", f"/{slug}/tonight/", session)
            rec.add("board", answer.status, answer.took, answer.wire)
        except OSError:
            rec.add("board", 0, 60.0, 0)
        done.wait(BOARD_EVERY)


# -- checks afterwards --------------------------------------------------------------------------

def check_nights(hubs: list[dict], acked: dict) -> dict:
    """Lost registrations, failed runs, nights not announced, and the live night's invariants."""
    from django.db import connections
    from django.utils import timezone as tz

    from nightstay.demo import invariants
    from nightstay.hubs.models import Night
    from nightstay.intake.models import Party
    from nightstay.planning.models import PlanRun

    saved = {str(k) for k in Party.objects.filter(key__isnull=False).values_list("key", flat=True)}
    nights = Night.objects.filter(pk__in=[h["night"] for h in hubs])
    broken = [f"{n.hub.slug}: {problem}" for n in nights for problem in invariants.check(n, tz.now(), True)]
    counts = {"registrations answered": len(acked), "lost": sum(1 for k in acked if k not in saved),
              "plan runs failed": PlanRun.objects.filter(night__in=nights, status=PlanRun.Status.FAILED).count(),
              "nights not announced": nights.exclude(status=Night.Status.ANNOUNCED).count(),
              "broken invariants": len(broken)}
    connections.close_all()
    return counts | {"_broken": broken[:10]}


# -- the sweep ----------------------------------------------------------------------------------

def sweep(env: dict, args, hubs: list[dict]) -> list[tuple[int, int, Recorder]]:
    """Every hub pressing Plan within 10 s, for 5/10/20 hubs and 1/2 workers (web processes as given)."""
    rows = []
    for workers in (1, 2):
        procs = start_processes(env, argparse.Namespace(**{**vars(args), "workers": workers}))
        try:
            for count in (n for n in (5, 10, 20) if n <= len(hubs)):
                rec = Recorder()
                threads = [threading.Thread(target=_press_later, args=(
                    args.port + i % args.web, hub, rec, random.Random(i).uniform(0, 10))) for i, hub in enumerate(hubs[:count])]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                rows.append((count, workers, rec))
        finally:
            stop(procs)
    return rows


def _press_later(port: int, hub: dict, rec: Recorder, wait: float) -> None:
    time.sleep(wait)
    plan_and_announce(port, hub, rec)


# -- the table ----------------------------------------------------------------------------------

def header(args, seconds: float, hubs: list[dict]) -> list[str]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                      text=True).stdout.strip():
        commit += " with uncommitted changes"
    people = sum(h["people"] for h in hubs)
    lines = [f"# A network's evening ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"- commit {commit}, {os.cpu_count()} cores shared by client, {args.web} web processes "
             f"(`runserver`, a thread per request), {args.workers} planning workers (`db_worker`) and PostgreSQL",
             f"- {len(hubs)} hubs, {people} people in all ({args.people[0]}-{args.people[1]} a hub, scenarios "
             f"{' and '.join(SCENARIOS)} in turn); {args.registered:.0%} waiting at 20:00, the rest registered "
             f"through the intake page; the 20:00-22:00 evening in {args.evening:g} s; Plan pressed between "
             f"20:45 and 21:45; PLAN_TIME_LIMIT {args.time_limit:g} s; boards polled every {BOARD_EVERY:g} s",
             f"- {seconds:.0f} s in all; `{shlex.join(['python', '-m', 'benchmarks.network_evening', *sys.argv[1:]])}`"]
    if args.note:
        lines.append(f"- {args.note}")
    return lines


def timing_rows(rec: Recorder) -> list[str]:
    lines = ["| what | count | errors | p50 s | p95 s | max s |", "|---|---:|---:|---:|---:|---:|"]
    for page in sorted(rec.times, key=lambda p: (not p.startswith("plan latency"), p)):
        t = rec.times[page]
        lines.append(f"| {page} | {len(t)} | {rec.errors.get(page, 0)} | {percentile(t, 50):.2f} | "
                     f"{percentile(t, 95):.2f} | {max(t):.2f} |")
    return lines


def table(args, rec: Recorder, counts: dict, seconds: float, hubs: list[dict], rows) -> str:
    broken = counts.pop("_broken")
    lines = header(args, seconds, hubs) + ["", "## The evening", ""] + timing_rows(rec)
    lines += ["", "Checked in the database afterwards: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "."]
    lines += [f"- {b}" for b in broken]
    if rows:
        lines += ["", "## Plan latency as hubs and workers grow", "",
                  "Every hub presses Plan within the same 10 seconds (no registrations meanwhile); "
                  f"{args.web} web processes.", "",
                  "| hubs | workers | plans | errors | latency p50 s | p95 s | max s |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for count, workers, r in rows:
            t = r.times.get("plan latency (press to proposal)", [0.0])
            errors = sum(r.errors.values())
            lines.append(f"| {count} | {workers} | {len(t)} | {errors} | {percentile(t, 50):.1f} | "
                         f"{percentile(t, 95):.1f} | {max(t):.1f} |")
    return "\n".join(lines + [""])


def main(argv=None) -> int:
    args = parse_args(argv)
    db_url, admin_url = bench_database(args.database, "network", "network_evening")
    name = urlsplit(db_url).path.lstrip("/")
    sys.path.insert(0, str(ROOT))
    recreate(admin_url, name)
    procs: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            env = environment(db_url, var_dir) | {"PLAN_TIME_LIMIT": str(args.time_limit)}
            os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "NIGHTSTAY_FIELD_KEYS",
                                                   "NIGHTSTAY_VAR_DIR", "PLAN_TIME_LIMIT")})
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            hubs = load_hubs(args.hubs, tuple(args.people))
            prefill(hubs, args.registered)
            procs = start_processes(env, args)
            rec, acked, done = Recorder(), {}, threading.Event()
            start = time.monotonic()
            boards = [threading.Thread(target=board, args=(args.port + i % args.web, h["slug"], h["session"], rec, done, i))
                      for i, h in enumerate(hubs)]
            coordinators = [threading.Thread(target=coordinator, args=(
                [args.port + w for w in range(args.web)], h, i, args.evening, rec, acked, start))
                for i, h in enumerate(hubs)]
            for t in boards + coordinators:
                t.start()
            for t in coordinators:
                t.join()
            done.set()
            for t in boards:
                t.join()
            seconds = time.monotonic() - start
            stop(procs)
            procs = []
            counts = check_nights(hubs, acked)
            rows = [] if args.no_sweep else sweep(env, args, hubs)
            text = table(args, rec, counts, seconds, hubs, rows)
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output).write_text(text)
            print(text)
    finally:
        stop(procs)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate(admin_url, name, drop_only=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
