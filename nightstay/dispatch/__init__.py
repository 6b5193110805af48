"""Tonight's board, the planner run, announcement, drivers' run sheets and hosts' notices."""
