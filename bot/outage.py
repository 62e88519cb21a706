"""The one way a long-running loop reports an outage: one log line when it starts or changes, one when it ends.

Every loop that talks to something that can go away (the worker and dispatcher rounds, Redis,
X, Discord's delivery) keeps an `Outage`: while the same trouble lasts it is logged once, the
pause before the next try grows, and the first success after it says how long it lasted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def growing_pause(first_s: float, failures: int, longest_s: float) -> float:
    """How long to wait after `failures` in a row: `first_s`, doubling each time, at most `longest_s`."""
    return min(longest_s, first_s * 2.0 ** min(max(failures, 1) - 1, 16))


def unexpected(exc: BaseException) -> tuple[str, str]:
    """The default description of a failure: its type and text, as both its kind and its sentence."""
    text = f"{type(exc).__name__}: {exc}"[:300]
    return f"unexpected {text}", f"failed unexpectedly ({text})"


class Outage:
    """Failures in a row of one loop (`what`): logged once per kind, with a growing pause between tries.

    `describe` turns an error into (kind, one sentence for the operator); kinds it knows are logged
    without a traceback, unexpected ones (kinds starting with "unexpected") with it.
    """

    def __init__(
        self,
        what: str,
        first_pause_s: float,
        max_pause_s: float,
        describe: Callable[[BaseException], tuple[str, str]] = unexpected,
    ) -> None:
        self.what, self.first_pause_s, self.max_pause_s = what, max(first_pause_s, 0.5), max_pause_s
        self.describe = describe
        self.in_a_row = 0
        self.kind: str | None = None

    @property
    def ongoing(self) -> bool:
        """Whether the last try failed."""
        return self.kind is not None

    def failed(self, exc: BaseException) -> float:
        """Log `exc` if its kind is new in this run of failures, and return how long to pause."""
        kind, sentence = self.describe(exc)
        self.in_a_row += 1
        pause = growing_pause(self.first_pause_s, self.in_a_row, self.max_pause_s)
        if kind != self.kind:
            trace = exc if kind.startswith("unexpected") else None
            log.error(
                "%s %s; retrying in %.1f s, less often while it lasts", self.what, sentence, pause, exc_info=trace
            )
        else:
            log.debug("%s %s (again, %d in a row); retrying in %.1f s", self.what, sentence, self.in_a_row, pause)
        self.kind = kind
        return pause

    def succeeded(self) -> None:
        """A try went through: say the outage is over, and the next failure pauses briefly again."""
        if self.kind is not None:
            log.info("%s works again after %d failed tries", self.what, self.in_a_row)
        self.in_a_row, self.kind = 0, None
