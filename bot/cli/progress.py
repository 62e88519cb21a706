"""Render progress for a reader that is not a terminal (docker logs, a service journal): a line per tenth."""

from __future__ import annotations

from typing import TextIO

from pipeline.render import Progress

STEPS = 10  # one line per tenth of the frames


class ProgressLines:
    """Prints `render: 30% (90/300 frames), 12.5 frames/s, about 17 s left` each time a tenth is passed."""

    def __init__(self, stream: TextIO, steps: int = STEPS) -> None:
        self._stream = stream
        self._steps = steps
        self._reported = 0  # tenths already printed
        self._encoding = False

    def __call__(self, event: Progress) -> None:
        """Take one progress report from the render."""
        if event.stage == "render" and event.total > 0:
            reached = event.done * self._steps // event.total
            if reached > self._reported:
                self._reported = reached
                self._print(self._render_line(event))
        elif event.stage == "encode" and not self._encoding:
            self._encoding = True
            self._print("encode: muxing the video with its audio")

    def _render_line(self, event: Progress) -> str:
        rate = event.done / event.elapsed_s if event.elapsed_s > 0 else None
        speed = f", {rate:.1f} frames/s" if rate else ""
        eta = event.eta_s
        left = f", about {eta:.0f} s left" if eta else ""
        return f"render: {100 * event.done // event.total}% ({event.done}/{event.total} frames){speed}{left}"

    def _print(self, line: str) -> None:
        print(line, file=self._stream, flush=True)
