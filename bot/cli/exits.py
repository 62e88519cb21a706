"""The exit statuses of the `ganterp` command."""

EXIT_OK = 0
EXIT_INPUT = 1  # the request could not be done: bad input, missing weights, an unhealthy process…
EXIT_BUG = 3  # something went wrong that is not the user's doing
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_TERMINATED = 143  # SIGTERM
