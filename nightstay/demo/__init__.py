"""The demo hub of ``make run``: made-up people, homes and a night to try every page with."""
