"""The ``nightstay`` command: a thin shell over the planner.

    nightstay plan NIGHT.json [-o PLAN.json] [--time-limit S] [--seed N] [--deterministic]
    nightstay check NIGHT.json PLAN.json [--json]
    nightstay demo-night --scenario S [--seed N] [--people N] [-o NIGHT.json]

Exit codes say who must act: 0 done; 1 the plan breaks a rule (``check``, or ``plan``
could not keep every rule and says which); 2 the input cannot be used (a file that cannot
be read, a night that breaks the format, a bad option), with one line per problem on
stderr and never a traceback: these commands run at the meeting point, at night, in front
of people who are not programmers.

Commands live in ``COMMANDS`` (name -> function adding its subparser), so the web platform
adds its own (``serve``, ``purge``) without touching this file's commands. The planner's
search is imported only when ``plan`` runs, so ``check`` starts fast.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Callable

from nightstay.planner import NightError, check_plan, load_night
from nightstay.planner.read import MAX_BYTES, too_large
from nightstay.planner.values import parse_json

OK, INVALID, BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), like every other problem."""

    def error(self, message: str):
        self.exit(BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


class _Unusable(Exception):
    """An input or output the command cannot use; ``lines`` are printed to stderr as they are."""

    def __init__(self, *lines: str):
        super().__init__(*lines)
        self.lines = lines


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return seconds


def _at_least_one(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _read(name: str) -> bytes:
    """The bytes of a file, or of standard input for ``-``; a file above the declared size is refused unread."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(name, "rb") as f:
                data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise _Unusable(f"{name}: cannot read: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        size = os.stat(name).st_size if name != "-" else len(data)
        raise _Unusable(f"{name}: {too_large(size)}")
    return data


def _write(text: str, name: str | None) -> None:
    """Write to the file ``name``, or to standard output when there is none (or it is ``-``)."""
    if name is None or name == "-":
        sys.stdout.write(text)
        return
    try:
        Path(name).write_text(text, encoding="utf-8")
    except OSError as e:
        raise _Unusable(f"{name}: cannot write: {e.strerror or e}") from None


def _night(name: str):
    try:
        return load_night(_read(name))
    except NightError as e:
        raise _Unusable(*_at_most([f"{name}: {line}" for line in e.problems])) from None


MOST_LINES = 50  # a file broken everywhere: the first lines say enough, the count says the rest


def _at_most(lines: list[str] | tuple[str, ...]) -> list[str]:
    if len(lines) <= MOST_LINES:
        return list(lines)
    return [*lines[:MOST_LINES], f"... and {len(lines) - MOST_LINES} more"]


# -- nightstay plan ------------------------------------------------------------------------------

def add_plan(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "plan", help="plan a night: who goes where, in which car, when",
        description="Read a nightstay.night/1 file and write the best nightstay.plan/1 found within the time "
                    "limit. The plan is checked: if it breaks a rule (a fixed placement that cannot be kept: it "
                    "keeps all the others and plans around them), it is written all the same, the broken rules and "
                    "why go to standard error and the exit code is 1.")
    p.add_argument("night", metavar="NIGHT.json", help="the night (- for standard input)")
    p.add_argument("-o", "--output", metavar="PLAN.json", help="where to write the plan (default: standard output)")
    p.add_argument("--time-limit", type=_positive_seconds, default=2.0, metavar="S",
                   help="seconds of search (default: 2)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the search (default: 0)")
    p.add_argument("--deterministic", action="store_true",
                   help="stop on counted work derived from the time limit instead of the clock, so the same night, "
                        "seed and time limit give the same plan byte for byte; the plan's summary then says "
                        '"solve_seconds": null, since wall time is the one thing that varies')
    p.set_defaults(run=plan)


def plan(args: argparse.Namespace) -> int:
    night = _night(args.night)
    from nightstay.planner import MaxRuntime, MaxWork, solve  # the search is heavy to import; only ``plan`` needs it

    stop = MaxWork.for_seconds(args.time_limit) if args.deterministic else MaxRuntime(args.time_limit)
    result = solve(night, stop, seed=args.seed)
    _write(result.dumps(), args.output)
    verdict = check_plan(night, result.to_json())
    if not verdict.valid:
        # Written all the same: the coordinator needs tonight's plan, and these lines say what to fix by hand.
        print(f"{args.night}: the plan breaks these rules (a fixed placement no plan can keep, or a planner bug "
              "to report):", file=sys.stderr)
        for line in _at_most(verdict.errors):
            print(f"  {line}", file=sys.stderr)
        for note in result.notes:
            print(f"  why: {note}", file=sys.stderr)
        return INVALID
    return OK


# -- nightstay check -----------------------------------------------------------------------------

def add_check(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "check", help="check a plan against its night and score it",
        description="Exit 0 and print the score when the plan keeps every rule of NIGHT-FORMAT.md; exit 1 and "
                    "print one line per broken rule when it does not; exit 2 when a file cannot be used.")
    p.add_argument("night", metavar="NIGHT.json", help="the night")
    p.add_argument("plan", metavar="PLAN.json", help="the plan (- for standard input)")
    p.add_argument("--json", action="store_true", help="print the score as one JSON line")
    p.set_defaults(run=check)


def check(args: argparse.Namespace) -> int:
    night = _night(args.night)
    text = _read(args.plan)
    if not text.strip():
        raise _Unusable(f"{args.plan}: empty file: expected a nightstay.plan/1 JSON document")
    try:
        document = parse_json(text.decode("utf-8"))
    except (ValueError, RecursionError) as e:  # not UTF-8, not JSON, or nested too deeply
        raise _Unusable(f"{args.plan}: not JSON: {e}") from None
    verdict = check_plan(night, document)
    if not verdict.valid:
        for line in _at_most(verdict.errors):
            print(line)
        return INVALID
    if args.json:
        print(json.dumps(verdict.score))
    else:
        for key, value in verdict.score.items():
            print(f"{key}: {value}")
    return OK


# -- nightstay demo-night ------------------------------------------------------------------------

def add_demo_night(commands: argparse._SubParsersAction) -> None:
    from nightstay.planner.demo import SCENARIOS

    p = commands.add_parser(
        "demo-night", help="write a made-up night to try the planner on",
        description="Write a nightstay.night/1 file drawn from a scenario calibrated on Brussels 2017-18. "
                    "Scenarios: " + "; ".join(f"{name}: {text}" for name, text in SCENARIOS.items()))
    p.add_argument("--scenario", required=True, metavar="S", help=f"one of {', '.join(SCENARIOS)}")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="the same seed gives the same night (default: 0)")
    p.add_argument("--people", type=_at_least_one, metavar="N", help="rescale the scenario to N people")
    p.add_argument("-o", "--output", metavar="NIGHT.json", help="where to write the night (default: standard output)")
    p.set_defaults(run=demo_night)


def demo_night(args: argparse.Namespace) -> int:
    from nightstay.planner.demo import SCENARIOS, make_night

    if args.scenario not in SCENARIOS:
        raise _Unusable(f"unknown scenario {args.scenario!r}; known scenarios: {', '.join(SCENARIOS)}")
    night = make_night(args.scenario, args.seed, args.people)
    _write(json.dumps(night, indent=2, ensure_ascii=False) + "\n", args.output)
    return OK


COMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {
    "plan": add_plan,
    "check": add_check,
    "demo-night": add_demo_night,
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nightstay", description="Make sure nobody sleeps rough: plan and check a night.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for add in COMMANDS.values():
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a usage error already printed on one line
        return e.code if isinstance(e.code, int) else BAD_INPUT
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return BAD_INPUT
    try:
        return args.run(args)
    except _Unusable as e:
        for line in e.lines:
            print(line, file=sys.stderr)
        return BAD_INPUT
    except BrokenPipeError:  # ``nightstay demo-night | head``: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK


if __name__ == "__main__":
    sys.exit(main())
