"""The `ganterp` command line: render, preview, analyse, the queue, the schedule and the checks."""
