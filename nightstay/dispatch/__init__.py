"""Tonight's board, the announcement, drivers' run sheets and hosts' notices."""
