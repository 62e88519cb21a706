"""The X (Twitter) front end: mentions in, videos out, with its own text."""
