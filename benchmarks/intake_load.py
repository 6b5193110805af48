"""Intake under an evening's load: coordinators registering while hosts, drivers and boards poll.

    .venv/bin/python -m benchmarks.intake_load --database postgres://postgres@127.0.0.1:5432/nightstay
    .venv/bin/python -m benchmarks.intake_load --parties 100 --pollers 12 -o /tmp/quick.md   # a short run

What it does, bounded in count and in time (``--max-seconds``):

1. creates a throw-away PostgreSQL database beside the one named (``<name>_load``, on 127.0.0.1
   only), loads the demo hub into it and fills tonight's queue up to ``--prefill`` parties;
2. starts the site on it with ``manage.py runserver`` (one thread per request) on 127.0.0.1;
3. 8 coordinators register 750 parties as the phone's script does (a key per registration, a
   ticket code from the phone's block, the JSON answer), about ``--think`` seconds apart;
   every 25th registration is sent a second time, as a phone does whose answer was lost;
4. meanwhile 60 pollers (hosts' and drivers' tonight pages, coordinators' boards) each load
   their page every ``--poll-every`` seconds, and a bare Django view is timed the same way;
5. then counts, in the database, lost registrations (answered, but no party) and duplicated
   ones (more parties than registrations), and writes a table of p50/p95/p99 per page and of
   registrations by the length of the queue when they were made.

The client runs on the same machine as the server and the database: a shared machine's other
work shows in the figures, which is why the bare view is timed in the same run.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import platform
import random
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
LOCAL = {"127.0.0.1", "localhost"}
REPLAY_EVERY = 25
KINDS = [("board", "/brussels/tonight/"), ("host", "/brussels/host/tonight/"), ("driver", "/brussels/driver/tonight/")]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nightstay"),
                   help="a PostgreSQL server on 127.0.0.1; the benchmark uses a database of its own beside this one")
    p.add_argument("--coordinators", type=int, default=8)
    p.add_argument("--parties", type=int, default=750)
    p.add_argument("--pollers", type=int, default=60, help="split evenly between boards, hosts and drivers")
    p.add_argument("--prefill", type=int, default=250, help="parties already waiting when the run starts")
    p.add_argument("--think", type=float, default=1.0,
                   help="seconds a coordinator pauses between two registrations (a person needs far longer)")
    p.add_argument("--poll-every", type=float, default=3.0, help="seconds between two loads of one poller's page")
    p.add_argument("--max-seconds", type=float, default=900, help="stop the load after this long, whatever is left")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--keep", action="store_true", help="keep the benchmark's database afterwards")
    p.add_argument("--note", default="", help="a line for the results header (e.g. what else ran on the machine)")
    p.add_argument("-o", "--output", default=str(ROOT / "benchmarks" / "results" / "intake-load.md"))
    return p.parse_args(argv)


# -- the database and the server ----------------------------------------------------------------

def bench_database(url: str, suffix: str = "load", program: str = "intake_load") -> tuple[str, str]:
    """The URL of the benchmark's own database (``<name>_<suffix>`` beside the one named), and of
    the server's maintenance database."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql") or parts.hostname not in LOCAL:
        sys.exit(f"{program}: --database must be PostgreSQL on 127.0.0.1, not {url}")
    name = parts.path.lstrip("/") or "nightstay"
    return (urlunsplit(parts._replace(path=f"/{name}_{suffix}")), urlunsplit(parts._replace(path="/postgres")))


def recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def environment(db_url: str, var_dir: str) -> dict:
    from nightstay.privacy.crypto import new_key_line

    return {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
            "NIGHTSTAY_FIELD_KEYS": new_key_line("load"), "NIGHTSTAY_VAR_DIR": var_dir, "PYTHONUNBUFFERED": "1"}


