"""A coordinator's hand on the proposal: the planner's ``edit`` on the plan document a run keeps.

The party is taken out and put where the coordinator said, riding with the driver who can
take it at least cost; the result goes through the same checker as every plan. A move that
breaks a rule raises the planner's refusal, whose problems (codes and values) the board says
in the coordinator's language (``proposal.Proposal.readable``).
"""
from __future__ import annotations

from nightstay.planner import Night, Plan, Refusal, edit

MoveRefused = Refusal


def move(night: Night, plan: dict, party_id: str, place_id: str | None) -> dict:
    """``plan`` with ``party_id`` at ``place_id`` (None: left unplaced); raises ``MoveRefused``."""
    return edit(night, Plan.from_json(night, plan), party_id, place_id).to_json()
