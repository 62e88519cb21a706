"""Run a function in a thread while the main thread does something else (BigGAN loads while the audio is analysed)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class InBackground(Generic[T]):
    """Runs a function in a thread while the block runs; `result` waits and re-raises what it raised.

    Leaving the block, however it is left, waits for the function to end: a refused input must
    not exit while torch is still loading in a thread, or torch's C++ threads are torn down
    while running and the process aborts ("terminate called without an active exception").
    """

    def __init__(self, function: Callable[[], T]) -> None:
        self._function = function
        self._value: T | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="ganterp-load")

    def __enter__(self) -> InBackground[T]:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._thread.join()

    def _run(self) -> None:
        try:
            self._value = self._function()
        except Exception as exc:  # handed to the caller by result()
            self._error = exc

    def result(self, unless: type[Exception]) -> T | None:
        """The function's value; None if it raised `unless`; any other error is raised here."""
        self._thread.join()
        if isinstance(self._error, unless):
            return None
        if self._error is not None:
            raise self._error
        return self._value