def prepare(args) -> dict:
    """Demo hub, a queue of ``prefill`` parties, and one logged-in session per simulated phone."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nightstay.accounts.models import User
    from nightstay.hubs.models import Hub, Role
    from nightstay.intake.models import Party

    call_command("demo_setup", verbosity=0, stdout=open(os.devnull, "w"))
    hub = Hub.objects.get(slug="brussels")
    night = hub.tonight()
    waiting = Party.objects.filter(night=night, status__in=["waiting", "placed"]).count()
    Party.objects.bulk_create(Party(night=night, ticket=f"Z{i:03d}", size=1 + i % 3, gender="m",
                                    waiting_since=night.start + timedelta(seconds=i))
                              for i in range(max(0, args.prefill - waiting)))

    def session(user) -> str:
        client = Client()
        client.force_login(user)
        s = client.session
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            s["otp_device_id"] = device.persistent_id
        s.save()
        return s.session_key

    coordinator = User.objects.get(memberships__hub=hub, memberships__role=Role.COORDINATOR,
                                   first_name="Colette")
    per_kind = args.pollers // 3
    hosts = list(User.objects.filter(memberships__hub=hub, memberships__role=Role.HOST).distinct()[:per_kind])
    drivers = list(User.objects.filter(memberships__hub=hub, memberships__role=Role.DRIVER).distinct()[:per_kind])
    phones = {"coordinators": [session(coordinator) for _ in range(args.coordinators)],
              "board": [session(coordinator) for _ in range(per_kind)],
              "host": [session(u) for u in hosts], "driver": [session(u) for u in drivers],
              "night": str(night.pk), "start_queue": Party.objects.filter(night=night, status="waiting").count()}
    connections.close_all()
    return phones


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/bench/bare/").status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    sys.exit("intake_load: the server did not answer within 60 s: " + server.stderr.read().decode()[-2000:])


# -- the client ---------------------------------------------------------------------------------

class Answer(NamedTuple):
    status: int
    body: bytes  # as read, after gzip
    wire: int  # bytes over the wire (gzipped when the site gzips)
    took: float
    cookie: str


def request(port: int, method: str, path: str, session: str = "", csrf: str = "", body: dict | None = None,
            accept: str = "text/html") -> Answer:
    """One request on a fresh connection, as a phone re-connecting."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept": accept, "Accept-Encoding": "gzip", "Cookie": f"sessionid={session}; csrftoken={csrf}"}
    data = None
    if body is not None:
        data = urlencode(body, doseq=True)
        headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}",
                        "X-CSRFToken": csrf})
    start = time.perf_counter()
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
    finally:
        conn.close()
    took = time.perf_counter() - start
    wire = len(content) + (len(data) if data else 0)
    if response.getheader("Content-Encoding") == "gzip":
        content = gzip.decompress(content)
    return Answer(response.status, content, wire, took, response.getheader("Set-Cookie") or "")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.sizes = defaultdict(list)

    def add(self, page: str, status: int, took: float, size: int, ok=(200,)) -> None:
        with self.lock:
            self.times[page].append(took)
            self.sizes[page].append(size)
            if status not in ok:
                self.errors[page] += 1


def coordinator(port: int, session: str, count: int, rec: Recorder, acked: dict, stop_at: float, seed: int,
                think: float) -> None:
    """Register ``count`` parties as the phone's script does; keep every answer to check later."""
    rng = random.Random(seed)
    page = request(port, "GET", "/intake/brussels/", session)
    html = page.body.decode()
    csrf = re.search(r"csrftoken=([^;]+)", page.cookie).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    codes = re.search(r'data-codes="([^"]*)"', html).group(1).split()
    block = re.search(r'data-block="([^"]*)"', html).group(1)
    for n in range(count):
        if time.monotonic() > stop_at:
            return
        time.sleep(rng.uniform(0.5, 1.5) * think)
        size = rng.choice([1, 1, 1, 1, 2, 3, 4, 7])
        fields = {"size_choice": str(min(size, 6)), "size_more": str(size) if size >= 6 else "",
                  "gender": "m" if size == 1 else "mixed", "vulnerable_why": rng.choice(["", "", "", "medical"]),
                  "nights_outside": str(rng.randint(0, 7)), "key": str(uuid.uuid4()),
                  "ticket": codes.pop(0) if codes else "", "block": block, "csrfmiddlewaretoken": token}
        for attempt in range(2 if n % REPLAY_EVERY == REPLAY_EVERY - 1 else 1):
            page_name = "registration" if attempt == 0 else "registration sent again"
            for _retry in range(5):  # a phone tries again, with the same key
                try:
                    answer = request(port, "POST", "/intake/brussels/", session, csrf, fields, accept="application/json")
                except OSError:
                    rec.add(page_name, 0, 60.0, 0)
                    continue
                rec.add(page_name, answer.status, answer.took, answer.wire, ok=(200, 201))
                if answer.status in (200, 201):
                    got = json.loads(answer.body)
                    queue = int(re.search(r"(\d+) part", got["head"]).group(1))
                    with rec.lock:
                        acked.setdefault(fields["key"], []).append(got["ticket"])
                        if attempt == 0:
                            rec.times[f"registration, queue {bucket(queue)}"].append(answer.took)
                    if got.get("codes"):
                        codes, block = list(got["codes"]), str(got["block"])
                    break


def bucket(queue: int) -> str:
    low = (queue - 1) // 250 * 250
    return f"{low + 1}-{low + 250}"


