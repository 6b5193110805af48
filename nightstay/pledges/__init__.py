"""Pledges: beds from hosts, seats from drivers, for tonight or on a recurring pattern."""
