"""nightstay: the software that runs a citizen network making sure nobody sleeps rough.

- ``nightstay.planner``: the night planner (night JSON in, plan JSON out), no web.
- ``nightstay.site`` and the apps beside it: the Django platform, one app per step of the night.
- ``nightstay.cli``: the ``nightstay`` command over both.
"""
