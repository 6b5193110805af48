"""The night planner: read a night, pair every party with a bed and a ride, write a plan.

It knows nothing of the web. The platform calls it in-process; ``nightstay plan`` wraps it.
The formats are NIGHT-FORMAT.md's (nightstay.night/1 in, nightstay.plan/1 out).
"""
