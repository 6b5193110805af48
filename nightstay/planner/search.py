"""Making a night better: adaptive large-neighbourhood search (after Ropke and Pisinger).

Each step takes a few parties out of the night (``destroy``: at random, a whole trip, the
latest arrivals, the guests around one place, the bed an unplaced party could use, the host
a returning guest is owed, ...), puts them and some unplaced parties back (``repair``:
greedy in a noisy priority order, or by regret), tidies the drivers' trips it touched
(``moves``: relocate, exchange, 2-opt*), and then keeps or undoes the change:

- **Operators are chosen by a roulette wheel** (N-Wouda/ALNS ``RouletteWheel``): each
  destroy and repair operator has a weight, moved towards the score of what it just did
  (a new best night, a better one, accepted, rejected), so the operators that work on this
  night are chosen more.
- **Acceptance can leave a local optimum** (record-to-record travel, as in ALNS
  ``RecordToRecordTravel``): a night no worse than the current one by who is sheltered is
  kept if its last arrival and kilometres are within a threshold of the best night's; the
  threshold shrinks to nothing as the time runs out.
- **Restarts**: after ``STALL`` steps without a better night (fewer on a night of a few
  parties) the search goes back to the
  best night found and goes on from there with fresh weights, until the time is up. A night
  whose best has not moved through ``IDLE_RESTARTS`` restarts is done (a night of five
  parties is solved long before its time; the others use it all).

Every step changes the one working state in place and undoes itself on rejection
(``State.begin``/``rollback``); the best night is kept as a ``snapshot``.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field

from .destroy import DESTROYS, destroy_late
from .insert import Work
from .trip_moves import improve_routes
from .repair import repair_greedy, repair_regret
from .state import State

log = logging.getLogger(__name__)

MAX_DESTROY = 16  # parties taken out at most in one step (usually far fewer)
UNPLACED_RETRIED = 4  # unplaced parties offered the room a step makes (besides those taken out)
STALL = 1000  # steps without a better night before a restart from the best...
STALL_PER_PARTY = 20  # ...or fewer on a small night: this many per party, at least
STALL_AT_LEAST = 200
IDLE_RESTARTS = 8  # restarts in a row that found nothing better: the night is done
EXPLORE_UP_TO = 150  # parties: on bigger nights, one person fewer is never kept (too few steps each)
REPAIRS = (repair_greedy, repair_regret)


@dataclass
class RouletteWheel:
    """Adaptive operator weights: ``weight = decay * weight + (1 - decay) * score``."""

    n_destroy: int
    n_repair: int
    scores: tuple[float, float, float, float] = (33.0, 9.0, 13.0, 0.0)  # best, better, accepted, rejected
    decay: float = 0.8
    destroy_w: list[float] = field(default_factory=list)
    repair_w: list[float] = field(default_factory=list)

    def __post_init__(self):
        if not 0.0 <= self.decay <= 1.0 or any(s < 0 for s in self.scores):
            raise ValueError("decay must be in [0, 1] and scores non-negative")
        self.reset()

    def reset(self) -> None:
        self.destroy_w = [1.0] * self.n_destroy
        self.repair_w = [1.0] * self.n_repair

    def select(self, rng: random.Random) -> tuple[int, int]:
        return _spin(rng, self.destroy_w), _spin(rng, self.repair_w)

    def update(self, d: int, r: int, outcome: int) -> None:
        s = self.scores[outcome]
        self.destroy_w[d] = self.decay * self.destroy_w[d] + (1 - self.decay) * s
        self.repair_w[r] = self.decay * self.repair_w[r] + (1 - self.decay) * s


def _spin(rng: random.Random, weights: list[float]) -> int:
    total = sum(weights)
    if total <= 0:
        return rng.randrange(len(weights))
    x = rng.random() * total
    for k, w in enumerate(weights):
        x -= w
        if x < 0:
            return k
    return len(weights) - 1


@dataclass(frozen=True)
class RecordToRecord:
    """Keep a night no worse by who is sheltered than the current one, whose last arrival and
    kilometres are within ``start`` (a share) of the best night's, the share shrinking
    linearly to zero with the budget spent."""

    start: float = 0.03
    explore: float = 0.3  # share of the budget in which one person fewer than the best may be kept

    def __call__(self, cand: tuple, cur: tuple, best: tuple, progress: float) -> bool:
        if cand[:-2] != cur[:-2]:
            if cand[:-2] < cur[:-2]:
                return True
            # early on, a night with one person fewer than the best (no vulnerable one, no
            # late driver) may be walked through: beds packed otherwise are behind it
            return progress < self.explore and cand[:2] == best[:2] and cand[2] - best[2] <= 1
        share = self.start * (1.0 - progress)
        if cand[-2] > best[-2] + share * 3600.0:  # last arrival: up to a few minutes later
            return False
        return cand[-1] <= best[-1] * (1.0 + share) + 1e-9


def improve(st: State, rng: random.Random, stop, work: Work) -> State:
    """Destroy, repair and tidy until ``stop(work)`` says so (or the night is done); returns
    ``st`` holding the best night found."""
    pb = st.pb
    wheel = RouletteWheel(len(DESTROYS), len(REPAIRS))
    # walking through nights with one person fewer pays where there are many steps per party
    accept = RecordToRecord(explore=RecordToRecord.explore if pb.n <= EXPLORE_UP_TO else 0.0)
    cur_score = best_score = st.score()
    best = None  # a snapshot of the best night when the working state has left it
    it = since_best = restarts = idle = 0
    stall = max(STALL_AT_LEAST, min(STALL, STALL_PER_PARTY * pb.n))
    while not stop(work):
        if since_best >= stall:
            restarts += 1
            idle += 1
            if idle >= IDLE_RESTARTS:
                break
            if best is not None:
                st.restore(best)
                best, cur_score = None, best_score
            wheel.reset()
            since_best = 0
        it += 1
        since_best += 1
        k = 1 + int(rng.random() ** 2 * min(MAX_DESTROY, max(8, pb.n // 8)))
        d_op, r_op = wheel.select(rng)
        op = DESTROYS[d_op]
        if cur_score[0] and rng.random() < 0.5:
            op = destroy_late  # a late driver: a broken rule to mend first
        st.begin()
        removed, first = op(st, rng, k)
        for i in removed:
            st.remove(i)
        gone = set(removed)
        waiting = sorted(i for i in st.waiting if i not in gone)
        if len(waiting) > UNPLACED_RETRIED:
            waiting = rng.sample(waiting, UNPLACED_RETRIED)
        REPAIRS[r_op](st, removed, rng, work, waiting, first)
        work.done += 10 + len(removed)
        sc = st.score()
        if sc[:-2] <= cur_score[:-2]:  # route moves cannot mend who is sheltered: tidy only what may stay
            if improve_routes(st, [d for d in st.log[2] if st.routes[d]], work, stop, max_moves=4,
                              places=set(st.log[1])):
                sc = st.score()
        if sc < best_score:
            outcome = 0
        elif sc < cur_score:
            outcome = 1
        elif accept(sc, cur_score, best_score, stop.progress(work)):
            outcome = 2
        else:
            outcome = 3
        wheel.update(d_op, r_op, outcome)
        if outcome == 3:
            st.rollback()
            continue
        if best is None and sc > best_score:  # leaving the best night: keep it
            best = st.snapshot(before=True)
        st.commit()
        cur_score = sc
        if outcome == 0:
            best_score, best, since_best = sc, None, 0
            idle = 0
    if best is not None:
        st.restore(best)
    log.debug("%d destroy-and-repair steps, %d restarts", it, restarts)
    return st
