"""Intake at the meeting point: parties registered in a few taps, each with a ticket code."""
