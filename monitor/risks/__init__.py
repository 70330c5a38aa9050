"""Information risks: reach history, fast spread, copies across sources, negativity."""
