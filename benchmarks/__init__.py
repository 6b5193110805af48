"""Benchmarks of the night planner: demo nights, baselines and the OR-Tools yardstick, run beside the code."""