def poller(port: int, kind: str, path: str, session: str, every: float, rec: Recorder, done: threading.Event,
           seed: int) -> None:
    rng = random.Random(seed)
    done.wait(rng.uniform(0, every))
    while not done.is_set():
        try:
            answer = request(port, "GET", path, session)
            rec.add(kind, answer.status, answer.took, answer.wire)
        except OSError:
            rec.add(kind, 0, 60.0, 0)
        done.wait(every)


# -- the run and its table ----------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def check_database(night: str, acked: dict) -> dict:
    from django.db import connections

    from nightstay.intake.models import Party

    saved = dict(Party.objects.filter(night_id=night, key__isnull=False).values_list("key", "ticket"))
    saved = {str(k): t for k, t in saved.items()}
    connections.close_all()
    lost = [k for k in acked if k not in saved]
    changed = [k for k, tickets in acked.items() if k in saved and set(tickets) != {saved[k]}]
    return {"registrations": len(acked), "saved": len(saved), "lost": len(lost),
            "duplicated": max(0, len(saved) - len(acked)), "answers that differ": len(changed)}


def table(args, rec: Recorder, counts: dict, seconds: float, phones: dict) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    if subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                      text=True).stdout.strip():
        commit = commit.strip() + " with uncommitted changes"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    lines = [f"# Intake under load ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"- commit {commit.strip()}, Python {platform.python_version()}, {os.cpu_count()} cores ({cpu}),",
             "  PostgreSQL on 127.0.0.1, `manage.py runserver` (a thread per request), client on the same machine",
             f"- {args.coordinators} coordinators registering {counts['registrations']} parties, "
             f"{args.think:g} s apart on average (every {REPLAY_EVERY}th sent twice), {args.pollers} pollers every {args.poll_every:g} s, "
             f"queue {phones['start_queue']} at the start; {seconds:.0f} s in all",
             f"- `{shlex.join(['python', '-m', 'benchmarks.intake_load', *sys.argv[1:]])}`"]
    if args.note:
        lines.append(f"- {args.note}")
    lines += ["", "| page | requests | errors | p50 ms | p95 ms | p99 ms | bytes on the wire (mean) |", "|---|---:|---:|---:|---:|---:|---:|"]
    def order(page: str):
        queue = re.search(r"queue (\d+)", page)
        return (not page.startswith("registration"), int(queue.group(1)) if queue else 0, page)

    for page in sorted(rec.times, key=order):
        t, sizes = rec.times[page], rec.sizes.get(page)
        errors, mean = (rec.errors.get(page, 0), f"{sum(sizes) / len(sizes):.0f}") if sizes else ("", "")
        lines.append(f"| {page} | {len(t)} | {errors} | {percentile(t, 50) * 1000:.0f} | {percentile(t, 95) * 1000:.0f} "
                     f"| {percentile(t, 99) * 1000:.0f} | {mean} |")
    lines += ["", "Registrations checked in the database afterwards: " +
              ", ".join(f"{k} {v}" for k, v in counts.items()) + ".", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    db_url, admin_url = bench_database(args.database)
    name = urlsplit(db_url).path.lstrip("/")
    sys.path.insert(0, str(ROOT))
    recreate(admin_url, name)
    server = None
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            env = environment(db_url, var_dir)
            os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "NIGHTSTAY_FIELD_KEYS",
                                                   "NIGHTSTAY_VAR_DIR")})
            phones = prepare(args)
            server = start_server(env, args.port)
            rec, acked, done = Recorder(), {}, threading.Event()
            start = time.monotonic()
            stop_at = start + args.max_seconds
            pollers = [threading.Thread(target=poller, args=(args.port, kind, path, s, args.poll_every, rec, done, i))
                       for kind, path in KINDS for i, s in enumerate(phones[kind])]
            pollers.append(threading.Thread(target=poller, args=(args.port, "bare Django view", "/bench/bare/", "",
                                                                 0.5, rec, done, 0)))
            shares = [args.parties // args.coordinators + (i < args.parties % args.coordinators)
                      for i in range(args.coordinators)]
            workers = [threading.Thread(target=coordinator,
                                        args=(args.port, s, shares[i], rec, acked, stop_at, i, args.think))
                       for i, s in enumerate(phones["coordinators"])]
            for t in pollers + workers:
                t.start()
            for t in workers:
                t.join()
            done.set()
            for t in pollers:
                t.join()
            seconds = time.monotonic() - start
            counts = check_database(phones["night"], acked)
            counts["not sent (time ran out)"] = args.parties - len(acked)
            text = table(args, rec, counts, seconds, phones)
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output).write_text(text)
            print(text)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate(admin_url, name, drop_only=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
