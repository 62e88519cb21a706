"""Long-running loops (the worker, the dispatcher) outlive a round that fails unexpectedly."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def growing_pause(first_s: float, failures: int, longest_s: float) -> float:
    """How long to wait after `failures` in a row: `first_s`, doubling each time, at most `longest_s`."""
    return min(longest_s, first_s * 2.0 ** min(max(failures, 1) - 1, 16))


class RoundFailures:
    """Unexpected failures of a long-running loop's rounds: logged once per kind in a row, with a growing pause."""

    def __init__(self, loop: str, first_pause_s: float, max_pause_s: float) -> None:
        self.loop, self.first_pause_s, self.max_pause_s = loop, max(first_pause_s, 0.5), max_pause_s
        self._in_a_row = 0
        self._last_kind = ""

    def failed(self, exc: Exception) -> float:
        """Log `exc` (with its traceback the first time in a row) and return how long to pause."""
        kind = f"{type(exc).__name__}: {exc}"[:300]
        self._in_a_row += 1
        pause = growing_pause(self.first_pause_s, self._in_a_row, self.max_pause_s)
        if kind != self._last_kind:
            log.error("%s round failed (%s); retrying in %.1f s", self.loop, kind, pause, exc_info=exc)
        self._last_kind = kind
        return pause

    def succeeded(self) -> None:
        """A round went through: the next failure pauses briefly again."""
        if self._in_a_row:
            log.info("%s rounds succeed again after %d failed", self.loop, self._in_a_row)
        self._in_a_row, self._last_kind = 0, ""
