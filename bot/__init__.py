"""Front ends: the `ganterp` command line, and later the Discord and X bots."""
