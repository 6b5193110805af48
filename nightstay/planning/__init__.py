"""Tonight's plan: the night file, planner runs, the proposal, coordinators' pins and moves."""
